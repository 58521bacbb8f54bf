package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapsync.cache.CacheManifest;
import io.snapsync.cache.LayeredCacheReader;
import io.snapsync.cache.SortedCacheReader;
import io.snapsync.config.ConfigLoader;
import io.snapsync.config.SyncConfig;
import io.snapsync.row.KeyOrder;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.row.CacheEntry;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SplitRange;
import io.snapsync.testing.CollationStandInDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ordered diff (key-range splits read in key order, merged with the sorted cache of the same range) on a
 * real MiniCluster and PostgreSQL: a composite key whose second column is text in a non-C database collation,
 * the cache written sorted with its key ranges in the manifest, a source whose order disagrees (refused, target
 * untouched), and the move from a cache version of the previous format.
 */
class OrderedDiffTest extends EndToEndTestBase {
    /** Names that sort differently under byte order and a linguistic or case-insensitive collation. */
    private static final String NAMES = "ARRAY['B', 'a', 'é', 'Z', 'ab', 'A b', 'zz', 'Ä']";
    private static final String DDL = "CREATE TABLE public.t (id bigint NOT NULL, name text NOT NULL, v text, amount numeric(12,2), "
            + "PRIMARY KEY (id, name))";

    private static void seed(PgPair p) throws Exception {
        exec(p.source, "INSERT INTO t SELECT floor(i / 8.0)::bigint, (" + NAMES + ")[1 + (i + 80) % 8], 'v' || i, i * 0.25 FROM generate_series(-40, 3999) i");
    }

    private static long[] changeSource(PgPair p, int day) throws Exception {
        exec(p.source, "DROP TABLE IF EXISTS before; CREATE TABLE before AS SELECT * FROM t");
        update(p.source, "UPDATE t SET v = v || '+' WHERE (id + length(name)) % 23 = 0");
        update(p.source, "UPDATE t SET amount = NULL WHERE id % 41 = 1 AND name = 'é'");
        update(p.source, "DELETE FROM t WHERE id % 37 = 2 OR (id = 0 AND name = 'B')");
        update(p.source, "INSERT INTO t VALUES (" + (-1000 * day) + ", 'b', 'far below', 1), (17, 'Ab" + day + "', 'between', 2), ("
                + (100000 * day) + ", 'x', 'far above', 3), (250, '" + "_".repeat(day - 2) + "', 'empty name', 4)");
        String join = " FROM t a FULL JOIN before b ON a.id = b.id AND a.name = b.name ";
        return new long[] {
            scalar(p.source, "SELECT count(*)" + join + "WHERE b.id IS NULL"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.id IS NOT NULL AND b.id IS NOT NULL AND a.* IS DISTINCT FROM b.*"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.id IS NULL")};
    }

