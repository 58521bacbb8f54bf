package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.testing.ReadLogStandInDriver;
import io.snapsync.testing.UnloadStandInDriver;
import io.snapsync.unload.Unloads;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code extract: unload} into key-range buckets on a DECIMAL, TIMESTAMP, TIMESTAMPTZ, TIME or VARCHAR first key column, through
 * {@link UnloadStandInDriver} (test code standing in for Redshift's UNLOAD, running the inner SELECT with its CASE on
 * PostgreSQL): the CASE's bound literals put every row in the bucket whose range row.KeyOrder says holds it (else the
 * ordered diff's range guard fails the table), day 1 and day 2 take the ordered diff (sorted cache, then a change
 * layer), the target equals the source, and switching to JDBC changes nothing. A bound that cannot be rendered (a year
 * past 9999) unloads the table whole, one bucket sorted externally for the ordered diff, saying why.
 */
class UnloadRangeKeysEndToEndTest extends UnloadTestBase {
    SyncConfig config(PgPair p, String extract) {
        SyncConfig base = p.config("t", List.of("k", "n"), 2);
        return new SyncConfig(
                new SyncConfig.Source(p.sourcePg.getJdbcUrl(p.sourceDb) + "?" + UnloadStandInDriver.PARAM, EmbeddedPostgres.USER, null,
                        Map.of(), 100, true, UnloadStandInDriver.class.getName(), extract,
                        new SyncConfig.Unload(prefix(), ROLE, null, null, null, null, null, null, null, null)),
                base.target(),
                new SyncConfig.Cache(base.cache().uri(), null, null,
                        new SyncConfig.S3(s3.endpoint(), true, s3.accessKey(), s3.secretKey(), s3.region()), 2),
                base.job(), base.tables());
    }

    static TableReport committed(SyncConfig config) {
        TableReport r = new SyncRunner(config).run(null).tables.get(0);
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
        return r;
    }

    private static io.snapsync.cache.CacheManifest manifest(PgPair p, String version) throws Exception {
        return io.snapsync.cache.CacheManifest.read(new org.apache.flink.core.fs.Path(p.cache.resolve("t/v-" + version + "/_manifest.json").toUri()));
    }

    /**
     * Per type: the column type, an expression of i (-1500 to 1500) for day 1's keys, day 2's new keys (below all,
     * between two, above all, each distinct from day 1's), and the cast the CASE's literals carry.
     */
    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("numeric(12,3)", "i * 0.037", "(-999999.999), (0.038), (999999.999)", "< -"),
                Arguments.of("timestamp", "TIMESTAMP '1969-12-31 23:00:00' + i * INTERVAL '3 hours 0.000007 second'",
                        "(TIMESTAMP '0001-01-01 00:00:00'), (TIMESTAMP '1970-01-01 00:00:00.000001'), (TIMESTAMP '9999-12-31 23:59:59.999999')",
                        "AS TIMESTAMP)"),
                Arguments.of("timestamptz", "TIMESTAMPTZ '2024-01-01 00:00:00+05:30' + i * INTERVAL '37 minutes 0.000001 second'",
                        "(TIMESTAMPTZ '1900-01-01 00:00:00-08'), (TIMESTAMPTZ '2024-01-01 00:00:00.5+00'), (TIMESTAMPTZ '2999-01-01 00:00:00+09')",
                        "+00'' AS TIMESTAMPTZ)"),
                Arguments.of("time", "TIME '12:00:00' + i * INTERVAL '28.000003 seconds'",
                        "(TIME '00:00:00'), (TIME '12:00:00.000001'), (TIME '23:59:59.999999')", "AS TIME)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void aDecimalTimestampOrTimeFirstKeyIsBucketedAndTakesTheOrderedDiff(String type, String day1Keys, String day2Keys, String cast)
            throws Exception {
        UnloadStandInDriver.rowsPerFile = 60;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (k " + type + ", n integer, v text, PRIMARY KEY (k, n))");
            exec(p.source, "INSERT INTO t SELECT " + day1Keys + ", i % 3, 'v' || i FROM generate_series(-1500, 1500) i");
            orderedDays(p, sql -> assertThat(sql)
                    .contains("CASE WHEN \"k\" IS NULL OR \"k\" " + (cast.startsWith("<") ? cast : "< CAST(''"))
                    .contains(cast).contains(" THEN 1 WHEN ").contains("PARTITION BY (\"__snapsync_split\")"),
                    c -> rows(c, "t", "k, n"),
                    "UPDATE t SET v = 'x' || v WHERE v LIKE 'v%3'",
                    "DELETE FROM t WHERE v LIKE 'v%7'",
                    "INSERT INTO t SELECT k, 9, 'new' FROM (VALUES " + day2Keys + ") x(k)");
        }
    }

