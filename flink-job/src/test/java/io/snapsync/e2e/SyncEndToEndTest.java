package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.cli.Main;
import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole daily sync on a real MiniCluster against real PostgreSQL: a source and a target that
 * the test sets up, three days of changes, target == source and exact counts after each run; the
 * PostgreSQL 14 (INSERT ... ON CONFLICT) path; and the command line with its report and exit codes.
 */
class SyncEndToEndTest extends EndToEndTestBase {
    static EmbeddedPostgres pg14;

    static final String DDL = "CREATE TABLE public.items (region text NOT NULL, id bigint NOT NULL, name varchar(40), "
            + "price numeric(12,2), qty integer, seen timestamptz, tags jsonb, blob bytea, PRIMARY KEY (region, id))";

    @BeforeAll
    static void startPostgres14() throws Exception {
        pg14 = EmbeddedPostgres.start(Paths.get(System.getProperty("snapsync.pg14.binaries", "target/pg-binaries/pg14-binaries.jar")));
    }

    @AfterAll
    static void stopPostgres14() {
        pg14.close();
    }

    private static void seed(PgPair p) throws Exception {
        exec(p.source, "INSERT INTO items SELECT (ARRAY['eu','us','jp'])[1 + i % 3], i, 'item ' || i, i * 1.25, i % 7, "
                + "timestamptz '2024-01-01 00:00+00' + i * interval '1 hour', jsonb_build_object('i', i), "
                + "CASE WHEN i % 5 = 0 THEN NULL ELSE decode(md5(i::text), 'hex') END FROM generate_series(1, 2000) i");
    }

    /** {inserted, updated, deleted} of a realistic day: value changes incl. to and from NULL, new and removed keys. */
    private static long[] changeSource(PgPair p, int day) throws Exception {
        exec(p.source, "DROP TABLE IF EXISTS before; CREATE TABLE before AS SELECT * FROM items");
        update(p.source, "UPDATE items SET price = price + 1 WHERE id % 50 = " + day);
        update(p.source, "UPDATE items SET name = NULL WHERE id % 97 = " + day + " AND name IS NOT NULL");
        update(p.source, "UPDATE items SET blob = '\\x00'::bytea WHERE blob IS NULL AND id % 45 = " + (day % 5) * 5);
        update(p.source, "UPDATE items SET qty = qty WHERE id % 13 = 0"); // rewrites rows without changing them
        update(p.source, "DELETE FROM items WHERE id % 111 = " + day);
        update(p.source, "INSERT INTO items SELECT 'new', i, 'new ' || i, NULL, NULL, NULL, NULL, NULL "
                + "FROM generate_series(" + day * 10000 + ", " + (day * 10000 + 37) + ") i");
        return truth(p);
    }

    /** The true change set, from the rows themselves: what the report must say. */
    static long[] truth(PgPair p) throws Exception {
        String join = " FROM items a FULL JOIN before b ON a.region = b.region AND a.id = b.id ";
        return new long[] {
            scalar(p.source, "SELECT count(*)" + join + "WHERE b.id IS NULL"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.id IS NOT NULL AND b.id IS NOT NULL AND a.* IS DISTINCT FROM b.*"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.id IS NULL")};
    }

    private static void assertSynced(PgPair p, TableReport r, long[] expected) throws Exception {
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
        assertThat(rows(p.target, "items", "region, id")).isEqualTo(rows(p.source, "items", "region, id"));
        assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(expected);
        assertThat(r.snapshotRows).isEqualTo(scalar(p.source, "SELECT count(*) FROM items"));
    }

    @Test
    void threeDaysOnPostgres17WithMerge() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            seed(p);
            SyncConfig config = p.config("items", List.of("region", "id"), 2);

            TableReport day1 = new SyncRunner(config).run(null).tables.get(0);
            assertSynced(p, day1, new long[] {2000, 0, 0});
            assertThat(day1.previousCacheVersion).isNull();

