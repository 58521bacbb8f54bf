package io.snapsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final String VALID = """
            source: { url: "jdbc:redshift://rs:5439/db", user: u, password: "${SOURCE_PASSWORD}" }
            target: { url: "jdbc:postgresql://pg:5432/app", user: app, password: "${TARGET_PASSWORD}", properties: { sslmode: require } }
            cache:  { uri: "s3://bucket/snapsync", s3: { region: eu-west-1 } }
            job: { parallelism: 4 }
            tables:
              - name: lineitem
                source: public.lineitem
                target: public.lineitem
                primary-key: [l_orderkey, l_linenumber]
            """;

    private static SyncConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of("SOURCE_PASSWORD", "s3cret", "TARGET_PASSWORD", "t0p")::get);
    }

    @Test
    void parsesEveryDocumentedKeyAndSubstitutesEnvironment() {
        SyncConfig c = parse(VALID);
        assertThat(c.source().password()).isEqualTo("s3cret");
        assertThat(c.target().password()).isEqualTo("t0p");
        assertThat(c.target().properties()).containsEntry("sslmode", "require");
        assertThat(c.cache().s3().region()).isEqualTo("eu-west-1");
        assertThat(c.jobOrDefaults().parallelism()).isEqualTo(4);
        assertThat(c.tables()).singleElement().satisfies(t -> {
            assertThat(t.primaryKey()).containsExactly("l_orderkey", "l_linenumber");
            assertThat(t.source()).isEqualTo("public.lineitem");
        });
        assertThat(c.target().controlSchemaOrDefault()).isEqualTo("snapsync");
    }

    @Test
    void passwordsNeverShowInToString() {
        SyncConfig c = parse(VALID);
        assertThat(c.source().endpoint().toString()).doesNotContain("s3cret");
        assertThat(c.target().endpoint().toString()).doesNotContain("t0p");
    }

    @Test
    void defaultValueSyntax() {
        SyncConfig c = ConfigLoader.parse(VALID.replace("${TARGET_PASSWORD}", "${NOPE:-fallback}"), Map.of("SOURCE_PASSWORD", "x")::get);
        assertThat(c.target().password()).isEqualTo("fallback");
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse(VALID, Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SOURCE_PASSWORD").hasMessageContaining("source.password");
    }

    @Test
    void unknownKeysAreErrors() {
        assertThatThrownBy(() -> parse(VALID.replace("job: { parallelism: 4 }", "job: { paralelism: 4 }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("paralelism").hasMessageContaining("job");
        assertThatThrownBy(() -> parse(VALID + "extra: 1\n")).isInstanceOf(ConfigException.class).hasMessageContaining("extra");
    }

    @Test
    void concurrentTablesIsAPositiveIntegerDefaultingToOne() {
        assertThat(parse(VALID).jobOrDefaults().concurrentTablesOrDefault()).isEqualTo(1);
        assertThat(parse(VALID.replace("job: { parallelism: 4 }", "job: { parallelism: 4, concurrent-tables: 3 }"))
                .jobOrDefaults().concurrentTablesOrDefault()).isEqualTo(3);
        for (String bad : new String[] {"0", "-2"}) {
            assertThatThrownBy(() -> parse(VALID.replace("job: { parallelism: 4 }", "job: { concurrent-tables: " + bad + " }")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("job.concurrent-tables must be a positive integer (how many tables read their source at once), got " + bad);
        }
        for (String bad : new String[] {"all", "1.5"}) {
            assertThatThrownBy(() -> parse(VALID.replace("job: { parallelism: 4 }", "job: { concurrent-tables: " + bad + " }")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("concurrent-tables").hasMessageContaining(bad);
        }
    }

    @Test
    void compactionSettingsAreReadAndChecked() {
        assertThat(parse(VALID).cache().compactAt()).isNull();
        SyncConfig c = parse(VALID.replace("s3: { region: eu-west-1 } }", "s3: { region: eu-west-1 }, compact-at: 0.5, compact-layers: 4 }"));
        assertThat(c.cache().compactAt()).isEqualTo(0.5);
        assertThat(c.cache().compactLayers()).isEqualTo(4);
        assertThatThrownBy(() -> parse(VALID.replace("s3: { region: eu-west-1 } }", "s3: { region: eu-west-1 }, compact-at: -0.1 }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cache.compact-at");
        assertThatThrownBy(() -> parse(VALID.replace("s3: { region: eu-west-1 } }", "s3: { region: eu-west-1 }, compact-layers: -1 }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cache.compact-layers");
    }

    @Test
    void missingPrimaryKeyIsAnError() {
        assertThatThrownBy(() -> parse(VALID.replace("    primary-key: [l_orderkey, l_linenumber]\n", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tables[0].primary-key");
    }

    @Test
    void targetMustBePostgres() {
        assertThatThrownBy(() -> parse(VALID.replace("jdbc:postgresql://pg:5432/app", "jdbc:mysql://x/app")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("target.url");
    }

    @Test
    void secretsCannotInjectYaml() {
        SyncConfig c = ConfigLoader.parse(VALID, Map.of("SOURCE_PASSWORD", "a\"\n tables: []", "TARGET_PASSWORD", "x")::get);
        assertThat(c.source().password()).isEqualTo("a\"\n tables: []");
        assertThat(c.tables()).hasSize(1);
    }

    @Test
    void tablePoliciesOverrideJobDefaultsAndRejectUnknownValues() {
        SyncConfig c = parse(VALID.replace("job: { parallelism: 4 }",
                "job: { parallelism: 4, on-duplicate-key: skip, apply-chunk-rows: 1000, apply-chunk-pause: 2s }")
                + "    on-duplicate-key: keep-one\n    on-nul-character: replace\n    schema-evolution: auto\n");
        TablePolicies p = c.policies(c.tables().get(0));
        assertThat(p.onDuplicateKey()).isEqualTo(TablePolicies.DuplicateKeys.KEEP_ONE);
        assertThat(p.onNulCharacter()).isEqualTo(TablePolicies.NulCharacters.REPLACE);
        assertThat(p.schemaEvolution()).isEqualTo(TablePolicies.SchemaEvolution.AUTO);
        assertThat(p.onNullKey()).isEqualTo(TablePolicies.NullKeys.FAIL);
        assertThat(p.applyChunkRows()).isEqualTo(1000);
        assertThat(p.applyChunkPause()).hasSeconds(2);
        assertThat(TablePolicies.DEFAULTS.onDuplicateKey()).isEqualTo(TablePolicies.DuplicateKeys.FAIL);
        assertThat(TablePolicies.DEFAULTS.applyChunkRows()).isZero();

        assertThatThrownBy(() -> parse(VALID + "    on-duplicate-key: first\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("on-duplicate-key: 'first' is not one of [fail, keep-one, skip]");
        assertThatThrownBy(() -> parse(VALID + "    apply-chunk-pause: soon\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("apply-chunk-pause must be a duration");
    }

    @Test
    void spillDirNamesWhereFlinkSpills() {
        SyncConfig c = parse(VALID.replace("job: { parallelism: 4 }", "job: { parallelism: 4, spill-dir: /data/spill }"));
        assertThat(c.jobOrDefaults().spillDir()).isEqualTo("/data/spill");
        assertThat(io.snapsync.run.FlinkSetup.configuration(c, 2).get(org.apache.flink.configuration.CoreOptions.TMP_DIRS))
                .isEqualTo("/data/spill");
        assertThat(io.snapsync.run.FlinkSetup.configuration(parse(VALID), 2)
                .contains(org.apache.flink.configuration.CoreOptions.TMP_DIRS)).as("unset: Flink's default").isFalse();
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNamingTheKeyAndLineAtAnyDepth() {
        assertThatThrownBy(() -> parse(VALID + "target: { url: \"jdbc:postgresql://other:5432/app\" }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'target' is given twice (second at line 10)");
        assertThatThrownBy(() -> parse(VALID + "    primary-key: [l_orderkey]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'primary-key' is given twice in tables[0] (second at line 10)");
        assertThatThrownBy(() -> parse(VALID.replace("{ sslmode: require }", "{ sslmode: require, sslmode: disable }")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'sslmode' is given twice in target.properties (second at line 2)");
    }
}