    /**
     * Bounds past year 9999 are not written: that run unloads the table whole, one bucket sorted externally, and takes
     * the ordered diff (the report says why it is one bucket); a reconcile reads the live target as one range too.
     */
    @Test
    void aBoundThatCannotBeRenderedUnloadsTheTableWholeAsOneBucketForTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 100;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (k timestamp, n integer, v text, PRIMARY KEY (k, n))");
            exec(p.source, "INSERT INTO t SELECT TIMESTAMP '9000-01-01' + i * INTERVAL '1 year', 0, 'v' || i FROM generate_series(0, 3000) i");
            UnloadStandInDriver.STATEMENTS.clear();
            TableReport day1 = committed(config(p, "unload"));
            assertThat(day1.keyedDiff).isNull();
            assertThat(day1.unloadSort).startsWith("one bucket, the whole table").contains("cannot be written as a literal into UNLOAD's query");
            assertThat(UnloadStandInDriver.STATEMENTS).singleElement().satisfies(sql -> assertThat(sql).doesNotContain("PARTITION BY"));
            assertThat(manifest(p, day1.cacheVersion).isSorted()).isTrue();
            assertThat(rows(p.target, "t", "k, n")).isEqualTo(rows(p.source, "t", "k, n"));
            long deleted = update(p.source, "DELETE FROM t WHERE k > TIMESTAMP '11000-01-01'");
            TableReport day2 = committed(config(p, "unload"));
            assertThat(day2.keyedDiff).isNull();
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(0, 0, deleted);
            assertThat(manifest(p, day2.cacheVersion).isLayered()).isTrue();
            assertThat(rows(p.target, "t", "k, n")).isEqualTo(rows(p.source, "t", "k, n"));
            update(p.target, "UPDATE t SET v = 'drift' WHERE n = 0 AND k < TIMESTAMP '9003-01-01'");
            TableReport rec = new SyncRunner(config(p, "unload")).reconcile(true).run(null).tables.get(0);
            assertThat(rec.status).as("error: %s", rec.error).isEqualTo("committed");
            assertThat(rec.keyedDiff).isNull();
            assertThat(new long[] {rec.inserted, rec.updated, rec.deleted}).containsExactly(0, 3, 0);
            assertThat(rows(p.target, "t", "k, n")).isEqualTo(rows(p.source, "t", "k, n"));
        }
    }

    /**
     * Text keys: mixed case ('Z' below 'a' in byte order, not under a case-insensitive collation), non-ASCII of two to
     * four UTF-8 bytes, keys that are prefixes of others ('' < 'a' < 'a1' < 'a10', 'a' < 'ab'), the empty string.
     */
    private static void textKeys(PgPair p) throws Exception {
        p.both("CREATE TABLE public.t (k varchar(40), n integer, v text, PRIMARY KEY (k, n))");
        exec(p.source, "INSERT INTO t SELECT (ARRAY['a', 'A', 'ab', 'aB', 'é', 'É', 'z', 'Z', 'a中', 'Z\uD83D\uDE00', ' ', 'Ü', 'm', 'M', 'ß', '0'])"
                + "[i % 16 + 1] || (i / 16)::text, i % 3, 'v' || i FROM generate_series(0, 2999) i");
        exec(p.source, "INSERT INTO t VALUES ('', 0, 'empty'), ('a', 0, 'a'), ('ab', 0, 'ab')");
    }

    /**
     * A VARCHAR first key is bucketed, compared as bytes ({@code CAST("k" AS VARBYTE) < FROM_HEX('..')}, which the
     * stand-in runs as PostgreSQL bytea): day 1 and day 2 take the ordered diff over several buckets, the target equals
     * the source, and a JDBC day (range splits compared COLLATE "C") finds nothing to change.
     */
    @Test
    void aVarcharFirstKeyIsBucketedByItsBytesAndTakesTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 60;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            textKeys(p);
            orderedDays(p, sql -> assertThat(sql)
                    .contains("CASE WHEN \"k\" IS NULL OR CAST(\"k\" AS VARBYTE) < FROM_HEX(''")
                    .containsPattern("THEN 1 WHEN CAST\\(\"k\" AS VARBYTE\\) < FROM_HEX\\(''[0-9a-f]+''\\) THEN 2 ")
                    .contains("PARTITION BY (\"__snapsync_split\")"),
                    c -> rows(c, "t", "k, n"),
                    "UPDATE t SET v = 'x' || v WHERE v LIKE 'v%3'",
                    "DELETE FROM t WHERE v LIKE 'v%7' OR k IN ('a', 'ab')",
                    // below all (''), between prefixes ('A', 'Ab'), non-ASCII, above all (a 4-byte character)
                    "INSERT INTO t SELECT k, 9, 'new' FROM (VALUES (''), ('A'), ('Ab'), ('a中'), ('ÿ'), "
                            + "('\uD83D\uDE00'), ('\uD83D\uDE00\uD83D\uDE00')) x(k)");
        }
    }

    /**
     * A bucket holding a row its range does not hold, as row.KeyOrder compares (here: the CASE tampered to compare
     * lower-cased keys, as a case-insensitive collation would, so 'Z1' goes with 'z1'): merged, the row would be an
     * insert in one bucket and its cache entry a delete in another, and the target would lose it. The table fails
     * naming the table, the bucket, the column and the key; target, cache and control row stay as they were; the next
     * run converges.
     */
    @Test
    void aRowInABucketWhoseRangeDoesNotHoldItFailsTheTableBeforeTheTargetIsTouched() throws Exception {
        UnloadStandInDriver.rowsPerFile = 200;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            textKeys(p);
            assertThat(committed(config(p, "unload")).keyedDiff).isNull();
            long updated = update(p.source, "UPDATE t SET v = 'y' || v WHERE v LIKE 'v%1'");
            long deleted = update(p.source, "DELETE FROM t WHERE v LIKE 'v%9'");
            List<String> before = rows(p.target, "t", "k, n, v");
            List<String> cache = PgPair.manifests(p.cache);
            String control = rows(p.target, "snapsync.sync_state", "table_name").toString();

            UnloadStandInDriver.tamperNextSelect = sql -> sql.replace("CAST(\"k\" AS VARBYTE)", "CAST(LOWER(\"k\") AS VARBYTE)");
            TableReport failed = new SyncRunner(config(p, "unload")).run(null).tables.get(0);
            assertThat(UnloadStandInDriver.tamperNextSelect).as("the tampered statement ran").isNull();
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.keyedDiff).isNull();
            assertThat(failed.error).startsWith("table t: UNLOAD put a row in the key-range bucket [")
                    .contains(" of column \"k\" that does not hold it: (k=").endsWith("nothing applied");
            assertThat(rows(p.target, "t", "k, n, v")).isEqualTo(before);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
            assertThat(rows(p.target, "snapsync.sync_state", "table_name").toString()).isEqualTo(control);

            TableReport next = committed(config(p, "unload"));
            assertThat(new long[] {next.inserted, next.updated, next.deleted}).containsExactly(0, updated, deleted);
            assertThat(rows(p.target, "t", "k, n, v")).isEqualTo(rows(p.source, "t", "k, n, v"));
            assertThat(Unloads.leftovers(prefix(), "t", null)).as("unloaded files left").isEmpty();
        }
    }

    /**
     * Bytea keys with the edge values of unsigned byte order: the empty value, 0x00 and runs of it, 0x7f against 0x80,
     * 0xff and runs of it, and prefixes of other keys; hashes of two to ten bytes in between.
     */
    private static void bytesKeys(PgPair p) throws Exception {
        p.both("CREATE TABLE public.t (k bytea, n integer, v text, PRIMARY KEY (k, n))");
        exec(p.source, "INSERT INTO t SELECT decode(substr(md5(i::text), 1, 4 + i % 5 * 4), 'hex'), i % 2, 'v' || i "
                + "FROM generate_series(0, 2999) i ON CONFLICT DO NOTHING");
        exec(p.source, "INSERT INTO t SELECT decode(x, 'hex'), 0, 'edge' FROM unnest(ARRAY['', '00', '0000', '0001', '01', '7f', '7fff', "
                + "'80', '8000', 'fe', 'ff', 'ff00', 'ffff', 'ffffffffffff']) x ON CONFLICT DO NOTHING");
    }

    /**
     * A BYTEA (VARBYTE) first key is bucketed, the column compared as it is with {@code FROM_HEX('..')} bounds (which the
     * stand-in runs as PostgreSQL's bytea comparison, unsigned and a prefix first, as Redshift's VARBYTE's): day 1 and
     * day 2 (edge values inserted and deleted) take the ordered diff over several buckets, the target equals the source,
     * and a JDBC day (range splits bound as bytea) finds nothing to change.
     */
    @Test
    void aByteaFirstKeyIsBucketedByItsBytesAndTakesTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 60;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            bytesKeys(p);
            orderedDays(p, sql -> assertThat(sql)
                    .contains("CASE WHEN \"k\" IS NULL OR \"k\" < FROM_HEX(''")
                    .containsPattern("THEN 1 WHEN \"k\" < FROM_HEX\\(''[0-9a-f]+''\\) THEN 2 ")
                    .doesNotContain("VARBYTE").contains("PARTITION BY (\"__snapsync_split\")"),
                    c -> rows(c, "t", "k, n, v"),
                    "UPDATE t SET v = 'x' || v WHERE v LIKE 'v%3' OR k = '\\x7f'::bytea",
                    "DELETE FROM t WHERE v LIKE 'v%7' OR k IN ('\\x'::bytea, '\\x0000'::bytea, '\\xff'::bytea)",
                    "INSERT INTO t SELECT decode(x, 'hex'), 9, 'new' FROM (VALUES (''), ('00'), ('000000'), ('7f00'), "
                            + "('80ff'), ('ff'), ('fffe'), ('ffffffffffffff')) v(x)");
        }
    }

    /**
     * JDBC range splits on a BYTEA first key, bounds bound as bytea (pgjdbc's setObject of a byte[]): the source read
     * in several splits (each one a read the stand-in in front of PostgreSQL logs), the ordered diff, and day 1, day 2
     * (edge values inserted and deleted) and an idle day leave the target equal to the source.
     */
    @Test
    void aByteaFirstKeyIsReadInRangeSplitsOverJdbc() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            bytesKeys(p);
            SyncConfig plain = p.config("t", List.of("k", "n"), 2);
            SyncConfig config = new SyncConfig(new SyncConfig.Source(p.sourcePg.getJdbcUrl(p.sourceDb) + "?" + ReadLogStandInDriver.PARAM,
                    plain.source().user(), null, Map.of(), 100, true, ReadLogStandInDriver.class.getName()),
                    plain.target(), plain.cache(), plain.job(), plain.tables());
            ReadLogStandInDriver.clear();
            TableReport day1 = committed(config);
            assertThat(day1.keyedDiff).isNull();
            assertThat(ReadLogStandInDriver.reads().stream().filter(r -> r.table().equals("public.t")).count())
                    .as("split reads of the table").isGreaterThanOrEqualTo(4);
            assertThat(rows(p.target, "t", "k, n, v")).isEqualTo(rows(p.source, "t", "k, n, v"));

            long updated = update(p.source, "UPDATE t SET v = 'x' || v WHERE v LIKE 'v%3' OR k = '\\x80'::bytea");
            long deleted = update(p.source, "DELETE FROM t WHERE v LIKE 'v%7' OR k IN ('\\x'::bytea, '\\x00'::bytea, '\\xffff'::bytea)");
            long inserted = update(p.source, "INSERT INTO t SELECT decode(x, 'hex'), 9, 'new' FROM (VALUES (''), ('0000'), ('7f00'), "
                    + "('ff'), ('ffffffffffffff')) v(x)");
            TableReport day2 = committed(config);
            assertThat(day2.keyedDiff).isNull();
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(inserted, updated, deleted);
            assertThat(rows(p.target, "t", "k, n, v")).isEqualTo(rows(p.source, "t", "k, n, v"));
            TableReport idle = committed(config);
            assertThat(new long[] {idle.inserted, idle.updated, idle.deleted}).containsExactly(0, 0, 0);
        }
    }

    /** A float-keyed table's rows as text, -0 shown as 0 (-0 + 0 is 0): the key PostgreSQL and snapsync take as equal. */
    private static List<String> floatRows(java.sql.Connection c) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT (k + 0)::text || ',' || n || ',' || v FROM t ORDER BY k, n")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * A DOUBLE PRECISION first key is bucketed, the column compared with {@code CAST(<exact decimal> AS DOUBLE PRECISION)}
     * bounds: the CASE's {@code <} is false for NaN, so NaN lands in the last bucket (ELSE) as row.KeyOrder orders it,
     * -Infinity in the first, Infinity in the last, -0 with 0, subnormals by value. Day 1 and day 2 (edge values inserted,
     * updated and deleted, keys beyond day 1's extremes) take the ordered diff over several buckets, the target equals the
     * source, and a JDBC day (PostgreSQL's float range splits) finds nothing to change.
     */
    @Test
    void aDoublePrecisionFirstKeyIsBucketedAndTakesTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 60;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (k double precision, n integer, v text, PRIMARY KEY (k, n))");
            exec(p.source, "INSERT INTO t SELECT i * 0.37 - 150, i % 2, 'v' || i FROM generate_series(0, 2999) i");
            exec(p.source, "INSERT INTO t SELECT x::float8, 0, 'edge ' || x FROM unnest(ARRAY['NaN', 'Infinity', '-Infinity', '4.9e-324', "
                    + "'-4.9e-324', '2.2250738585072014e-308', '1e-310', '-1e-310']) x");
            exec(p.source, "INSERT INTO t VALUES ('-0', 5, 'minus zero'), ('0', 6, 'zero')");
            orderedDays(p, sql -> assertThat(sql)
                    .contains("CASE WHEN \"k\" IS NULL OR \"k\" < CAST(")
                    .containsPattern("THEN 1 WHEN \"k\" < CAST\\(-?[0-9]+(\\.[0-9]+)? AS DOUBLE PRECISION\\) THEN 2 ")
                    .contains("PARTITION BY (\"__snapsync_split\")"),
                    UnloadRangeKeysEndToEndTest::floatRows,
                    "UPDATE t SET v = 'x' || v WHERE v LIKE 'v%3' OR k = 'NaN' OR k = '-0' OR k = '-4.9e-324'",
                    "DELETE FROM t WHERE v LIKE 'v%7' OR k = '-Infinity' OR k = '4.9e-324' OR k = '1e-310'",
                    "INSERT INTO t SELECT x::float8, 9, 'new' FROM unnest(ARRAY['NaN', 'Infinity', '-Infinity', '-0', "
                            + "'5e-324', '1e30', '-1e30', '-150.5', '959.99']) x");
        }
    }

    /** What a table's rows are compared by (target against source), e.g. its key and one column in key order. */
    @FunctionalInterface
    interface Rows {
        Object of(java.sql.Connection c) throws Exception;
    }

    /**
     * The ordered diff over UNLOAD's buckets, day after day: day 1 unloads once (the statement checked by
     * {@code statement}) and writes a sorted cache; then {@code update}, {@code delete} and {@code insert} run on the
     * source, and day 2 writes a change layer with exactly their counts; then a JDBC day finds nothing to change and no
     * unloaded file is left. Target == source (by {@code rows}) after every day.
     */
    private void orderedDays(PgPair p, java.util.function.Consumer<String> statement, Rows rows, String update, String delete,
            String insert) throws Exception {
        UnloadStandInDriver.STATEMENTS.clear();
        TableReport day1 = committed(config(p, "unload"));
        assertThat(day1.keyedDiff).as("the ordered diff, not the keyed one").isNull();
        assertThat(UnloadStandInDriver.STATEMENTS).singleElement().satisfies(sql -> statement.accept(sql));
        assertThat(manifest(p, day1.cacheVersion).isSorted()).as("written by the ordered diff").isTrue();
        assertThat(rows.of(p.target)).isEqualTo(rows.of(p.source));

        long updated = update(p.source, update);
        long deleted = update(p.source, delete);
        long inserted = update(p.source, insert);
        TableReport day2 = committed(config(p, "unload"));
        assertThat(day2.keyedDiff).isNull();
        assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(inserted, updated, deleted);
        assertThat(manifest(p, day2.cacheVersion).isLayered()).as("a change layer: only the ordered diff writes one").isTrue();
        assertThat(rows.of(p.target)).isEqualTo(rows.of(p.source));

        TableReport day3 = committed(config(p, "jdbc"));
        assertThat(day3.keyedDiff).isNull();
        assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, 0, 0);
        assertThat(Unloads.leftovers(prefix(), "t", null)).as("unloaded files left").isEmpty();
    }
}