    private static TableSchema schema() {
        return new TableSchema(List.of(new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
                new Column("name", ColumnType.TEXT, "text", 0, 0, 0, false),
                new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true),
                new Column("amount", ColumnType.DECIMAL, "numeric", 0, 12, 2, true)), List.of("id", "name"));
    }

    private static CacheManifest manifest(PgPair p, String version) throws Exception {
        return CacheManifest.read(new org.apache.flink.core.fs.Path(p.cache.resolve("t/v-" + version + "/_manifest.json").toUri()));
    }

    /** The version is recorded sorted, its files' ranges do not overlap, and reading them in order really ascends. */
    private static void assertSortedCache(PgPair p, String version, long rows) throws Exception {
        CacheManifest m = manifest(p, version);
        assertThat(m.sorted()).isTrue();
        assertThat(m.files()).hasSizeGreaterThan(1).allSatisfy(f -> {
            assertThat(f.firstKey()).isNotNull();
            assertThat(f.lastKey()).isNotNull();
        });
        // a base plus change layers: each layer's files (and the base's) do not overlap; the reader merges the layers
        for (int layer = 0; layer <= m.topLayer(); layer++) {
            int l = layer;
            assertThat(SortedCacheReader.disjoint(m.files().stream().filter(f -> f.layerOrBase() == l).toList(), schema()))
                    .as("layer %d", layer).isTrue();
        }
        KeyOrder order = new KeyOrder(schema());
        List<String> keys = new ArrayList<>();
        try (LayeredCacheReader r = new LayeredCacheReader(
                SortedCacheReader.files(m, new io.snapsync.cache.CacheLayout(p.cache.toUri().toString())), order, null, schema())) {
            for (Iterator<CacheEntry> it = r.range(SplitRange.ALL); it.hasNext(); ) {
                keys.add(it.next().key);
            }
        }
        assertThat(keys).hasSize((int) rows);
        for (int i = 1; i < keys.size(); i++) {
            assertThat(order.compare(keys.get(i - 1), keys.get(i))).as("entry %d", i).isNegative();
        }
    }

    private static void assertSynced(PgPair p, TableReport r, long[] expected) throws Exception {
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
        assertThat(rows(p.target, "t", "id, name")).isEqualTo(rows(p.source, "t", "id, name"));
        assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(expected);
    }

    private static String yaml(PgPair p, boolean standIn) {
        return yaml(p, standIn, "");
    }

    private static String yaml(PgPair p, boolean standIn, String tableExtra) {
        return """
                source: { url: "%s%s", user: postgres%s }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0, splits: 6 }
                tables:
                  - { name: t, source: public.t, target: public.t, primary-key: [id, name]%s }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), standIn ? "?" + CollationStandInDriver.PARAM : "",
                standIn ? ", driver: " + CollationStandInDriver.class.getName() : "", p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(),
                tableExtra);
    }

    private TableReport run(PgPair p, boolean standIn) throws Exception {
        return run(p, standIn, "");
    }

    private TableReport run(PgPair p, boolean standIn, String tableExtra) throws Exception {
        Path file = tmp.resolve(standIn ? "standin.yaml" : "snapsync.yaml");
        Files.writeString(file, yaml(p, standIn, tableExtra));
        SyncConfig config = ConfigLoader.load(file);
        return new SyncRunner(config).run(null).tables.get(0);
    }

    @Test
    void twoDaysWithACompositeKeyWhoseTextColumnSortsByBytes() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            seed(p);
            long n = scalar(p.source, "SELECT count(*) FROM t");
            TableReport day1 = run(p, false);
            assertSynced(p, day1, new long[] {n, 0, 0});
            assertSortedCache(p, day1.cacheVersion, n);

            long[] expected = changeSource(p, 2);
            assertThat(expected[0]).isEqualTo(4);
            assertThat(expected[1]).isPositive();
            assertThat(expected[2]).isPositive();
            TableReport day2 = run(p, false);
            assertSynced(p, day2, expected);
            assertThat(day2.snapshotRows).isEqualTo(scalar(p.source, "SELECT count(*) FROM t"));
            assertSortedCache(p, day2.cacheVersion, day2.snapshotRows);

            TableReport idle = run(p, false);
            assertSynced(p, idle, new long[] {0, 0, 0});
        }
    }

    @Test
    void aSourceWhoseOrderDisagreesFailsTheTableNamingTheColumnAndLeavesTheTargetAlone() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            seed(p);
            TableReport day1 = run(p, false);
            assertThat(day1.status).isEqualTo("committed");
            List<String> before = rows(p.target, "t", "id, name");
            update(p.source, "UPDATE t SET v = 'changed' WHERE id % 3 = 0");

            // the stand-in sorts names case-insensitively: within one id, 'a' comes back before 'B'
            TableReport r = run(p, true);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).contains("the source returned its rows out of key order").contains("(column name)")
                    .contains("after (id=").contains("nothing applied");
            assertThat(rows(p.target, "t", "id, name")).as("target untouched").isEqualTo(before);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE table_name = 't' AND cache_version = '"
                    + day1.cacheVersion + "'")).isEqualTo(1);

            // the same change through a source that sorts as asked
            TableReport fixed = run(p, false);
            assertThat(fixed.status).as("error: %s", fixed.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id, name")).isEqualTo(rows(p.source, "t", "id, name"));
        }
    }

    /**
     * Range splits on a text first key whose source predicate compares lower-cased text while its ORDER BY sorts by
     * bytes (the stand-in): each split's rows ascend, but 'Z..' comes with the split that holds 'z..'. Merged, such a row
     * would be an insert there and its cache entry a delete in its own range: the range guard fails the table instead,
     * naming the table, the split, the column and the key, and the target, cache version and control row stay as
     * they were.
     */
    @Test
    void aSourceWhoseRangePredicateDisagreesWithKeyOrderFailsTheTableBeforeTheTargetIsTouched() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (k text PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT (ARRAY['a', 'B', 'Z', 'm', 'k', 'q', 'Ab', 'y'])[1 + i % 8] || (i / 8)::text, 'v' || i "
                    + "FROM generate_series(0, 3999) i");
            SyncConfig plain = p.config("t", List.of("k"), 2);
            java.util.function.Function<Boolean, SyncConfig> config = standIn -> new SyncConfig(new SyncConfig.Source(
                    p.sourcePg.getJdbcUrl(p.sourceDb) + (standIn ? "?" + io.snapsync.testing.RangeCollationStandInDriver.PARAM : ""),
                    plain.source().user(), null, java.util.Map.of(), 100, true,
                    standIn ? io.snapsync.testing.RangeCollationStandInDriver.class.getName() : null),
                    plain.target(), plain.cache(), plain.job(), plain.tables());
            TableReport day1 = new SyncRunner(config.apply(false)).run(null).tables.get(0);
            assertThat(day1.status).as("error: %s", day1.error).isEqualTo("committed");
            assertThat(day1.keyedDiff).as("range splits on text, the ordered diff").isNull();
            update(p.source, "UPDATE t SET v = 'changed' WHERE v LIKE '%3'");
            update(p.source, "DELETE FROM t WHERE v LIKE '%7'");
            List<String> before = rows(p.target, "t", "k, v");
            List<String> cache = PgPair.manifests(p.cache);

            TableReport r = new SyncRunner(config.apply(true)).run(null).tables.get(0);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).startsWith("table t: the source returned a row outside its range split [")
                    .contains(" of column \"k\": (k=").endsWith("nothing applied");
            assertThat(rows(p.target, "t", "k, v")).as("target untouched").isEqualTo(before);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE table_name = 't' AND cache_version = '"
                    + day1.cacheVersion + "'")).isEqualTo(1);

            TableReport fixed = new SyncRunner(config.apply(false)).run(null).tables.get(0);
            assertThat(fixed.status).as("error: %s", fixed.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "k, v")).isEqualTo(rows(p.source, "t", "k, v"));
        }
    }

    /** Rewrites a manifest as a snapsync before the ordered diff wrote it: no sorted flag, no key ranges. */
    private static void asPreviousFormat(PgPair p, String version) throws Exception {
        Path manifest = p.cache.resolve("t/v-" + version + "/_manifest.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = (ObjectNode) json.readTree(manifest.toFile());
        m.remove("sorted");
        m.withArray("files").forEach(f -> {
            ((ObjectNode) f).remove("firstKey");
            ((ObjectNode) f).remove("lastKey");
        });
        json.writeValue(manifest.toFile(), m);
        assertThat(manifest(p, version).isSorted()).isFalse();
    }

    @Test
    void aCacheOfThePreviousFormatAndASchemaChangeInOneRunTakeTheKeyedDiffOnceThenTheOrderedOne() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            seed(p);
            String auto = ", schema-evolution: auto";
            TableReport day1 = run(p, false, auto);
            assertThat(day1.status).isEqualTo("committed");
            asPreviousFormat(p, day1.cacheVersion);

            // the target gets the column only at this run's commit: it cannot stand in for the old cache yet
            exec(p.source, "ALTER TABLE t ADD COLUMN extra text");
            long filled = update(p.source, "UPDATE t SET extra = 'x' WHERE id % 19 = 0");
            TableReport day2 = run(p, false, auto);
            assertSynced(p, day2, new long[] {0, filled, 0});
            assertThat(manifest(p, day2.cacheVersion).isSorted()).as("keyed diff this once").isFalse();

            exec(p.source, "DROP TABLE IF EXISTS before; CREATE TABLE before AS SELECT * FROM t");
            long changed = update(p.source, "UPDATE t SET extra = 'y' WHERE id % 23 = 0");
            TableReport day3 = run(p, false, auto);
            assertSynced(p, day3, new long[] {0, changed, 0});
            assertThat(manifest(p, day3.cacheVersion).isSorted()).as("then the ordered diff, from the target").isTrue();
        }
    }

    @Test
    void aCacheOfThePreviousFormatIsReplacedByASortedOneWithExactCounts() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            seed(p);
            TableReport day1 = run(p, false);
            assertThat(day1.status).isEqualTo("committed");
            asPreviousFormat(p, day1.cacheVersion);

            long[] expected = changeSource(p, 2);
            TableReport day2 = run(p, false);
            assertSynced(p, day2, expected);
            assertSortedCache(p, day2.cacheVersion, day2.snapshotRows);

            long[] nextDay = changeSource(p, 3);
            TableReport day3 = run(p, false);
            assertSynced(p, day3, nextDay);
        }
    }
}
