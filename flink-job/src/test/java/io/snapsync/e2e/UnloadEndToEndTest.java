package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.schema.Column;
import io.snapsync.schema.TypeMapping;
import io.snapsync.testing.GateLog;
import io.snapsync.testing.UnloadParquetEncodings;
import io.snapsync.testing.UnloadStandInDriver;
import io.snapsync.unload.Unloads;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code extract: unload} end to end: the planner's UNLOAD statement goes to {@link UnloadStandInDriver} (test code
 * standing in for Redshift's UNLOAD), which writes Parquet files and a manifest as AWS documents them to a real S3
 * API server on 127.0.0.1 (S3Proxy); the job reads them back through the same row encoder as the JDBC path. Days
 * alternate between JDBC and UNLOAD: switching must change nothing.
 */
class UnloadEndToEndTest extends UnloadTestBase {
    SyncConfig config(PgPair p, String extract, List<String> key) {
        return config(p, extract, key, null);
    }

    /** @param maxBucketMb source.unload.max-bucket-mb (null: the default) */
    SyncConfig config(PgPair p, String extract, List<String> key, Integer maxBucketMb) {
        SyncConfig base = p.config("t", key, 2);
        return new SyncConfig(
                new SyncConfig.Source(p.sourcePg.getJdbcUrl(p.sourceDb) + "?" + UnloadStandInDriver.PARAM, EmbeddedPostgres.USER, null,
                        Map.of(), 100, true, UnloadStandInDriver.class.getName(), extract, new SyncConfig.Unload(prefix(), ROLE, null, null, null, null, null, null, null, maxBucketMb)),
                base.target(),
                new SyncConfig.Cache(base.cache().uri(), null, null,
                        new SyncConfig.S3(s3.endpoint(), true, s3.accessKey(), s3.secretKey(), s3.region()), 2),
                base.job(), base.tables());
    }

