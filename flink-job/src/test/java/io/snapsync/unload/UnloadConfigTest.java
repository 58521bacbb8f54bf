package io.snapsync.unload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.config.ConfigException;
import io.snapsync.config.ConfigLoader;
import io.snapsync.config.SyncConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnloadConfigTest {
    static final String YAML = """
            source:
              url: "jdbc:redshift://rs:5439/db"
              extract: %s
              unload: { prefix: "%s", iam-role: "arn:aws:iam::123456789012:role/Unload", max-file-size-mb: 512 }
            target: { url: "jdbc:postgresql://pg:5432/app" }
            cache:  { uri: "s3://bucket/snapsync" }
            tables:
              - { name: big, source: public.big, target: public.big, primary-key: [id] }
              - { name: small, source: public.small, target: public.small, primary-key: [id], extract: jdbc }
            """;

    static SyncConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of("K", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")::get);
    }

    @Test
    void sourceDefaultAndTableOverride() {
        SyncConfig c = parse(YAML.formatted("unload", "s3://bucket/unload"));
        assertThat(c.unload(c.tables().get(0))).isTrue();
        assertThat(c.unload(c.tables().get(1))).isFalse();
        assertThat(c.source().unload().maxFileSizeMb()).isEqualTo(512);
        assertThat(c.source().unload().maxBucketMb()).isNull();
        SyncConfig bound = parse(YAML.formatted("unload", "s3://bucket/unload").replace("max-file-size-mb: 512", "max-bucket-mb: 64"));
        assertThat(bound.source().unload().maxBucketMb()).isEqualTo(64);
        SyncConfig jdbc = parse(YAML.formatted("jdbc", "s3://bucket/unload"));
        assertThat(jdbc.unload(jdbc.tables().get(0))).isFalse();
    }

    @Test
    void jdbcIsTheDefault() {
        SyncConfig c = parse(YAML.replace("  extract: %s\n", "").formatted("s3://bucket/unload"));
        assertThat(c.unload(c.tables().get(0))).isFalse();
    }

    @Test
    void thePrefixIsNeverTheCachesOwnNorInsideItNorAroundIt() {
        for (String prefix : new String[] {"s3://bucket/snapsync", "s3://bucket/snapsync/unload", "s3://bucket/", "s3://bucket/snapsync/"}) {
            assertThatThrownBy(() -> parse(YAML.formatted("unload", prefix))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("must not be the cache's location");
        }
        assertThat(parse(YAML.formatted("unload", "s3://bucket/snapsync-unload")).source().unload().prefix())
                .isEqualTo("s3://bucket/snapsync-unload");
    }

    @Test
    void badValuesAreOneLineConfigErrors() {
        assertThatThrownBy(() -> parse(YAML.formatted("copy", "s3://bucket/unload"))).isInstanceOf(ConfigException.class)
                .hasMessage("source.extract must be jdbc or unload, got 'copy'");
        assertThatThrownBy(() -> parse(YAML.formatted("unload", "s3://bucket/unload").replace("extract: jdbc", "extract: fast")))
                .hasMessage("tables[1].extract must be jdbc or unload, got 'fast'");
        assertThatThrownBy(() -> parse(YAML.formatted("unload", "s3://bucket/unload").replace("iam-role", "iam-rol")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown config key 'iam-rol'");
        assertThatThrownBy(() -> parse(YAML.formatted("unload", "s3://bucket/unload")
                .replace("iam-role: \"arn:aws:iam::123456789012:role/Unload\"", "access-key-id: AKIAIOSFODNN7EXAMPLE, secret-access-key: \"${K}x'\"")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("secret-access-key").message().doesNotContain("wJalr");
        String noUnload = YAML.formatted("unload", "x").replaceAll("  unload: .*\n", "");
        assertThatThrownBy(() -> parse(noUnload)).hasMessage("extract: unload needs source.unload (prefix and credentials)");
    }
}
