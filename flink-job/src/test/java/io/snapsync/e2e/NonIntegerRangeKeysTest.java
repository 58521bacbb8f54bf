package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cache.CacheManifest;
import io.snapsync.cache.SortedCacheReader;
import io.snapsync.config.ConfigLoader;
import io.snapsync.run.RunReport;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tables whose first key column is text, a date, a timestamptz or a numeric take range splits and the ordered
 * diff with parallelism 2, like integer keys: day 1, day 2 with inserts (below, between and above the old keys),
 * updates and deletes, a reconcile after hand edits of the target, and an idle day, target == source each time.
 * The text key is declared in a linguistic ICU collation (the database's own comparison is not byte order) and
 * holds non-ASCII values and the empty string. That the ordered diff ran, and no keyed one: day 1's cache is
 * written sorted in at least two non-empty files of disjoint key ranges (two subtasks each read a range; the
 * keyed diff writes no sorted cache), and day 2 writes a change layer, which only the ordered diff writes.
 */
class NonIntegerRangeKeysTest extends EndToEndTestBase {
    private static final Map<String, String> TYPES = new LinkedHashMap<>();

    static {
        TYPES.put("t_text", "text COLLATE en_icu");
        TYPES.put("t_date", "date");
        TYPES.put("t_tstz", "timestamptz");
        TYPES.put("t_num", "numeric(12,2)");
    }

    private static void create(PgPair p) throws Exception {
        p.both("CREATE COLLATION en_icu (provider = icu, locale = 'en')");
        for (Map.Entry<String, String> t : TYPES.entrySet()) {
            p.both("CREATE TABLE public." + t.getKey() + " (k " + t.getValue() + " PRIMARY KEY, v text, n int)");
        }
        exec(p.source, "INSERT INTO t_text SELECT 'k' || i, md5(i::text), i FROM generate_series(1, 1500) i");
        exec(p.source, "INSERT INTO t_text SELECT x, 'special', 0 FROM unnest(ARRAY['', ' ', 'a', 'B', 'Z', 'é', 'e', 'ä', 'Ä', '日本', "
                + "'😀', 'A b', 'ab', 'zz', 'ő']) x");
        exec(p.source, "INSERT INTO t_date SELECT DATE '2000-01-01' + i * 3, md5(i::text), i FROM generate_series(-700, 800) i");
        exec(p.source, "INSERT INTO t_date VALUES ('4713-01-01 BC', 'bc', 0), ('0044-03-15 BC', 'ides', 0), ('infinity', 'inf', 0)");
        exec(p.source, "INSERT INTO t_tstz SELECT TIMESTAMPTZ '2024-01-01 00:00:00+02' + i * INTERVAL '37 minutes 0.000001 second', "
                + "md5(i::text), i FROM generate_series(-700, 800) i");
        exec(p.source, "INSERT INTO t_tstz VALUES ('-infinity', 'minf', 0), ('infinity', 'inf', 0)");
        exec(p.source, "INSERT INTO t_num SELECT i * 0.37, md5(i::text), i FROM generate_series(-800, 700) i");
    }

    /** Day 2's changes to every table; returns per table the expected inserted, updated and deleted counts. */
    private static Map<String, long[]> change(PgPair p, String suffix) throws Exception {
        for (String t : TYPES.keySet()) {
            exec(p.source, "DROP TABLE IF EXISTS before_" + t + "; CREATE TABLE before_" + t + " AS SELECT * FROM " + t);
            update(p.source, "UPDATE " + t + " SET v = v || '+" + suffix + "' WHERE n % 17 = 3");
            update(p.source, "DELETE FROM " + t + " WHERE n % 29 = 5");
        }
        update(p.source, "DELETE FROM t_text WHERE k IN ('', 'é', '" + (suffix.equals("2") ? "ő" : "zz") + "')");
        update(p.source, "INSERT INTO t_text VALUES ('!" + suffix + "', 'below', -1), ('k750" + suffix + "', 'between', -1), "
                + "('Ω" + suffix + "', 'above', -1), ('" + "é".repeat(Integer.parseInt(suffix)) + "x', 'é again', -1) ON CONFLICT DO NOTHING");
        update(p.source, "INSERT INTO t_date VALUES (DATE '4712-01-01 BC' + " + suffix + ", 'below', -1), "
                + "(DATE '2000-01-01' + 3 * 100 + " + suffix + ", 'between', -1), (DATE '9000-01-01' + " + suffix + ", 'above', -1) ON CONFLICT DO NOTHING");
        update(p.source, "INSERT INTO t_tstz VALUES (TIMESTAMPTZ '1900-01-01 00:00:00+00' + INTERVAL '1 day' * " + suffix + ", 'below', -1), "
                + "(TIMESTAMPTZ '2024-01-01 12:00:00.5+00' + INTERVAL '1 microsecond' * " + suffix + ", 'between', -1), "
                + "(TIMESTAMPTZ '3000-01-01 00:00:00+00' + INTERVAL '1 day' * " + suffix + ", 'above', -1) ON CONFLICT DO NOTHING");
        update(p.source, "INSERT INTO t_num VALUES (-9999999999.99 + " + suffix + ", 'below', -1), (10.005" + suffix + "::numeric(12,2) + 0.001, "
                + "'between?', -1) ON CONFLICT DO NOTHING");
        update(p.source, "INSERT INTO t_num VALUES (9999999999.9" + suffix + ", 'above', -1) ON CONFLICT DO NOTHING");
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (String t : TYPES.keySet()) {
            String join = " FROM " + t + " a FULL JOIN before_" + t + " b ON a.k = b.k ";
            expected.put(t, new long[] {
                scalar(p.source, "SELECT count(*)" + join + "WHERE b.k IS NULL"),
                scalar(p.source, "SELECT count(*)" + join + "WHERE a.k IS NOT NULL AND b.k IS NOT NULL AND a.* IS DISTINCT FROM b.*"),
                scalar(p.source, "SELECT count(*)" + join + "WHERE a.k IS NULL")});
        }
        return expected;
    }

    private RunReport run(PgPair p, boolean reconcile) throws Exception {
        StringBuilder tables = new StringBuilder();
        for (String t : TYPES.keySet()) {
            tables.append("  - { name: ").append(t).append(", source: public.").append(t).append(", target: public.").append(t)
                    .append(", primary-key: [k] }\n");
        }
        Path file = tmp.resolve("snapsync.yaml");
        Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0, splits: 6, max-delete-share: 1.0 }
                tables:
                %s""".formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), tables));
        return new SyncRunner(ConfigLoader.load(file)).reconcile(reconcile).run(null);
    }

    private static TableReport table(RunReport r, String name) {
        return r.tables.stream().filter(t -> t.name.equals(name)).findFirst().orElseThrow();
    }

    private static void assertSynced(PgPair p, RunReport run, Map<String, long[]> expected) throws Exception {
        for (String t : TYPES.keySet()) {
            TableReport r = table(run, t);
            assertThat(r.status).as("%s error: %s", t, r.error).isEqualTo("committed");
            String order = t.equals("t_text") ? "k COLLATE \"C\"" : "k";
            assertThat(rows(p.target, t, order)).as(t).isEqualTo(rows(p.source, t, order));
            if (expected != null) {
                assertThat(new long[] {r.inserted, r.updated, r.deleted}).as(t).containsExactly(expected.get(t));
            }
        }
    }

    private static CacheManifest manifest(PgPair p, String table, String version) throws Exception {
        return CacheManifest.read(new org.apache.flink.core.fs.Path(p.cache.resolve(table + "/v-" + version + "/_manifest.json").toUri()));
    }

    private static TableSchema schema(String table) {
        ColumnType type = switch (table) {
            case "t_text" -> ColumnType.TEXT;
            case "t_date" -> ColumnType.DATE;
            case "t_tstz" -> ColumnType.TIMESTAMPTZ;
            default -> ColumnType.DECIMAL;
        };
        return new TableSchema(List.of(new Column("k", type, "x", 0, 12, 2, false), new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true),
                new Column("n", ColumnType.INTEGER, "integer", 4, 0, 0, true)), List.of("k"));
    }

    @Test
    void textDateTimestamptzAndNumericKeysTakeRangeSplitsAndTheOrderedDiff() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            create(p);
            RunReport day1 = run(p, false);
            Map<String, long[]> firstLoad = new LinkedHashMap<>();
            for (String t : TYPES.keySet()) {
                firstLoad.put(t, new long[] {scalar(p.source, "SELECT count(*) FROM " + t), 0, 0});
            }
            assertSynced(p, day1, firstLoad);
            for (String t : TYPES.keySet()) {
                CacheManifest m = manifest(p, t, table(day1, t).cacheVersion);
                assertThat(m.isSorted()).as("%s: written by the ordered diff", t).isTrue();
                assertThat(m.files().stream().filter(f -> f.rows() > 0).count()).as("%s: both subtasks read a key range", t)
                        .isGreaterThanOrEqualTo(2);
                assertThat(SortedCacheReader.disjoint(m.files(), schema(t))).as(t).isTrue();
            }

            Map<String, long[]> expected = change(p, "2");
            assertThat(expected.get("t_text")[0]).isEqualTo(4);
            RunReport day2 = run(p, false);
            assertSynced(p, day2, expected);
            for (String t : TYPES.keySet()) {
                CacheManifest m = manifest(p, t, table(day2, t).cacheVersion);
                assertThat(m.isLayered()).as("%s: a change layer, which only the ordered diff writes", t).isTrue();
                assertThat(m.isSorted()).as(t).isTrue();
            }

            // hand edits of the target: reconcile reads it with the same range queries (text COLLATE "C" there too)
            update(p.target, "UPDATE t_text SET v = 'edited' WHERE k IN ('a', 'k1', '😀')");
            update(p.target, "DELETE FROM t_date WHERE k = 'infinity'");
            update(p.target, "INSERT INTO t_tstz VALUES ('1800-01-01 00:00:00+00', 'stray', 0)");
            update(p.target, "UPDATE t_num SET n = -n WHERE k < -100");
            RunReport reconciled = run(p, true);
            assertSynced(p, reconciled, null);
            assertThat(table(reconciled, "t_text").updated).isEqualTo(3);
            assertThat(table(reconciled, "t_date").inserted).isEqualTo(1);
            assertThat(table(reconciled, "t_tstz").deleted).isEqualTo(1);
            assertThat(table(reconciled, "t_num").updated).isPositive();

            Map<String, long[]> nextDay = change(p, "3");
            RunReport day3 = run(p, false);
            assertSynced(p, day3, nextDay);
            Map<String, long[]> nothing = new LinkedHashMap<>();
            TYPES.keySet().forEach(t -> nothing.put(t, new long[] {0, 0, 0}));
            assertSynced(p, run(p, false), nothing);
        }
    }
}