    /**
     * The external sort's run files left in the directories the spills were logged to (the test MiniCluster's task
     * manager temporary directory: its io.tmp.dirs, which job.spill-dir sets in a run's own cluster).
     */
    static List<Path> runFiles(List<io.snapsync.testing.SortLog.Spill> spills) throws java.io.IOException {
        List<Path> out = new java.util.ArrayList<>();
        for (Path dir : spills.stream().map(io.snapsync.testing.SortLog.Spill::dir).distinct().toList()) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().startsWith("snapsync-unload-")).forEach(out::add);
            }
        }
        return out;
    }

    static TableReport run(SyncConfig config) {
        TableReport r = new SyncRunner(config).run(null).tables.get(0);
        return r;
    }

    static TableReport committed(SyncConfig config) {
        TableReport r = run(config);
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
        return r;
    }

    /** TypesEndToEndTest's types and extremes, less what Redshift cannot hold (infinities, an unconstrained NUMERIC). */
    static Stream<Arguments> types() {
        return TypesEndToEndTest.types()
                .filter(a -> !a.get()[0].equals("NUMERIC"))
                .map(a -> Arguments.of(a.get()[0], a.get()[1], ((String) a.get()[3]).replace(", 'infinity'", "").replace(", '-infinity'", "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void everyTypeAndItsExtremesHashTheSameThroughUnloadAsThroughJdbc(String redshiftType, String pgType, String values) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, v " + pgType + ")");
            exec(p.source, "INSERT INTO t SELECT ordinality, v FROM unnest(ARRAY[" + values + "]::" + pgType + "[]) WITH ORDINALITY v");
            exec(p.source, "INSERT INTO t SELECT i, NULL FROM generate_series((SELECT max(id) + 1 FROM t), 6) i");
            committed(config(p, "jdbc", List.of("id")));

            // the same snapshot through UNLOAD: one file per row, so the files' encodings differ
            UnloadStandInDriver.ENCODINGS_USED.clear();
            TableReport day2 = committed(config(p, "unload", List.of("id")));
            assertThat(new long[] {day2.snapshotRows, day2.inserted, day2.updated, day2.deleted}).containsExactly(6, 0, 0, 0);
            assertThat(UnloadStandInDriver.ENCODINGS_USED.get("v")).as("encodings written for v").isNotEmpty();

            exec(p.source, "CREATE TABLE before AS SELECT * FROM t");
            exec(p.source, "UPDATE t SET v = NULL WHERE id = 1");
            exec(p.source, "UPDATE t SET v = (SELECT v FROM before WHERE id = 1) WHERE id = 6");
            exec(p.source, "UPDATE t SET v = (SELECT v FROM before WHERE id = 3) WHERE id = 2");
            exec(p.source, "DELETE FROM t WHERE id = 4");
            exec(p.source, "INSERT INTO t SELECT 100, v FROM before WHERE id = 5");
            long updated = scalar(p.source, "SELECT count(*) FROM t JOIN before b USING (id) WHERE t.v::text IS DISTINCT FROM b.v::text");
            TableReport day3 = committed(config(p, "unload", List.of("id")));
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(1, updated, 1);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(Unloads.leftovers(prefix(), "t", null)).as("unloaded files left").isEmpty();
        }
    }

    /** Ordinary values every encoding can hold, over more files than any type has encodings: each one is exercised. */
    @Test
    void everyAcceptedEncodingIsReadAndAYesterdayFromJdbcDiffsToZeroChanges() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            String columns = "id integer PRIMARY KEY, s smallint, i integer, b bigint, d9 numeric(9,2), d18 numeric(18,4), d38 numeric(38,10), "
                    + "r real, f double precision, ok boolean, c char(6), vc varchar(10), tx text, j jsonb, by bytea, dt date, "
                    + "ts timestamp, tz timestamptz, tm time, ttz timetz, \"we'ird \"\"col\"\"\" text";
            exec(p.source, "CREATE TABLE t (" + columns + ")");
            exec(p.source, "INSERT INTO t SELECT i, i - 20, i * 1000, i * 100000000000, i + 0.25, i * 1000.125, i * 12345678.5, i / 4.0, i / 3.0, "
                    + "i % 2 = 0, 'c' || i, 'v' || i, 'text ' || i, jsonb_build_object('i', i, 'a', jsonb_build_array(i, 'x')), "
                    + "int4send(i), date '2020-01-01' + i, timestamp '2020-01-01 00:00:00.123' + i * interval '1 day 1 second', "
                    + "timestamptz '2020-01-01 00:00:00.5+02' + i * interval '1 hour', time '10:00:00.25' + i * interval '1 minute', "
                    + "'10:00:00.5+05:30'::timetz, 'x''' || i FROM generate_series(1, 40) i");
            exec(p.source, "INSERT INTO t (id) VALUES (41)");
            committed(config(p, "jdbc", List.of("id")));

            UnloadStandInDriver.ENCODINGS_USED.clear();
            UnloadStandInDriver.STATEMENTS.clear();
            TableReport day2 = committed(config(p, "unload", List.of("id")));
            assertThat(new long[] {day2.snapshotRows, day2.inserted, day2.updated, day2.deleted}).containsExactly(41, 0, 0, 0);
            assertThat(UnloadStandInDriver.STATEMENTS).singleElement().satisfies(sql -> assertThat(sql)
                    .startsWith("UNLOAD ('SELECT \"id\", \"s\", ")
                    .contains("\"ttz\", \"we''ird \"\"col\"\"\", CASE WHEN \"id\" IS NULL OR \"id\" < 9 THEN 0 ")
                    .contains(" ELSE 4 END AS \"__snapsync_split\" FROM \"public\".\"t\"') TO '" + prefix() + "/t/" + day2.runId + "/' IAM_ROLE '" + ROLE
                            + "' FORMAT AS PARQUET MANIFEST VERBOSE PARTITION BY (\"__snapsync_split\")"));
            try (Statement s = p.source.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM t WHERE false")) {
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Column c = TypeMapping.map(md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i), md.getScale(i), true);
                    assertThat(UnloadStandInDriver.ENCODINGS_USED.get(c.name())).as("encodings of %s", c.name())
                            .containsExactlyInAnyOrderElementsOf(UnloadParquetEncodings.forColumn(c).stream().map(UnloadParquetEncodings.Encoding::describe).toList());
                }
            }

            exec(p.source, "UPDATE t SET tx = 'changed' WHERE id % 10 = 0");
            exec(p.source, "DELETE FROM t WHERE id = 7");
            TableReport day3 = committed(config(p, "unload", List.of("id")));
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, 4, 1);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            // and back to JDBC: nothing to do
            TableReport day4 = committed(config(p, "jdbc", List.of("id")));
            assertThat(new long[] {day4.inserted, day4.updated, day4.deleted}).containsExactly(0, 0, 0);
        }
    }

    /**
     * A CHAR(n) first key is not bucketed (Redshift's padded comparison), but its order is proven: the UNLOAD writes the
     * table whole, one bucket sorted externally (spilling with max-bucket-mb 0), and the run takes the ordered diff, so a
     * base plus change layers written by the ordered diff of JDBC runs is read as it is (no live target) and the days
     * after keep writing sorted versions; the run files are gone after each run.
     */
    @Test
    void aCharFirstKeyIsUnloadedWholeAsOneSortedBucketAndReadsALayeredVersion() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp); io.snapsync.testing.SortLog log = io.snapsync.testing.SortLog.capture()) {
            p.both("CREATE TABLE public.t (id char(8) PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT 'k' || i, 'v' || i FROM generate_series(1, 2000) i");
            committed(config(p, "jdbc", List.of("id")));
            PgPair.update(p.source, "UPDATE t SET v = 'x' WHERE id LIKE 'k1%'");
            PgPair.update(p.source, "DELETE FROM t WHERE id LIKE 'k2%'");
            TableReport day2 = committed(config(p, "jdbc", List.of("id")));
            assertThat(manifest(p, day2.cacheVersion).isLayered()).as("the ordered diff of range splits on a text key").isTrue();

            PgPair.update(p.source, "UPDATE t SET v = 'y' WHERE id LIKE 'k3%'");
            long changed = scalar(p.source, "SELECT count(*) FROM t WHERE id LIKE 'k3%'");
            UnloadStandInDriver.STATEMENTS.clear();
            log.take();
            TableReport day3 = committed(config(p, "unload", List.of("id"), 0));
            assertThat(UnloadStandInDriver.STATEMENTS).singleElement().satisfies(sql -> assertThat(sql).doesNotContain("PARTITION BY"));
            assertThat(day3.keyedDiff).as("the ordered diff, not the keyed one").isNull();
            assertThat(day3.reconcile).as("the layered version read by the ordered diff").isNull();
            assertThat(day3.unloadSort).startsWith("one bucket, the whole table (not in key-range buckets: the first key column \"id\" is ")
                    .contains("a CHAR(n) key's bytes as Redshift compares them").contains("estimated above source.unload.max-bucket-mb (64 KB), sorted through run files");
            List<io.snapsync.testing.SortLog.Spill> spills = log.take();
            assertThat(spills).singleElement().satisfies(b -> {
                assertThat(b.bucket()).isZero();
                assertThat(b.rows()).isEqualTo(scalar(p.source, "SELECT count(*) FROM t"));
                assertThat(b.runs()).isGreaterThan(1);
            });
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, changed, 0);
            assertThat(manifest(p, day3.cacheVersion).isSorted()).isTrue();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(runFiles(spills)).isEmpty();
            PgPair.update(p.source, "DELETE FROM t WHERE id = 'k5'");
            exec(p.source, "INSERT INTO t VALUES ('a', 'first'), ('zz', 'last')");
            TableReport day4 = committed(config(p, "unload", List.of("id"), 0));
            assertThat(day4.keyedDiff).isNull();
            assertThat(new long[] {day4.inserted, day4.updated, day4.deleted}).containsExactly(2, 0, 1);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(log.take()).singleElement();
            // in memory (the default budget): no run file, the same answer
            TableReport day5 = committed(config(p, "unload", List.of("id")));
            assertThat(day5.unloadSort).endsWith("sorted in memory");
            assertThat(new long[] {day5.inserted, day5.updated, day5.deleted}).containsExactly(0, 0, 0);
            assertThat(log.take()).as("sorted in memory").isEmpty();
            assertThat(runFiles(spills)).isEmpty();
            assertThat(Unloads.leftovers(prefix(), "t", null)).isEmpty();
        }
    }

    /**
     * A boolean first key (two values: never bucketed) takes the ordered diff too, the whole table one bucket whose sort
     * spills, over several days; a JDBC day after it (one split, the ordered diff) finds nothing to do.
     */
    @Test
    void aBooleanFirstKeyIsUnloadedWholeAndTakesTheOrderedDiffOverSeveralDays() throws Exception {
        UnloadStandInDriver.rowsPerFile = 300;
        List<String> key = List.of("b", "id");
        try (PgPair p = new PgPair(pg, pg, tmp); io.snapsync.testing.SortLog log = io.snapsync.testing.SortLog.capture()) {
            p.both("CREATE TABLE public.t (b boolean, id integer, v text, PRIMARY KEY (b, id))");
            exec(p.source, "INSERT INTO t SELECT i % 3 = 0, i, 'v' || i FROM generate_series(1, 3000) i");
            TableReport day1 = committed(config(p, "unload", key, 0));
            assertThat(day1.keyedDiff).isNull();
            assertThat(day1.unloadSort).contains("the first key column \"b\" is boolean");
            List<io.snapsync.testing.SortLog.Spill> spills = log.take();
            assertThat(spills).singleElement().satisfies(b -> assertThat(b.runs()).isGreaterThan(1));
            assertThat(runFiles(spills)).isEmpty();
            assertThat(manifest(p, day1.cacheVersion).isSorted()).isTrue();
            assertThat(rows(p.target, "t", "b, id")).isEqualTo(rows(p.source, "t", "b, id"));
            for (int day = 2; day <= 4; day++) {
                long updated = PgPair.update(p.source, "UPDATE t SET v = 'd" + day + "' WHERE id % 97 = " + day + " AND id % 89 <> " + day);
                long deleted = PgPair.update(p.source, "DELETE FROM t WHERE id % 89 = " + day);
                exec(p.source, "INSERT INTO t SELECT i % 2 = 0, i, 'new' FROM generate_series(" + (3000 + day * 10) + ", " + (3004 + day * 10) + ") i");
                TableReport r = committed(config(p, "unload", key, 0));
                assertThat(r.keyedDiff).as("day %s", day).isNull();
                assertThat(new long[] {r.inserted, r.updated, r.deleted}).as("day %s", day).containsExactly(5, updated, deleted);
                assertThat(rows(p.target, "t", "b, id")).as("day %s", day).isEqualTo(rows(p.source, "t", "b, id"));
                assertThat(log.take()).as("day %s", day).singleElement();
                assertThat(runFiles(spills)).isEmpty();
            }
            TableReport jdbc = committed(config(p, "jdbc", key));
            assertThat(jdbc.keyedDiff).isNull();
            assertThat(new long[] {jdbc.inserted, jdbc.updated, jdbc.deleted}).containsExactly(0, 0, 0);
        }
    }

    /**
     * A jsonb (Redshift: SUPER) first key: ordered by its text but never bucketed, so the table is unloaded whole as one
     * bucket sorted externally and takes the ordered diff, day after day, spilling or not; JDBC then sees no change.
     */
    @Test
    void aJsonbFirstKeyIsUnloadedWholeAndTakesTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 250;
        List<String> key = List.of("j");
        try (PgPair p = new PgPair(pg, pg, tmp); io.snapsync.testing.SortLog log = io.snapsync.testing.SortLog.capture()) {
            p.both("CREATE TABLE public.t (j jsonb PRIMARY KEY, v text)");
            // keys whose text order differs from jsonb's own (numbers by value, objects by size), and non-ASCII text
            exec(p.source, "INSERT INTO t SELECT CASE i % 3 WHEN 0 THEN to_jsonb(i) WHEN 1 THEN jsonb_build_object('k', i, 'é', 'ü' || i) "
                    + "ELSE jsonb_build_array(i, 'x') END, 'v' || i FROM generate_series(1, 2000) i");
            TableReport day1 = committed(config(p, "unload", key, 0));
            assertThat(day1.keyedDiff).isNull();
            assertThat(day1.unloadSort).isNotNull();
            assertThat(runFiles(log.take())).isEmpty();
            assertThat(manifest(p, day1.cacheVersion).isSorted()).isTrue();
            assertThat(rows(p.target, "t", "j::text COLLATE \"C\"")).isEqualTo(rows(p.source, "t", "j::text COLLATE \"C\""));
            for (int day = 2; day <= 3; day++) {
                long updated = PgPair.update(p.source, "UPDATE t SET v = 'd" + day + "' WHERE v::text LIKE '%" + day + "7'");
                long deleted = PgPair.update(p.source, "DELETE FROM t WHERE v LIKE '%" + day + "3'");
                exec(p.source, "INSERT INTO t SELECT to_jsonb('new ' || i), 'n' FROM generate_series(" + day * 10 + ", " + (day * 10 + 4) + ") i");
                TableReport r = committed(config(p, "unload", key, day == 2 ? 0 : 256));
                assertThat(r.keyedDiff).as("day %s", day).isNull();
                assertThat(new long[] {r.inserted, r.updated, r.deleted}).as("day %s", day).containsExactly(5, updated, deleted);
                assertThat(rows(p.target, "t", "j::text COLLATE \"C\"")).as("day %s", day)
                        .isEqualTo(rows(p.source, "t", "j::text COLLATE \"C\""));
                log.take();
            }
            TableReport jdbc = committed(config(p, "jdbc", key));
            assertThat(jdbc.keyedDiff).isNull();
            assertThat(new long[] {jdbc.inserted, jdbc.updated, jdbc.deleted}).containsExactly(0, 0, 0);
        }
    }

    /**
     * An integer key: the UNLOAD writes the JDBC path's range splits into one folder each (PARTITION BY), each split's
     * files (several, their rows in reverse key order) are sorted in memory and merged with the sorted cache's same
     * range: day 2 writes a change layer, as the ordered JDBC path does, and switching to JDBC and back changes nothing.
     */
    @Test
    void bucketedUnloadTakesTheOrderedDiffAndDayTwoWritesAChangeLayer() throws Exception {
        UnloadStandInDriver.rowsPerFile = 40;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
            UnloadStandInDriver.STATEMENTS.clear();
            TableReport day1 = committed(config(p, "unload", List.of("id")));
            assertThat(day1.keyedDiff).isNull();
            assertThat(UnloadStandInDriver.STATEMENTS).singleElement().satisfies(sql -> assertThat(sql)
                    .contains("\"v\", CASE WHEN \"id\" IS NULL OR \"id\" < 601 THEN 0 WHEN \"id\" < 1201 THEN 1 WHEN \"id\" < 1801 THEN 2 "
                            + "WHEN \"id\" < 2401 THEN 3 ELSE 4 END AS \"__snapsync_split\" FROM \"public\".\"t\"')")
                    .endsWith("FORMAT AS PARQUET MANIFEST VERBOSE PARTITION BY (\"__snapsync_split\")"));
            assertThat(manifest(p, day1.cacheVersion).isSorted()).as("written by the ordered diff").isTrue();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            PgPair.update(p.source, "UPDATE t SET v = 'x' WHERE id % 100 = 0");
            PgPair.update(p.source, "DELETE FROM t WHERE id % 250 = 1");
            exec(p.source, "INSERT INTO t SELECT i, 'new' FROM generate_series(3001, 3010) i");
            TableReport day2 = committed(config(p, "unload", List.of("id")));
            assertThat(day2.keyedDiff).isNull();
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(10, 30, 12);
            io.snapsync.cache.CacheManifest m2 = manifest(p, day2.cacheVersion);
            assertThat(m2.isLayered()).as("a change layer over day 1's sorted base, not a full base").isTrue();
            assertThat(m2.isSorted()).isTrue();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            TableReport day3 = committed(config(p, "jdbc", List.of("id")));
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, 0, 0);
            TableReport day4 = committed(config(p, "unload", List.of("id")));
            assertThat(new long[] {day4.inserted, day4.updated, day4.deleted}).containsExactly(0, 0, 0);
            assertThat(Unloads.leftovers(prefix(), "t", null)).as("unloaded files left").isEmpty();

            // reconcile reads the live target in the UNLOAD buckets' ranges
            PgPair.update(p.target, "UPDATE t SET v = 'drift' WHERE id IN (5, 2999)");
            TableReport rec = new SyncRunner(config(p, "unload", List.of("id"))).reconcile(true).run(null).tables.get(0);
            assertThat(rec.status).as("error: %s", rec.error).isEqualTo("committed");
            assertThat(new long[] {rec.inserted, rec.updated, rec.deleted}).containsExactly(0, 2, 0);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }

    static final java.util.concurrent.atomic.AtomicBoolean FAIL_READ = new java.util.concurrent.atomic.AtomicBoolean();
    /** Fails the first bucket to reach {@link io.snapsync.fault.CommitHook#AFTER_ROWS} emitted rows, once. */
    static final io.snapsync.fault.CommitHook FAIL_ONE_READ = point -> {
        if (point == io.snapsync.fault.CommitHook.Point.SOURCE_READ && FAIL_READ.compareAndSet(true, false)) {
            throw new IllegalStateException("injected failure at " + point);
        }
    };

    /**
     * A failure while the UNLOAD buckets are read, part of a bucket already merged downstream (the in-process stand-in
     * for a kill there: KillTest's separate JVM has no UNLOAD stand-in nor S3 server): without task retries the run fails
     * with the target, the committed cache and the control row as they were, and the next run converges with the exact
     * counts; with retries the failed task's rows are discarded and the run commits exact counts, its cache complete.
     */
    @Test
    void aFailureWhileReadingTheBucketsLeavesTheTargetAsItWasAndTheNextRunConverges() throws Exception {
        UnloadStandInDriver.rowsPerFile = 40;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
            SyncConfig unload = config(p, "unload", List.of("id"));
            java.util.function.IntFunction<SyncConfig> withRestarts = n -> new SyncConfig(unload.source(), unload.target(), unload.cache(),
                    new SyncConfig.Job(2, 4, n, 1.0, 1.0), unload.tables());
            assertThat(committed(unload).keyedDiff).isNull();
            List<String> day1 = rows(p.target, "t", "id");
            List<String> cache = PgPair.manifests(p.cache);
            String control = rows(p.target, "snapsync.sync_state", "table_name").toString();

            PgPair.update(p.source, "UPDATE t SET v = 'x' WHERE id % 100 = 0");
            PgPair.update(p.source, "DELETE FROM t WHERE id % 250 = 1");
            exec(p.source, "INSERT INTO t SELECT i, 'new' FROM generate_series(3001, 3010) i");
            FAIL_READ.set(true);
            TableReport failed = new SyncRunner(withRestarts.apply(0), FAIL_ONE_READ, false).run(null).tables.get(0);
            assertThat(FAIL_READ.get()).as("a bucket reached the hook").isFalse();
            assertThat(failed.keyedDiff).as("the bucketed ordered diff, whose bucket source has the hook").isNull();
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.error).contains("injected failure at SOURCE_READ");
            assertThat(rows(p.target, "t", "id")).isEqualTo(day1);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
            assertThat(rows(p.target, "snapsync.sync_state", "table_name").toString()).isEqualTo(control);

            TableReport rerun = committed(unload);
            assertThat(new long[] {rerun.inserted, rerun.updated, rerun.deleted}).containsExactly(10, 30, 12);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();

            PgPair.update(p.source, "UPDATE t SET v = 'y' WHERE id % 100 = 7");
            FAIL_READ.set(true);
            TableReport retried = new SyncRunner(withRestarts.apply(2), FAIL_ONE_READ, false).run(null).tables.get(0);
            assertThat(FAIL_READ.get()).as("a bucket reached the hook").isFalse();
            assertThat(retried.status).as("error: %s", retried.error).isEqualTo("committed");
            assertThat(new long[] {retried.inserted, retried.updated, retried.deleted}).containsExactly(0, 31, 0);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            TableReport idle = committed(unload);
            assertThat(new long[] {idle.inserted, idle.updated, idle.deleted}).as("the retried run's cache is complete and exact")
                    .containsExactly(0, 0, 0);
            assertThat(Unloads.leftovers(prefix(), "t", null)).as("unloaded files left").isEmpty();
        } finally {
            FAIL_READ.set(false);
        }
    }

    /**
     * Bytes and a boolean after an integer: bucketed on the integer, each bucket sorted in memory by row.KeyOrder (bytes
     * unsigned with a prefix first, false before true), merged by the ordered diff; a JDBC day after it finds no change.
     */
    @Test
    void anIntegerThenBytesAndBooleanKeyIsBucketedAndTakesTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 40;
        List<String> key = List.of("id", "h", "b");
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer, h bytea, b boolean, v text, PRIMARY KEY (id, h, b))");
            exec(p.source, "INSERT INTO t SELECT i / 4, decode(substr(md5(i::text), 1, 2 + i % 3 * 2), 'hex'), i % 2 = 0, 'v' || i "
                    + "FROM generate_series(1, 2000) i");
            exec(p.source, "INSERT INTO t VALUES (7, '\\x'::bytea, false, 'e'), (7, '\\x00'::bytea, true, 'e'), (7, '\\x80'::bytea, true, 'e'), "
                    + "(7, '\\xff'::bytea, false, 'e'), (7, '\\xff00'::bytea, false, 'e') ON CONFLICT DO NOTHING");
            TableReport day1 = committed(config(p, "unload", key));
            assertThat(day1.keyedDiff).isNull();
            assertThat(manifest(p, day1.cacheVersion).isSorted()).isTrue();
            assertThat(rows(p.target, "t", "id, h, b")).isEqualTo(rows(p.source, "t", "id, h, b"));

            long updated = scalar(p.source, "SELECT count(*) FROM t WHERE id % 50 = 7 AND id % 75 <> 1");
            long deleted = scalar(p.source, "SELECT count(*) FROM t WHERE id % 75 = 1");
            PgPair.update(p.source, "UPDATE t SET v = 'x' WHERE id % 50 = 7");
            PgPair.update(p.source, "DELETE FROM t WHERE id % 75 = 1");
            TableReport day2 = committed(config(p, "unload", key));
            assertThat(day2.keyedDiff).isNull();
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(0, updated, deleted);
            assertThat(manifest(p, day2.cacheVersion).isLayered()).isTrue();
            assertThat(rows(p.target, "t", "id, h, b")).isEqualTo(rows(p.source, "t", "id, h, b"));
            TableReport day3 = committed(config(p, "jdbc", key));
            assertThat(day3.keyedDiff).as("JDBC: range splits on id, the ordered diff").isNull();
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, 0, 0);
        }
    }

    /** A date first key column: the CASE's bounds are cast literals Java prints from the dates' numbers. */
    @Test
    void aDateFirstKeyColumnIsBucketedToo() throws Exception {
        UnloadStandInDriver.rowsPerFile = 25;
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (d date, id integer, v text, PRIMARY KEY (d, id))");
            exec(p.source, "INSERT INTO t SELECT date '2020-01-01' + i, j, 'v' || i || '/' || j FROM generate_series(0, 399) i, generate_series(1, 3) j");
            UnloadStandInDriver.STATEMENTS.clear();
            TableReport day1 = committed(config(p, "unload", List.of("d", "id")));
            assertThat(day1.keyedDiff).isNull();
            assertThat(UnloadStandInDriver.STATEMENTS).singleElement().satisfies(sql -> assertThat(sql)
                    .contains("CASE WHEN \"d\" IS NULL OR \"d\" < CAST(''2020-03-21'' AS DATE) THEN 0 WHEN \"d\" < CAST(''2020-06-09'' AS DATE) THEN 1 "));
            PgPair.update(p.source, "UPDATE t SET v = 'x' WHERE id = 2 AND d < date '2020-02-01'");
            PgPair.update(p.source, "DELETE FROM t WHERE d = date '2020-03-21'");
            TableReport day2 = committed(config(p, "unload", List.of("d", "id")));
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(0, 31, 3);
            assertThat(manifest(p, day2.cacheVersion).isLayered()).isTrue();
            assertThat(rows(p.target, "t", "d, id")).isEqualTo(rows(p.source, "t", "d, id"));
            TableReport day3 = committed(config(p, "jdbc", List.of("d", "id")));
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, 0, 0);
        }
    }

    /**
     * A bucket larger than source.unload.max-bucket-mb (0 here: the smallest budget, 64 KB) is sorted through run files
     * in the job's spill directory instead of taking the keyed diff: every day takes the ordered diff (day 2 a change
     * layer), the counts are exact, the target equals the source, each bucket's spill is logged, and no run file is
     * left after a run. Back under the budget nothing spills and nothing changes.
     */
    @Test
    void aBucketLargerThanTheBudgetSpillsAndStillTakesTheOrderedDiff() throws Exception {
        UnloadStandInDriver.rowsPerFile = 500;
        try (PgPair p = new PgPair(pg, pg, tmp); io.snapsync.testing.SortLog log = io.snapsync.testing.SortLog.capture()) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 20000) i");
            log.take();
            TableReport day1 = committed(config(p, "unload", List.of("id"), 0));
            assertThat(day1.keyedDiff).isNull();
            assertThat(day1.unloadSort).contains("key-range buckets estimated above source.unload.max-bucket-mb (64 KB), sorted through run files");
            List<io.snapsync.testing.SortLog.Spill> spills = log.take();
            assertThat(spills).hasSizeGreaterThan(1).allSatisfy(b -> assertThat(b.runs()).isGreaterThan(1));
            assertThat(spills.stream().mapToLong(io.snapsync.testing.SortLog.Spill::rows).sum()).isEqualTo(20000);
            assertThat(manifest(p, day1.cacheVersion).isSorted()).isTrue();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(runFiles(spills)).isEmpty();

            for (int day = 2; day <= 3; day++) {
                long updated = PgPair.update(p.source, "UPDATE t SET v = 'd" + day + "' WHERE id % 100 = " + day + " AND id % 250 <> " + day);
                long deleted = PgPair.update(p.source, "DELETE FROM t WHERE id % 250 = " + day);
                exec(p.source, "INSERT INTO t SELECT i, 'new' FROM generate_series(" + (20000 + day * 10) + ", " + (20009 + day * 10) + ") i");
                TableReport r = committed(config(p, "unload", List.of("id"), 0));
                assertThat(r.keyedDiff).as("day %s", day).isNull();
                assertThat(r.reconcile).as("day %s", day).isNull();
                assertThat(new long[] {r.inserted, r.updated, r.deleted}).as("day %s", day).containsExactly(10, updated, deleted);
                if (day == 2) {
                    assertThat(manifest(p, r.cacheVersion).isLayered()).as("a change layer over day 1's sorted base").isTrue();
                }
                List<io.snapsync.testing.SortLog.Spill> daySpills = log.take();
                assertThat(daySpills).as("day %s", day).isNotEmpty();
                assertThat(rows(p.target, "t", "id")).as("day %s", day).isEqualTo(rows(p.source, "t", "id"));
                assertThat(runFiles(daySpills)).isEmpty();
            }
            TableReport inMemory = committed(config(p, "unload", List.of("id"), null));
            assertThat(inMemory.unloadSort).isNull();
            assertThat(log.take()).as("nothing spilled").isEmpty();
            assertThat(new long[] {inMemory.inserted, inMemory.updated, inMemory.deleted}).containsExactly(0, 0, 0);
            TableReport jdbc = committed(config(p, "jdbc", List.of("id")));
            assertThat(new long[] {jdbc.inserted, jdbc.updated, jdbc.deleted}).containsExactly(0, 0, 0);
            assertThat(Unloads.leftovers(prefix(), "t", null)).isEmpty();
        }
    }

    /**
     * Duplicate keys in a keyless source whose bucket spills: the copies lie far apart in UNLOAD's files (appended to
     * the table, written first by the stand-in's reversed slices), so they land in different run files; the merge of
     * the runs brings them together and the duplicate-key check fails the table, touching nothing, as in memory.
     */
    @Test
    void duplicateKeysInDifferentRunsStillFailTheTable() throws Exception {
        UnloadStandInDriver.rowsPerFile = 500;
        try (PgPair p = new PgPair(pg, pg, tmp); io.snapsync.testing.SortLog log = io.snapsync.testing.SortLog.capture()) {
            exec(p.source, "CREATE TABLE public.t (id integer, v text)"); // no primary key, as in Redshift
            exec(p.target, "CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 8000) i");
            committed(config(p, "unload", List.of("id"), 0));
            List<String> before = rows(p.target, "t", "id");
            exec(p.source, "INSERT INTO t VALUES (7, 'dup'), (3999, 'dup'), (3999, 'third')");
            log.take();
            TableReport r = run(config(p, "unload", List.of("id"), 0));
            assertThat(log.take()).as("the buckets spilled").isNotEmpty().allSatisfy(b -> assertThat(b.runs()).isGreaterThan(1));
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).contains("2 primary key(s) occur more than once in the source snapshot")
                    .contains("(id=3999) x3").contains("(id=7) x2").endsWith("nothing applied");
            assertThat(rows(p.target, "t", "id")).isEqualTo(before);
        }
    }

    @Test
    void aFileWhoseSplitCannotBeDeterminedFailsBeforeTheTargetIsTouched() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 20) i");
            committed(config(p, "unload", List.of("id")));
            exec(p.source, "UPDATE t SET v = 'changed' WHERE id < 5");
            List<String> before = rows(p.target, "t", "id");
            List<String> cache = PgPair.manifests(p.cache);
            UnloadStandInDriver.tamperNextManifest = m -> m.replaceFirst("__snapsync_split=0/", "__snapsync_split=7/");
            try {
                TableReport r = run(config(p, "unload", List.of("id")));
                assertThat(r.status).isEqualTo("failed");
                assertThat(r.error).matches("UNLOAD file s3://" + s3.bucket() + "/unload/t/" + r.runId
                        + "/__snapsync_split=7/0000_part_00\\.parquet is in partition __snapsync_split=7, not one of the 5 key-range splits; nothing applied");

                // a manifest that leaves a partition's file out (its counts made consistent): the docs do not promise it
                // lists every folder's files, so the file found beside it fails the run rather than losing its rows
                UnloadStandInDriver.tamperNextManifest = m -> {
                    Matcher e = Pattern.compile("\\{\"url\":\"[^\"]*\", \"meta\": \\{ \"content_length\": \\d+, \"record_count\": (\\d+) }},\n    ")
                            .matcher(m);
                    assertThat(e.find()).isTrue();
                    String without = m.substring(0, e.start()) + m.substring(e.end());
                    Matcher t = Pattern.compile("\"record_count\": (\\d+)\n  }").matcher(without);
                    assertThat(t.find()).isTrue();
                    return without.substring(0, t.start(1)) + (Long.parseLong(t.group(1)) - Long.parseLong(e.group(1))) + without.substring(t.end(1));
                };
                TableReport omitted = run(config(p, "unload", List.of("id")));
                assertThat(omitted.status).isEqualTo("failed");
                assertThat(omitted.error).isEqualTo("UNLOAD wrote s3://" + s3.bucket() + "/unload/t/" + omitted.runId
                        + "/__snapsync_split=0/0000_part_00.parquet, which its manifest does not list; nothing applied");
            } finally {
                UnloadStandInDriver.tamperNextManifest = null;
            }
            assertThat(rows(p.target, "t", "id")).isEqualTo(before);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
            assertThat(Unloads.leftovers(prefix(), "t", null)).isEmpty();
        }
    }

    /** Duplicate keys inside a bucket: reported exactly as the ordered JDBC read reports them, and kept-one alike. */
    @Test
    void duplicateKeysInABucketAreReportedAsTheOrderedJdbcPathReportsThem() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            exec(p.source, "CREATE TABLE public.t (id integer, v text)");
            exec(p.target, "CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 50) i");
            exec(p.source, "INSERT INTO t VALUES (7, 'again'), (7, 'thrice'), (42, 'twice')");
            TableReport jdbc = run(config(p, "jdbc", List.of("id")));
            TableReport unload = run(config(p, "unload", List.of("id")));
            assertThat(jdbc.status).isEqualTo("failed");
            assertThat(unload.status).isEqualTo("failed");
            assertThat(unload.error).isEqualTo(jdbc.error).contains("occur more than once");

            SyncConfig keepOne = config(p, "unload", List.of("id"));
            keepOne = new SyncConfig(keepOne.source(), keepOne.target(), keepOne.cache(), keepOne.job(),
                    List.of(keepOne.tables().get(0).with("on-duplicate-key", "keep-one")));
            TableReport kept = committed(keepOne);
            assertThat(kept.keyedDiff).isNull();
            assertThat(kept.duplicateKeys).isEqualTo(2);
            SyncConfig keepOneJdbc = config(p, "jdbc", List.of("id"));
            keepOneJdbc = new SyncConfig(keepOneJdbc.source(), keepOneJdbc.target(), keepOneJdbc.cache(), keepOneJdbc.job(),
                    List.of(keepOneJdbc.tables().get(0).with("on-duplicate-key", "keep-one")));
            TableReport again = committed(keepOneJdbc);
            assertThat(new long[] {again.inserted, again.updated, again.deleted}).as("JDBC keeps the same rows").containsExactly(0, 0, 0);
        }
    }

    private static io.snapsync.cache.CacheManifest manifest(PgPair p, String version) throws Exception {
        return io.snapsync.cache.CacheManifest.read(new org.apache.flink.core.fs.Path(p.cache.resolve("t/v-" + version + "/_manifest.json").toUri()));
    }

    @Test
    void aManifestWhoseCountsDisagreeFailsBeforeTheTargetIsTouched() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 20) i");
            UnloadStandInDriver.rowsPerFile = 3;
            try {
                committed(config(p, "unload", List.of("id")));
                exec(p.source, "UPDATE t SET v = 'changed' WHERE id < 5");
                List<String> before = rows(p.target, "t", "id");
                List<String> cache = PgPair.manifests(p.cache);

                // one file's record_count and the total both one higher: only reading the file can tell
                UnloadStandInDriver.tamperNextManifest = m -> bump(bump(m, "\"record_count\": (\\d+) }}"), "\"record_count\": (\\d+)\n  }");
                TableReport perFile = run(config(p, "unload", List.of("id")));
                assertThat(perFile.status).isEqualTo("failed");
                assertThat(perFile.error).matches("UNLOAD file s3://" + s3.bucket() + "/unload/t/" + perFile.runId
                        + "/__snapsync_split=0/0000_part_00\\.parquet has 1 rows but the manifest says 2; nothing applied");

                // the total disagrees with the files' counts: refused when the plan reads the manifest
                UnloadStandInDriver.tamperNextManifest = m -> bump(m, "\"record_count\": (\\d+)\n  }");
                TableReport total = run(config(p, "unload", List.of("id")));
                assertThat(total.status).isEqualTo("failed");
                assertThat(total.error).contains("says 21 rows in total but its files' record_count add up to 20; nothing applied");

                assertThat(rows(p.target, "t", "id")).isEqualTo(before);
                assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
                assertThat(Unloads.leftovers(prefix(), "t", null)).as("a failed run removes its unloaded files").isEmpty();
                TableReport ok = committed(config(p, "unload", List.of("id")));
                assertThat(ok.updated).isEqualTo(4);
            } finally {
                UnloadStandInDriver.tamperNextManifest = null;
            }
        }
    }

    @Test
    void unloadedTablesAreReadOneAtATimeWithConcurrentTablesOne() throws Exception {
        UnloadStandInDriver.rowsPerFile = 10;
        try (PgPair p = new PgPair(pg, pg, tmp); GateLog gate = GateLog.capture()) {
            List<String> names = List.of("u1", "u2", "u3");
            List<SyncConfig.Table> tables = new java.util.ArrayList<>();
            for (String t : names) {
                p.both("CREATE TABLE public." + t + " (id integer PRIMARY KEY, v text)");
                exec(p.source, "INSERT INTO " + t + " SELECT i, md5(i::text) FROM generate_series(1, 95) i");
                tables.add(new SyncConfig.Table(t, "public." + t, "public." + t, List.of("id"), null, null, null));
            }
            SyncConfig one = config(p, "unload", List.of("id"));
            SyncConfig config = new SyncConfig(one.source(), one.target(), one.cache(), one.job().withConcurrentTables(1), tables);

            io.snapsync.run.RunReport r = new SyncRunner(config).run(null);
            assertThat(r.tables).extracting(t -> t.status).as("%s", r.tables.stream().map(t -> t.error).toList())
                    .containsOnly("committed");
            for (String t : names) {
                assertThat(rows(p.target, t, "id")).as(t).isEqualTo(rows(p.source, t, "id"));
            }
            // 10 files per table through the FileSource, each table's read begun and ended once, one at a time
            assertThat(GateLog.reads(gate.text())).isEqualTo(Map.of("u1", "1/1", "u2", "1/1", "u3", "1/1"));
            assertThat(GateLog.tablesReadingAtOnce(gate.text())).isEqualTo(1);
        }
    }

    @Test
    void filesOfACrashedRunAreShownByStatusAndRemovedByTheNextRun() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 10) i");
            SyncConfig config = config(p, "unload", List.of("id"));
            committed(config);
            // what a run killed between its UNLOAD and its commit leaves behind
            org.apache.flink.core.fs.Path dead = new org.apache.flink.core.fs.Path(prefix() + "/t/20200101T000000Z-dead00/0000_part_00.parquet");
            try (OutputStream out = dead.getFileSystem().create(dead, FileSystem.WriteMode.OVERWRITE)) {
                out.write(new byte[] {1, 2, 3});
            }
            Path yaml = tmp.resolve("snapsync.yaml");
            Files.writeString(yaml, """
                    source:
                      url: "%s?%s"
                      user: postgres
                      driver: %s
                      extract: unload
                      unload: { prefix: "%s", iam-role: "%s" }
                    target: { url: "%s", user: postgres }
                    cache: { uri: "%s", s3: { endpoint: "%s", path-style-access: true, access-key: "%s", secret-key: "%s", region: %s } }
                    tables:
                      - { name: t, source: public.t, target: public.t, primary-key: [id] }
                    """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), UnloadStandInDriver.PARAM, UnloadStandInDriver.class.getName(), prefix(), ROLE,
                    p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region()));
            String status = stdout(() -> Main.run("status", "--config", yaml.toString()));
            assertThat(status).contains("unloaded files of runs [20200101T000000Z-dead00] under " + prefix() + "/t");

            assertThat(stdout(() -> Main.run("sync", "--config", yaml.toString()))).isNotNull();
            assertThat(Unloads.leftovers(prefix(), "t", null)).isEmpty();
            assertThat(stdout(() -> Main.run("status", "--config", yaml.toString()))).doesNotContain("unloaded files");
        }
    }

    @Test
    void typesUnloadCannotCarryAndBackslashesAreRefusedAtPlanTimeNamingTheWayOut() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, \"a\\b\" text)");
            exec(p.source, "INSERT INTO t VALUES (1, 'x')");
            UnloadStandInDriver.STATEMENTS.clear();
            TableReport r = run(config(p, "unload", List.of("id")));
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).isEqualTo("table public.t: column \"a\\b\" contains a backslash, which UNLOAD's query text treats as an "
                    + "escape character; set extract: jdbc for this table");
            assertThat(UnloadStandInDriver.STATEMENTS).isEmpty();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg%'")).isZero();
            committed(config(p, "jdbc", List.of("id"))); // the way out works
        }
    }

    @Test
    void anEncodingThatCannotBeReadFaithfullyIsRefusedAtPlanTimeAndItsFilesRemoved() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, d numeric(10,2))");
            exec(p.source, "INSERT INTO t SELECT i, i / 3.0 FROM generate_series(1, 10) i");
            UnloadStandInDriver.FORCED.put("d", UnloadParquetEncodings.simple("DOUBLE", org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE,
                    null, v -> ((java.math.BigDecimal) v).doubleValue()));
            try {
                TableReport r = run(config(p, "unload", List.of("id")));
                assertThat(r.status).isEqualTo("failed");
                assertThat(r.error).isEqualTo("table public.t: column \"d\" (numeric(10,2)) arrives from UNLOAD as Parquet DOUBLE, which "
                        + "cannot be read faithfully as numeric(10,2); set extract: jdbc for this table");
            } finally {
                UnloadStandInDriver.FORCED.clear();
            }
            assertThat(Unloads.leftovers(prefix(), "t", null)).isEmpty();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg%'")).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isZero();
        }
    }

    private static String bump(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("pattern %s in %s", regex, text).isTrue();
        return text.substring(0, m.start(1)) + (Long.parseLong(m.group(1)) + 1) + text.substring(m.end(1));
    }

    private static String stdout(java.util.concurrent.Callable<Integer> r) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(r.call()).as("exit code; output: %s", buf).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
