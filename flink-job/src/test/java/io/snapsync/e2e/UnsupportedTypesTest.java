package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Source types of the PostgreSQL stand-in that snapsync cannot carry faithfully are refused while planning,
 * naming the column, before the target table or the control schema is created; numeric NaN/Infinity (only
 * visible in the values) is refused while reading, before the target is touched. uuid is carried.
 */
class UnsupportedTypesTest extends EndToEndTestBase {

    private static String run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args) + " " + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(old);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bit(8)|B'10101010'|bit", "varbit|B'101'|varbit", "money|1234.56|money", "interval|'1 day'|interval",
            "inet|'10.0.0.1'|inet", "cidr|'10.0.0.0/8'|cidr", "macaddr|'08:00:2b:01:02:03'|macaddr", "xml|'<a/>'|xml",
            "int4[]|'{1,2}'|_int4", "int4range|'[1,5)'|int4range", "tsvector|'a b'|tsvector", "point|'(1,2)'|point",
            "pair|ROW(1,'x')|pair"})
    void refusedWhilePlanningNamingTheColumnAndNothingIsCreated(String spec) throws Exception {
        String[] s = spec.split("\\|");
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.source, "CREATE TYPE pair AS (x integer, y text)");
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, ok text, b " + s[0] + ")");
            exec(p.source, "INSERT INTO t VALUES (1, 'x', " + s[1] + ")");
            Path yaml = p.writeYaml(tmp.resolve("s.yaml"), "parallelism: 1, restart-attempts: 0");
            String out = run("sync", "--config", yaml.toString());
            assertThat(out).startsWith("1 snapsync: ")
                    .contains("source table public.t: column \"b\" has unsupported type " + s[2] + " (JDBC type ")
                    .contains("sync a view of the source");
            assertThat(out.lines().toList()).hasSize(1);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename = 't'")).as("no target created").isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'snapsync'")).isZero();
        }
    }

    @Test
    void numericNanAndInfinityAreRefusedWhileReadingAndTheTargetIsUntouched() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE t (id integer PRIMARY KEY, n numeric)");
            exec(p.source, "INSERT INTO t SELECT i, i * 1.5 FROM generate_series(1, 500) i");
            Path yaml = p.writeYaml(tmp.resolve("s.yaml"), "parallelism: 1, restart-attempts: 0");
            assertThat(Main.run("sync", "--config", yaml.toString())).isZero();
            List<String> target = rows(p.target, "t", "id");
            List<String> control = rows(p.target, "snapsync.sync_state", "table_name");
            for (String bad : List.of("NaN", "Infinity", "-Infinity")) {
                exec(p.source, "UPDATE t SET n = n + 1 WHERE id < 10");
                exec(p.source, "UPDATE t SET n = '" + bad + "' WHERE id = 7");
                String out = run("sync", "--config", yaml.toString());
                assertThat(out).startsWith("1 snapsync: ").contains("column \"n\": numeric value " + bad + " cannot be carried")
                        .contains("NULLIF(\"n\", 'NaN')").doesNotContain("Bad value for type");
                assertThat(rows(p.target, "t", "id")).isEqualTo(target);
                assertThat(rows(p.target, "snapsync.sync_state", "table_name")).isEqualTo(control);
                exec(p.source, "UPDATE t SET n = 1 WHERE id = 7");
            }
        }
    }

    @Test
    void uuidAndEnumsAreCarried() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.source, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, u uuid, m mood, o oid)");
            exec(p.source, "INSERT INTO t SELECT i, md5(i::text)::uuid, (enum_range(NULL::mood))[1 + i % 3], i FROM generate_series(1, 300) i");
            exec(p.source, "INSERT INTO t VALUES (0, NULL, NULL, 4294967295)");
            Path yaml = p.writeYaml(tmp.resolve("s.yaml"), "parallelism: 1, restart-attempts: 0");
            assertThat(Main.run("sync", "--config", yaml.toString())).isZero();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'u' "
                    + "AND atttypid = 'uuid'::regtype")).isEqualTo(1);
            exec(p.source, "UPDATE t SET u = gen_random_uuid(), m = 'happy' WHERE id BETWEEN 1 AND 5");
            Path report = tmp.resolve("r.json");
            assertThat(Main.run("sync", "--config", yaml.toString(), "--report", report.toString())).isZero();
            assertThat(java.nio.file.Files.readString(report)).contains("\"updated\" : 5").contains("\"appliedUpserts\" : 5");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(Main.run("sync", "--config", yaml.toString(), "--report", report.toString())).isZero();
            assertThat(java.nio.file.Files.readString(report)).contains("\"updated\" : 0");
        }
    }
}