            for (int day = 2; day <= 3; day++) {
                long[] expected = changeSource(p, day);
                assertThat(expected[0] + expected[1] + expected[2]).isPositive();
                TableReport r = new SyncRunner(config).run(null).tables.get(0);
                assertSynced(p, r, expected);
                assertThat(r.appliedUpserts).isEqualTo(expected[0] + expected[1]);
                assertThat(r.appliedDeletes).isEqualTo(expected[2]);
            }

            // nothing changed: nothing to do, and the control row names the newest cache version
            TableReport idle = new SyncRunner(config).run(null).tables.get(0);
            assertSynced(p, idle, new long[] {0, 0, 0});
            try (var s = p.target.createStatement();
                 var rs = s.executeQuery("SELECT cache_version, row_count FROM snapsync.sync_state WHERE table_name = 'items'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(idle.cacheVersion);
                assertThat(rs.getLong(2)).isEqualTo(idle.snapshotRows);
            }
            assertThat(p.cache.resolve("items/v-" + idle.cacheVersion + "/_manifest.json")).exists();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history WHERE table_name = 'items'")).isEqualTo(4);
        }
    }

    @Test
    void postgres14TargetUsesOnConflict() throws Exception {
        try (PgPair p = new PgPair(pg, pg14, tmp.resolve("cache14"))) {
            assertThat(scalar(p.target, "SELECT current_setting('server_version_num')::int")).isBetween(140000L, 149999L);
            p.both(DDL);
            seed(p);
            SyncConfig config = p.config("items", List.of("region", "id"), 2);
            assertSynced(p, new SyncRunner(config).run(null).tables.get(0), new long[] {2000, 0, 0});
            long[] expected = changeSource(p, 2);
            assertSynced(p, new SyncRunner(config).run(null).tables.get(0), expected);
        }
    }

    @Test
    void commandLineSyncWritesTheReportAndFailsCleanly() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cachecli"))) {
            p.both(DDL);
            seed(p);
            Path config = tmp.resolve("snapsync.yaml");
            Files.writeString(config, """
                    source: { url: "%s", user: "${SNAPSYNC_TEST_USER:-postgres}" }
                    target: { url: "%s", user: postgres }
                    cache:  { uri: "%s" }
                    job:    { parallelism: 2 }
                    tables:
                      - { name: items, source: public.items, target: public.items, primary-key: [region, id] }
                    """.formatted(pg.getJdbcUrl(p.sourceDb), pg.getJdbcUrl(p.targetDb), p.cache.toUri()));
            Path report = tmp.resolve("report.json");

            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            JsonNode t = new ObjectMapper().readTree(report.toFile()).get("tables").get(0);
            assertThat(t.get("status").asText()).isEqualTo("committed");
            assertThat(t.get("snapshotRows").asLong()).isEqualTo(2000);
            assertThat(t.get("inserted").asLong()).isEqualTo(2000);

            long[] expected = changeSource(p, 2);
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            t = new ObjectMapper().readTree(report.toFile()).get("tables").get(0);
            assertThat(new long[] {t.get("inserted").asLong(), t.get("updated").asLong(), t.get("deleted").asLong()}).containsExactly(expected);
            assertThat(rows(p.target, "items", "region, id")).isEqualTo(rows(p.source, "items", "region, id"));

            // a broken config: exit 1, one specific line, target and control row untouched, no staging left
            List<String> before = rows(p.target, "items", "region, id");
            long controlBefore = scalar(p.target, "SELECT count(*) FROM snapsync.sync_history");
            Files.writeString(config, Files.readString(config).replace("source: public.items", "source: public.nope"));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true));
            int code;
            try {
                code = Main.run("sync", "--config", config.toString(), "--report", report.toString());
            } finally {
                System.setErr(old);
            }
            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("table items failed: source table public.nope does not exist");
            assertThat(new ObjectMapper().readTree(report.toFile()).get("tables").get(0).get("status").asText()).isEqualTo("failed");
            assertThat(rows(p.target, "items", "region, id")).isEqualTo(before);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history")).isEqualTo(controlBefore);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();

            // unknown config key: exit 2
            Files.writeString(config, Files.readString(config).replace("job:    { parallelism: 2 }", "job:    { paralellism: 2 }"));
            assertThat(Main.run("sync", "--config", config.toString())).isEqualTo(2);
        }
    }

    @Test
    void emptySplitsAndTextKeysReadEveryRowExactlyOnce() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cachesplits"))) {
            // sparse integer keys: most of the 5 range splits are empty
            p.both("CREATE TABLE public.sparse (id bigint PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO sparse VALUES (-9000000000000, 'a'), (1, 'b'), (2, 'c'), (9000000000000, 'd')");
            TableReport r = new SyncRunner(p.config("sparse", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(rows(p.target, "sparse", "id")).isEqualTo(rows(p.source, "sparse", "id"));

            // a text key: range splits over text
            p.both("CREATE TABLE public.words (w text PRIMARY KEY, n integer)");
            exec(p.source, "INSERT INTO words SELECT md5(i::text), i FROM generate_series(1, 1500) i");
            r = new SyncRunner(p.config("words", List.of("w"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.snapshotRows).isEqualTo(1500);
            assertThat(rows(p.target, "words", "w")).isEqualTo(rows(p.source, "words", "w"));

            // a jsonb key (hash-bucket splits and the keyed diff before it was ordered by its text): one split, the ordered diff
            p.both("CREATE TABLE public.jsons (f jsonb PRIMARY KEY, n integer)");
            exec(p.source, "INSERT INTO jsons SELECT to_jsonb(i / 7.0), i FROM generate_series(1, 1500) i");
            r = new SyncRunner(p.config("jsons", List.of("f"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.keyedDiff).isNull();
            assertThat(r.snapshotRows).isEqualTo(1500);
            assertThat(rows(p.target, "jsons", "f")).isEqualTo(rows(p.source, "jsons", "f"));

            // an empty source table
            p.both("CREATE TABLE public.nothing (id integer PRIMARY KEY)");
            r = new SyncRunner(p.config("nothing", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.snapshotRows).isZero();
        }
    }

    @Test
    void massDeleteIsRefusedBeforeTheTargetIsTouchedUnlessAllowed() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cacheguard"))) {
            p.both(DDL);
            seed(p);
            SyncConfig guarded = p.config("items", List.of("region", "id"), 2);
            guarded = new SyncConfig(guarded.source(), guarded.target(), guarded.cache(),
                    new SyncConfig.Job(2, 5, 0, null, null), guarded.tables()); // default guard: 10% deletes
            assertThat(new SyncRunner(guarded).run(null).tables.get(0).status).isEqualTo("committed");
            List<String> before = rows(p.target, "items", "region, id");
            String versionBefore = io.snapsync.e2e.PgPair.rows(p.target, "snapsync.sync_state", "table_name").get(0);

            update(p.source, "DELETE FROM items WHERE id % 2 = 0");
            TableReport refused = new SyncRunner(guarded).run(null).tables.get(0);
            assertThat(refused.status).isEqualTo("failed");
            assertThat(refused.error).contains("refusing to delete 1000 of 2000 rows (50.0%) of items");
            assertThat(rows(p.target, "items", "region, id")).isEqualTo(before);
            assertThat(io.snapsync.e2e.PgPair.rows(p.target, "snapsync.sync_state", "table_name").get(0)).isEqualTo(versionBefore);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();

            TableReport allowed = new SyncRunner(guarded, io.snapsync.fault.CommitHook.NONE, true).run(null).tables.get(0);
            assertThat(allowed.status).isEqualTo("committed");
            assertThat(allowed.deleted).isEqualTo(1000);
            assertThat(rows(p.target, "items", "region, id")).isEqualTo(rows(p.source, "items", "region, id"));
        }
    }

    @Test
    void leftoversOfDeadRunsAreCleanedAndOnlyTheNewestVersionsKept() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cacheleft"))) {
            p.both(DDL);
            seed(p);
            SyncConfig config = p.config("items", List.of("region", "id"), 2); // keep-versions: 2
            TableReport first = new SyncRunner(config).run(null).tables.get(0);
            assertThat(first.status).isEqualTo("committed");

            // what a run killed mid-way leaves: its staging table and a half-written cache version
            String dead = "20200101T000000Z-dead00";
            exec(p.target, "CREATE UNLOGGED TABLE snapsync." + io.snapsync.targetdb.StagingTables.name("items", dead, "u") + " (x int)");
            // a live run of another table whose name starts the same: its staging table is not this table's leftover
            String other = io.snapsync.targetdb.StagingTables.name("items_x", dead, "u");
            exec(p.target, "CREATE UNLOGGED TABLE snapsync." + other + " (x int)");
            Path deadVersion = p.cache.resolve("items/v-" + dead);
            Files.createDirectories(deadVersion);
            Files.writeString(deadVersion.resolve("part-0-a0.parquet"), "partial");

            List<String> versions = new java.util.ArrayList<>();
            versions.add(first.cacheVersion);
            for (int day = 2; day <= 4; day++) {
                changeSource(p, day);
                TableReport r = new SyncRunner(config).run(null).tables.get(0);
                assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
                versions.add(r.cacheVersion);
            }
            assertThat(deadVersion).doesNotExist();
            assertThat(rows(p.target, "(SELECT tablename FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%')", "1"))
                    .containsExactly("(" + other + ")");
            exec(p.target, "DROP TABLE snapsync." + other);
            // the two newest committed before the last run, plus the last run's own, plus the versions whose files the
            // last one's manifest references (the ordered diff's change layers reference the base of an older version)
            java.util.Set<String> kept = new java.util.TreeSet<>(List.of("v-" + versions.get(1), "v-" + versions.get(2), "v-" + versions.get(3)));
            io.snapsync.cache.CacheManifest.read(new org.apache.flink.core.fs.Path(p.cache.resolve("items/v-" + versions.get(3)
                    + "/_manifest.json").toUri())).referencedVersions().forEach(v -> kept.add("v-" + v));
            try (var dirs = Files.list(p.cache.resolve("items"))) {
                assertThat(dirs.map(d -> d.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(kept);
            }
            assertThat(rows(p.target, "items", "region, id")).isEqualTo(rows(p.source, "items", "region, id"));
        }
    }

    @Test
    void aMissingTargetIsCreatedFromTheSourceUnlessRequiredToExist() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cachecreate"))) {
            exec(p.source, DDL);
            seed(p);
            SyncConfig base = p.config("items", List.of("region", "id"), 2);
            SyncConfig.Table t = base.tables().get(0);
            SyncConfig required = new SyncConfig(base.source(), base.target(), base.cache(), base.job(), List.of(
                    new SyncConfig.Table(t.name(), t.source(), t.target(), t.primaryKey(), null, null, null, false)));
            TableReport refused = new SyncRunner(required).run(null).tables.get(0);
            assertThat(refused.status).isEqualTo("failed");
            assertThat(refused.error).isEqualTo("target table public.items does not exist (create-target is false)");

            TableReport created = new SyncRunner(base).run(null).tables.get(0);
            assertThat(created.status).as("error: %s", created.error).isEqualTo("committed");
            assertThat(rows(p.target, "items", "region, id")).isEqualTo(rows(p.source, "items", "region, id"));
            // same column types and primary key as the source
            String cols = "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' nn' ELSE '' END, ', ' ORDER BY attnum) "
                    + "FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attnum > 0";
            try (var a = p.source.createStatement(); var ra = a.executeQuery(cols);
                 var b = p.target.createStatement(); var rb = b.executeQuery(cols)) {
                ra.next();
                rb.next();
                assertThat(rb.getString(1)).isEqualTo(ra.getString(1));
            }
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_index WHERE indrelid = 'public.items'::regclass AND indisprimary")).isEqualTo(1);
        }
    }

    @Test
    void statusShowsTheLastCommittedRunAndLeftovers() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cachestatus"))) {
            p.both(DDL);
            seed(p);
            Path config = tmp.resolve("status.yaml");
            Files.writeString(config, """
                    source: { url: "%s", user: postgres }
                    target: { url: "%s", user: postgres }
                    cache:  { uri: "%s" }
                    tables:
                      - { name: items, source: public.items, target: public.items, primary-key: [region, id] }
                      - { name: other, source: public.items, target: public.items, primary-key: [region, id] }
                    """.formatted(pg.getJdbcUrl(p.sourceDb), pg.getJdbcUrl(p.targetDb), p.cache.toUri()));
            assertThat(Main.run("sync", "--config", config.toString(), "--table", "items")).isZero();
            exec(p.target, "CREATE UNLOGGED TABLE snapsync." + io.snapsync.targetdb.StagingTables.name("items", "20200101T000000Z-dead00", "d") + " (x int)");

            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            PrintStream old = System.out;
            System.setOut(new PrintStream(out, true));
            try {
                assertThat(Main.run("status", "--config", config.toString())).isZero();
            } finally {
                System.setOut(old);
            }
            assertThat(out.toString())
                    .containsPattern("items: last committed .* by run \\S+: 2000 rows \\(\\+2000 ~0 -0\\), cache version \\S+")
                    .contains("leftover staging tables of failed runs: [" + io.snapsync.targetdb.StagingTables.name("items", "20200101T000000Z-dead00", "d") + "]")
                    .contains("other: never synced");
        }
    }

    @Test
    void dryRunReportsTheDiffAndWritesNothing() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cachedry"))) {
            p.both(DDL);
            seed(p);
            SyncConfig config = p.config("items", List.of("region", "id"), 2);

            // before any sync: everything would be inserted, and not even the control schema is created
            TableReport first = new SyncRunner(config, io.snapsync.fault.CommitHook.NONE, false, true).run(null).tables.get(0);
            assertThat(first.status).as("error: %s", first.error).isEqualTo("dry-run");
            assertThat(first.inserted).isEqualTo(2000);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'snapsync'")).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM items")).isZero();
            assertThat(p.cache).doesNotExist();

            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");
            long[] expected = changeSource(p, 2);
            update(p.source, "DELETE FROM items WHERE id % 3 = 0"); // also more than the default 10% guard
            expected = truth(p);
            List<String> before = rows(p.target, "items", "region, id");
            long history = scalar(p.target, "SELECT count(*) FROM snapsync.sync_history");
            long versions;
            try (var d = Files.list(p.cache.resolve("items"))) {
                versions = d.count();
            }
            SyncConfig guarded = new SyncConfig(config.source(), config.target(), config.cache(),
                    new SyncConfig.Job(2, 5, 0, null, null), config.tables());

            TableReport dry = new SyncRunner(guarded, io.snapsync.fault.CommitHook.NONE, false, true).run(null).tables.get(0);
            assertThat(dry.status).as("error: %s", dry.error).isEqualTo("dry-run");
            assertThat(new long[] {dry.inserted, dry.updated, dry.deleted}).containsExactly(expected);
            assertThat(dry.samples).anyMatch(x -> x.startsWith("INSERT (region=new, id="))
                    .anyMatch(x -> x.startsWith("UPDATE (region="))
                    .anyMatch(x -> x.startsWith("DELETE (region="));
            assertThat(dry.wouldBeRefused).contains("refusing to delete");

            assertThat(rows(p.target, "items", "region, id")).isEqualTo(before);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history")).isEqualTo(history);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
            try (var d = Files.list(p.cache.resolve("items"))) {
                assertThat(d.count()).isEqualTo(versions);
            }
        }
    }
}
