package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An existing target column that cannot hold the source's values unchanged (or compares them otherwise) is
 * refused while planning, naming the column, both types and the ALTER that fixes it, before anything is read;
 * a table may accept it by name and then the report says which upserts the target did not apply. citext
 * stores exactly and is compared as text, so a case-only change is applied and reconcile converges.
 */
class LossyTargetTest extends EndToEndTestBase {

    private static Path yaml(PgPair p, Path file, String tableExtra) throws Exception {
        Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0 }
                tables:
                  - { name: t, source: public.t, target: public.t, primary-key: [id]%s }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), tableExtra));
        return file;
    }

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

    @ParameterizedTest(name = "{0} into {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "timestamp|timestamp(0)|'2024-01-01 10:00:12.5'|timestamp(0) without time zone|timestamp|it keeps 0 fractional digits of 6",
            "timestamptz|timestamptz(3)|'2024-01-01 10:00:12.5+00'|timestamp(3) with time zone|timestamptz|it keeps 3 fractional digits",
            "timestamp|timestamptz|'2024-01-01 10:00:12'|timestamp with time zone|timestamp|through the session time zone",
            "time|time(2)|'10:00:12.123'|time(2) without time zone|time|it keeps 2 fractional digits",
            "timetz|timetz(0)|'10:00:12.5+02'|time(0) with time zone|timetz|it keeps 0 fractional digits",
            "double precision|real|100.123456789012|real|double precision|real keeps about 6 significant digits",
            "numeric(10,2)|double precision|1.25|double precision|numeric(10,2)|rounds to binary floating point",
            "text|char(10)|'a '|character(10)|text|pads values with spaces",
            "json|jsonb|'{\"a\": 1, \"a\": 2}'|jsonb|json|jsonb drops duplicate keys",
            "text|ts0|'2024-01-01'|ts0|text|timestamp without time zone is another type family",
            "timestamp|ts0|'2024-01-01 10:00:12.5'|ts0|timestamp|it keeps 0 fractional digits of 6",
            "integer|integer[]|1|integer[]|integer|an array type",
            "text|name|'x'|name|text|name truncates"})
    void refusedBeforeAnythingIsReadNamingColumnTypesAndTheFix(String sourceType, String targetType, String value,
                                                                String declared, String mapped, String reason) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.target, "CREATE DOMAIN ts0 AS timestamp(0)");
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, c " + sourceType + ")");
            exec(p.source, "INSERT INTO t VALUES (1, " + value + ")");
            exec(p.target, "CREATE TABLE t (id integer PRIMARY KEY, c " + targetType + ")");
            String out = run("sync", "--config", yaml(p, tmp.resolve("s.yaml"), "").toString());
            assertThat(out).startsWith("1 snapsync: table t failed: table t: target column \"c\" " + declared
                    + " cannot hold every value of source column \"c\" " + mapped + " unchanged: ")
                    .contains(reason)
                    .contains("run ALTER TABLE \"public\".\"t\" ALTER COLUMN \"c\" TYPE " + mapped
                            + ", or accept it with accept-lossy-columns: { c: \"why\" }");
            assertThat(out.lines().toList()).hasSize(1);
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isZero();
            assertThat(PgPair.manifests(p.cache.resolve("t").toFile().exists() ? p.cache : tmp)).isEmpty();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
        }
    }

    @Test
    void anAcceptedLossyColumnLoadsAndTheReportSaysWhichUpsertsWereNotApplied() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, r double precision, v text)");
            exec(p.target, "CREATE TABLE t (id integer PRIMARY KEY, r real, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 100.123456789012, 'v' FROM generate_series(1, 200) i");
            Path config = yaml(p, tmp.resolve("s.yaml"), ", accept-lossy-columns: { r: \"a gauge, 6 digits are plenty\" }");
            Path report = tmp.resolve("r.json");
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            assertThat(Files.readString(report)).contains("\"acceptedLossyColumns\" : {\n      \"r\" : \"a gauge, 6 digits are plenty\"");
            assertThat(scalar(p.target, "SELECT count(*) FROM t WHERE r = 100.12346::real")).isEqualTo(200);
            // 10 rows change beyond what real keeps, 5 in a way it keeps
            exec(p.source, "UPDATE t SET r = 100.123456789013 WHERE id <= 10");
            exec(p.source, "UPDATE t SET r = 7.5 WHERE id > 195");
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            String json = Files.readString(report);
            assertThat(json).contains("\"updated\" : 15").contains("\"appliedUpserts\" : 5").contains("\"unappliedUpserts\" : 10");
            assertThat(Files.readString(config)).contains("accept-lossy-columns");
        }
    }

    @Test
    void aCitextTargetGetsCaseOnlyChangesAndReconcileConverges() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.target, "CREATE EXTENSION IF NOT EXISTS citext");
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, v text)");
            exec(p.target, "CREATE TABLE t (id integer PRIMARY KEY, v citext)");
            exec(p.source, "INSERT INTO t SELECT i, 'name ' || i FROM generate_series(1, 1000) i");
            Path config = yaml(p, tmp.resolve("s.yaml"), "");
            Path report = tmp.resolve("r.json");
            assertThat(Main.run("sync", "--config", config.toString())).isZero();
            exec(p.source, "UPDATE t SET v = upper(v) WHERE id <= 100");
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            assertThat(Files.readString(report)).contains("\"updated\" : 100").contains("\"appliedUpserts\" : 100");
            List<String> source = rows(p.source, "t", "id");
            assertThat(rows(p.target, "t", "id")).isEqualTo(source);
            assertThat(Main.run("reconcile", "--config", config.toString(), "--report", report.toString())).isZero();
            assertThat(Files.readString(report)).contains("\"updated\" : 0").contains("\"appliedUpserts\" : 0");
        }
    }

    @Test
    void aNondeterministicCollationIsRefusedLikeAnotherEquality() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.target, "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, v text)");
            exec(p.target, "CREATE TABLE t (id integer PRIMARY KEY, v text COLLATE ci)");
            exec(p.source, "INSERT INTO t VALUES (1, 'a')");
            String out = run("sync", "--config", yaml(p, tmp.resolve("s.yaml"), "").toString());
            assertThat(out).startsWith("1 snapsync: table t failed: table t: target column \"v\" text cannot hold every value of "
                    + "source column \"v\" text unchanged: its collation is nondeterministic");
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isZero();
        }
    }
}
