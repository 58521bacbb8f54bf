package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import io.snapsync.testing.NulStandInDriver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text with U+0000 through the whole job and the command line. Only Redshift can return such text, so
 * the source is PostgreSQL behind {@link NulStandInDriver} (named by the source's driver key), which turns a
 * marker character into NUL.
 */
class NulCharacterTest extends EndToEndTestBase {

    private static String yaml(PgPair p, String policy) {
        return """
                source: { url: "%s?%s", user: postgres, driver: %s }
                target: { url: "%s", user: postgres }
                cache: { uri: "%s" }
                job: { parallelism: 2, restart-attempts: 2 }
                tables:
                  - { name: t, source: public.t, target: public.t, primary-key: [id]%s }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), NulStandInDriver.PARAM, NulStandInDriver.class.getName(), p.targetPg.getJdbcUrl(p.targetDb),
                p.cache.toUri(), policy == null ? "" : ", on-nul-character: " + policy);
    }

    private int cli(Path config, ByteArrayOutputStream err) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run("sync", "--config", config.toString(), "--report", tmp.resolve("report.json").toString());
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void nulFailsNamingTableColumnAndKeyOrIsStrippedOrReplaced() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, name text, doc jsonb)");
            exec(p.source, "INSERT INTO t SELECT i, 'n' || i, jsonb_build_object('i', i) FROM generate_series(1, 300) i");
            Path config = tmp.resolve("snapsync.yaml");
            Files.writeString(config, yaml(p, null));
            assertThat(cli(config, new ByteArrayOutputStream())).isZero();
            List<String> before = rows(p.target, "t", "id");
            List<String> cache = PgPair.manifests(p.cache);

            exec(p.source, "UPDATE t SET name = 'a" + NulStandInDriver.MARK + "b' WHERE id = 42");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(cli(config, err)).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("snapsync: table t failed: table t, column \"name\", "
                    + "key (id=42): text contains a NUL character (U+0000), which PostgreSQL cannot store; "
                    + "set on-nul-character: strip or replace to load it");
            assertThat(rows(p.target, "t", "id")).isEqualTo(before);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);

            Files.writeString(config, yaml(p, "strip"));
            assertThat(cli(config, new ByteArrayOutputStream())).isZero();
            assertThat(Files.readString(tmp.resolve("report.json"))).contains("\"nulFixedRows\" : 1").contains("\"updated\" : 1");
            assertThat(scalar(p.target, "SELECT count(*) FROM t WHERE id = 42 AND name = 'ab'")).isEqualTo(1);

            Files.writeString(config, yaml(p, "replace"));
            assertThat(cli(config, new ByteArrayOutputStream())).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM t WHERE id = 42 AND name = 'a\uFFFDb'")).isEqualTo(1);

            exec(p.source, "UPDATE t SET name = 'fixed' WHERE id = 42"); // only the JSON value is bad from here on
            // a SUPER value with the JSON escape \u0000 (valid JSON, refused by jsonb); \\u0000 is plain text and stays
            exec(p.source, "UPDATE t SET doc = jsonb_build_object('s', 'x" + NulStandInDriver.JSON_MARK + "y', 'keep', '\\u0000') WHERE id = 7");
            Files.writeString(config, yaml(p, null));
            ByteArrayOutputStream jsonErr = new ByteArrayOutputStream();
            assertThat(cli(config, jsonErr)).isEqualTo(1);
            assertThat(jsonErr.toString(StandardCharsets.UTF_8)).contains("table t, column \"doc\", key (id=7): the value contains "
                    + "a NUL character or the JSON escape \\u0000, which jsonb cannot store");
            Files.writeString(config, yaml(p, "replace"));
            assertThat(cli(config, new ByteArrayOutputStream())).isZero();
            assertThat(rows(p.target, "(SELECT doc FROM t WHERE id = 7)", "1"))
                    .containsExactly("(\"{\"\"s\"\": \"\"x\uFFFDy\"\", \"\"keep\"\": \"\"\\\\\\\\u0000\"\"}\")");
        }
    }
}
