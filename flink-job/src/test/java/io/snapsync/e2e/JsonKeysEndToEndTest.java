package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.ConfigLoader;
import io.snapsync.run.RunReport;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JSON keys through three days of whole runs (parallelism 2, 4 splits): a jsonb key (one split), an (int, jsonb) key (range
 * splits on the integer) and a json key into a text target column (json has no equality, so its target key is text),
 * each taking the ordered diff (no {@code keyedDiff} reason in the report: they took the keyed diff before json was
 * ordered by its text). Day 2 and 3 insert, update and delete, and change keys' text without changing them under jsonb's
 * {@code =} ({@code {"a": 1.0}} to {@code {"a": 1.00}}, {@code [1]} to {@code [1.0]}): snapsync sees the old text deleted
 * and the new one inserted, while the target's jsonb key matches both; the commit must DELETE before it MERGEs (a MERGE
 * first would match the old row and leave it, and the DELETE would then remove it: the row lost). Each day: the exact
 * change counts by text, and target == source compared as text (jsonb's {@code =} would hide a key left in its old
 * text). Once in one transaction, once in chunks of 3 rows ({@code apply-chunk-rows}), which keep that order.
 */
class JsonKeysEndToEndTest extends EndToEndTestBase {
    private static final List<String> TABLES = List.of("j", "ij", "jt");

    private RunReport run(PgPair p, int chunkRows) throws Exception {
        return run(p, chunkRows, """
                  - { name: j, source: public.j, target: public.j, primary-key: [k] }
                  - { name: ij, source: public.ij, target: public.ij, primary-key: [i, k] }
                  - { name: jt, source: public.jt, target: public.jt, primary-key: [k] }
                """);
    }

    private RunReport run(PgPair p, int chunkRows, String tables) throws Exception {
        Path file = tmp.resolve("snapsync.yaml");
        Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0, splits: 4, max-delete-share: 1.0, apply-chunk-rows: %d }
                tables:
                %s""".formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), chunkRows, tables));
        return new SyncRunner(ConfigLoader.load(file)).run(null);
    }

    private static String key(String t) {
        return t.equals("ij") ? "i, k" : "k";
    }

    /** Inserted, updated, deleted rows between the copy {@code before_t} and t, the keys joined as text (snapsync's equality). */
    private static long[] changes(PgPair p, String t) throws Exception {
        String on = (t.equals("ij") ? "a.i = b.i AND " : "") + "a.k::text = b.k::text";
        String join = " FROM " + t + " a FULL JOIN before_" + t + " b ON " + on + " ";
        return new long[] {
            scalar(p.source, "SELECT count(*)" + join + "WHERE b.k IS NULL"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.k IS NOT NULL AND b.k IS NOT NULL AND a.v IS DISTINCT FROM b.v"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.k IS NULL")};
    }

    private static void snapshot(PgPair p) throws Exception {
        for (String t : TABLES) {
            exec(p.source, "DROP TABLE IF EXISTS before_" + t + "; CREATE TABLE before_" + t + " AS SELECT * FROM " + t);
        }
    }

    private static void assertConverged(PgPair p, RunReport report, String day, long[][] expected) throws Exception {
        for (int i = 0; i < TABLES.size(); i++) {
            String t = TABLES.get(i);
            TableReport r = report.tables.stream().filter(x -> x.name.equals(t)).findFirst().orElseThrow();
            assertThat(r.status).as("%s %s: %s", t, day, r.error).isEqualTo("committed");
            assertThat(r.keyedDiff).as("%s %s takes the ordered diff", t, day).isNull();
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).as("%s %s", t, day).containsExactly(expected[i]);
            // every row as text (the keys' text included), in the keys' byte order: equal lists, equal tables
            String order = (t.equals("ij") ? "i, " : "") + "k::text COLLATE \"C\"";
            assertThat(rows(p.target, t, order)).as("%s %s: target == source, as text", t, day).isEqualTo(rows(p.source, t, order));
        }
    }

    @ParameterizedTest(name = "apply-chunk-rows {0}")
    @ValueSource(ints = {0, 3})
    void jsonKeysTakeTheOrderedDiffAndConvergeWhenAKeyChangesOnlyItsText(int chunkRows) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.j (k jsonb PRIMARY KEY, v text)");
            p.both("CREATE TABLE public.ij (i int, k jsonb, v text, PRIMARY KEY (i, k))");
            // json has no equality (no unique key on it): the source has none, the target keys the text
            exec(p.source, "CREATE TABLE public.jt (k json, v text)");
            exec(p.target, "CREATE TABLE public.jt (k text PRIMARY KEY, v text)");
            String edges = "'{}', '[]', 'null', 'true', 'false', '0', '-1', '\"\"', '\"é\"', '\"\\u00e9x\"', '\"😀\"', '\"a\\\"b\"', "
                    + "'{\"a\":1.0}', '{\"n\":2.5}', '[1]', '{\"b\":1,\"a\":[1,{\"c\":null}]}', '123456789012345678901234567890.5'";
            exec(p.source, "INSERT INTO j SELECT x::jsonb, 'edge ' || x FROM unnest(ARRAY[" + edges + "]) x");
            exec(p.source, "INSERT INTO j SELECT jsonb_build_object('id', i, 'x', i / 7.0, 's', md5(i::text)), md5(i::text) "
                    + "FROM generate_series(1, 600) i");
            exec(p.source, "INSERT INTO ij SELECT i / 4, CASE i % 4 WHEN 0 THEN to_jsonb(i) WHEN 1 THEN to_jsonb(md5(i::text)) "
                    + "WHEN 2 THEN jsonb_build_array(i, i / 3.0) ELSE jsonb_build_object('k', i) END, md5(i::text) FROM generate_series(1, 800) i");
            exec(p.source, "INSERT INTO ij SELECT x, y::jsonb, 'edge' FROM unnest(ARRAY[1, 1, 2, 3]) x, unnest(ARRAY['[1]', '{\"a\":1.0}']) y "
                    + "ON CONFLICT DO NOTHING");
            // json keeps whitespace, key order and duplicate keys: each of these is its own key
            exec(p.source, "INSERT INTO jt SELECT x::json, 'edge ' || x FROM unnest(ARRAY['{\"a\":1,\"b\":2}', '{\"b\":2,\"a\":1}', "
                    + "'{\"a\":1, \"b\":2}', '{\"a\":1,\"a\":2}', '\"\\u00e9\"', '\"é\"', ' 1', '1', '1.0', '[]', '{}']) x");
            exec(p.source, "INSERT INTO jt SELECT json_build_object('id', i, 'x', i / 7.0), md5(i::text) FROM generate_series(1, 300) i");
            long[][] expected1 = {
                {scalar(p.source, "SELECT count(*) FROM j"), 0, 0},
                {scalar(p.source, "SELECT count(*) FROM ij"), 0, 0},
                {scalar(p.source, "SELECT count(*) FROM jt"), 0, 0}};
            snapshot(p);
            assertConverged(p, run(p, chunkRows), "day 1", expected1);

            // day 2: inserts, updates, deletes, and keys whose text changes while jsonb's = holds them equal
            update(p.source, "UPDATE j SET k = '{\"a\": 1.00}' WHERE k = '{\"a\": 1.0}'"); // v kept: only the key's text changes
            update(p.source, "UPDATE j SET k = '{\"n\": 2.50}', v = 'changed too' WHERE k = '{\"n\": 2.5}'");
            assertThat(scalar(p.source, "SELECT count(*) FROM j WHERE k::text = '{\"a\": 1.00}'")).as("jsonb keeps the scale").isOne();
            update(p.source, "UPDATE j SET v = v || '+' WHERE v LIKE '%7'");
            update(p.source, "DELETE FROM j WHERE v LIKE '%a' OR k = '\"é\"'");
            update(p.source, "INSERT INTO j SELECT jsonb_build_object('id', i, 'new', true), 'new' FROM generate_series(601, 640) i");
            update(p.source, "UPDATE ij SET k = '[1.0]' WHERE k = '[1]' AND i IN (1, 2)");
            update(p.source, "UPDATE ij SET k = '{\"a\": 1.000}', v = 'x' WHERE k = '{\"a\": 1.0}' AND i = 3");
            update(p.source, "UPDATE ij SET v = v || '+' WHERE v LIKE '%3'");
            update(p.source, "DELETE FROM ij WHERE v LIKE '%b'");
            update(p.source, "INSERT INTO ij SELECT 250 + i / 3, to_jsonb(i), 'new' FROM generate_series(1, 30) i");
            update(p.source, "UPDATE jt SET k = '{\"a\": 1, \"b\": 2}' WHERE k::text = '{\"a\":1, \"b\":2}'"); // whitespace: a new key
            update(p.source, "UPDATE jt SET v = v || '+' WHERE v LIKE '%c'");
            update(p.source, "DELETE FROM jt WHERE v LIKE '%d' OR k::text = '{\"a\":1,\"a\":2}'");
            update(p.source, "INSERT INTO jt VALUES ('{\"a\":1,\"a\":3}', 'dup keys'), ('[ ]', 'spaced')");
            long[][] expected2 = {changes(p, "j"), changes(p, "ij"), changes(p, "jt")};
            for (long[] e : expected2) {
                assertThat(e[0]).as("inserts").isPositive();
                assertThat(e[1]).as("updates").isPositive();
                assertThat(e[2]).as("deletes").isPositive();
            }
            snapshot(p);
            assertConverged(p, run(p, chunkRows), "day 2", expected2);

            // day 3: keys' text changed back, more changes
            update(p.source, "UPDATE j SET k = '{\"a\": 1.0}' WHERE k = '{\"a\": 1}'");
            update(p.source, "DELETE FROM j WHERE k = '{\"n\": 2.5}'");
            update(p.source, "UPDATE ij SET k = '[1]' WHERE k = '[1]' AND i = 1");
            update(p.source, "UPDATE ij SET k = '{\"a\": 1}' WHERE k = '{\"a\": 1}' AND i = 3");
            update(p.source, "UPDATE j SET v = v || '!' WHERE v LIKE '%1'");
            update(p.source, "DELETE FROM ij WHERE i = 250");
            update(p.source, "DELETE FROM jt WHERE k::text = '{\"b\":2,\"a\":1}'");
            long[][] expected3 = {changes(p, "j"), changes(p, "ij"), changes(p, "jt")};
            assertThat(expected3[0][0]).as("j: {\"a\": 1.0} back in, as an insert").isPositive();
            snapshot(p);
            assertConverged(p, run(p, chunkRows), "day 3", expected3);
        }
    }

    /**
     * A jsonb-keyed table whose cache was written by the keyed diff (as every such table's was before json keys were
     * ordered; the manifest rewritten as that diff wrote it: not sorted, no key ranges) moves once: that run diffs against
     * the live target, read in the same order, writes a sorted cache, and converges; the next reads the cache again.
     */
    @org.junit.jupiter.api.Test
    void aJsonKeyedCacheWrittenByTheKeyedDiffIsMovedOnce() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.j (k jsonb PRIMARY KEY, v text)");
            p.both("CREATE TABLE public.ij (i int, k jsonb, v text, PRIMARY KEY (i, k))");
            exec(p.source, "CREATE TABLE public.jt (k json, v text)");
            exec(p.target, "CREATE TABLE public.jt (k text PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO j SELECT jsonb_build_object('id', i, 's', md5(i::text)), md5(i::text) FROM generate_series(1, 300) i");
            exec(p.source, "INSERT INTO ij SELECT i % 10, to_jsonb(md5(i::text)), 'v' FROM generate_series(1, 300) i");
            exec(p.source, "INSERT INTO jt SELECT json_build_object('id', i), 'v' FROM generate_series(1, 50) i");
            RunReport day1 = run(p, 0);
            for (String t : TABLES) {
                TableReport r = day1.tables.stream().filter(x -> x.name.equals(t)).findFirst().orElseThrow();
                assertThat(r.status).as("%s: %s", t, r.error).isEqualTo("committed");
                Path manifest = p.cache.resolve(t + "/v-" + r.cacheVersion + "/_manifest.json");
                com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
                com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifest.toFile());
                m.remove("sorted");
                m.withArray("files").forEach(f -> {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) f).remove("firstKey");
                    ((com.fasterxml.jackson.databind.node.ObjectNode) f).remove("lastKey");
                });
                json.writeValue(manifest.toFile(), m);
            }
            snapshot(p);
            update(p.source, "UPDATE j SET v = v || '+' WHERE v LIKE '%a'");
            update(p.source, "DELETE FROM j WHERE v LIKE '%b'");
            update(p.source, "INSERT INTO j VALUES ('[\"new\"]', 'new')");
            update(p.source, "UPDATE ij SET v = 'w' WHERE i = 3");
            update(p.source, "DELETE FROM jt WHERE k::text = '{\"id\" : 7}'"); // json_build_object's own spacing
            long[][] expected2 = {changes(p, "j"), changes(p, "ij"), changes(p, "jt")};
            assertThat(expected2[2][2]).as("jt: a delete").isOne();
            snapshot(p);
            RunReport day2 = run(p, 0);
            assertConverged(p, day2, "day 2, moved", expected2);
            for (String t : TABLES) {
                TableReport r = day2.tables.stream().filter(x -> x.name.equals(t)).findFirst().orElseThrow();
                assertThat(io.snapsync.cache.CacheManifest.read(new org.apache.flink.core.fs.Path(
                        p.cache.resolve(t + "/v-" + r.cacheVersion + "/_manifest.json").toUri())).isSorted()).as("%s: a sorted cache", t).isTrue();
            }
            update(p.source, "UPDATE j SET v = 'again' WHERE k = '[\"new\"]'");
            long[][] expected3 = {changes(p, "j"), changes(p, "ij"), changes(p, "jt")};
            snapshot(p);
            assertConverged(p, run(p, 0), "day 3", expected3);
        }
    }

    /**
     * A source without a unique key on its jsonb key column (or Redshift, which enforces none) may hold {"a": 1.0} and
     * {"a": 1.00} at once: two keys to snapsync, one under the target's jsonb key. The second arriving while the first
     * stays would be MERGEd into the first's row (one target row for two source rows, silently), and two arriving in one
     * change set would be merged so by two chunks; the commit refuses the change set, naming both keys: in one transaction
     * nothing is applied, in chunks of one row the check follows the delete chunks (none here) and leaves the table marked
     * for the next run's reconcile. Once the source holds one text of each, it converges.
     */
    @ParameterizedTest(name = "apply-chunk-rows {0}")
    @ValueSource(ints = {0, 1})
    void aSecondTextOfAJsonbKeyTheTargetHoldsEqualFailsTheTableBeforeAnythingIsApplied(int chunkRows) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.source, "CREATE TABLE public.j (k jsonb, v text)");
            exec(p.target, "CREATE TABLE public.j (k jsonb PRIMARY KEY, v text)");
            exec(p.source, "CREATE TABLE public.ij (i int, k jsonb, v text)");
            exec(p.target, "CREATE TABLE public.ij (i int, k jsonb, v text, PRIMARY KEY (i, k))");
            exec(p.source, "CREATE TABLE public.jt (k json, v text)");
            exec(p.target, "CREATE TABLE public.jt (k text PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO j SELECT jsonb_build_object('a', i), 'v' || i FROM generate_series(2, 21) i");
            exec(p.source, "INSERT INTO j VALUES ('{\"a\": 1.0}', 'one point oh')");
            exec(p.source, "INSERT INTO ij SELECT i, '[1.0]', 'v' FROM generate_series(1, 5) i");
            assertConverged(p, run(p, chunkRows), "day 1", new long[][] {{21, 0, 0}, {5, 0, 0}, {0, 0, 0}});
            List<String> before = rows(p.target, "j", "k::text COLLATE \"C\"");
            List<String> ijBefore = rows(p.target, "ij", "i, k::text COLLATE \"C\"");

            update(p.source, "INSERT INTO j VALUES ('{\"a\": 1.00}', 'one point oh oh')"); // {"a": 1.0} stays
            update(p.source, "UPDATE j SET v = 'changed' WHERE k::text = '{\"a\": 2}'");
            update(p.source, "INSERT INTO ij VALUES (4, '[2]', 'two'), (4, '[2.0]', 'two point oh')"); // two new texts of one value
            RunReport day2 = run(p, chunkRows);
            for (String t : List.of("j", "ij")) {
                TableReport r = day2.tables.stream().filter(x -> x.name.equals(t)).findFirst().orElseThrow();
                assertThat(r.status).as("%s: %s", t, r.error).isEqualTo("failed");
                assertThat(r.error).contains("table " + t + ": the source holds keys that are distinct as text")
                        .contains(chunkRows == 0 ? "so nothing is applied" : "so no upsert is applied (the delete chunks were; the next run reconciles)");
            }
            assertThat(day2.tables.stream().filter(x -> x.name.equals("j")).findFirst().orElseThrow().error)
                    .contains("(k={\"a\": 1.00}) and (k={\"a\": 1.0})");
            assertThat(day2.tables.stream().filter(x -> x.name.equals("ij")).findFirst().orElseThrow().error)
                    .contains("(k=[2]) and (k=[2.0])");
            assertThat(rows(p.target, "j", "k::text COLLATE \"C\"")).as("target untouched").isEqualTo(before);
            assertThat(rows(p.target, "ij", "i, k::text COLLATE \"C\"")).as("target untouched").isEqualTo(ijBefore);
            // in chunks the check runs after the delete chunks (none here): the table is marked for a reconcile
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_pending")).as("a pending chunked apply").isEqualTo(chunkRows == 0 ? 0 : 2);

            // the source made consistent: the first text replaced by the second (its own delete), which converges
            update(p.source, "DELETE FROM j WHERE k::text = '{\"a\": 1.0}'");
            update(p.source, "DELETE FROM ij WHERE k::text = '[2.0]' AND i = 4");
            RunReport day3 = run(p, chunkRows);
            for (String t : TABLES) {
                TableReport r = day3.tables.stream().filter(x -> x.name.equals(t)).findFirst().orElseThrow();
                assertThat(r.status).as("%s: %s", t, r.error).isEqualTo("committed");
                String order = (t.equals("ij") ? "i, " : "") + "k::text COLLATE \"C\"";
                assertThat(rows(p.target, t, order)).as("%s: target == source, as text", t).isEqualTo(rows(p.source, t, order));
            }
        }
    }

    /** A key of two jsonb columns: the refusal names each column's text of both keys. */
    @org.junit.jupiter.api.Test
    void aCollisionOnAKeyOfTwoJsonbColumnsNamesBothColumns() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.source, "CREATE TABLE public.jj (a jsonb, b jsonb, v text)");
            exec(p.target, "CREATE TABLE public.jj (a jsonb, b jsonb, v text, PRIMARY KEY (a, b))");
            exec(p.source, "INSERT INTO jj VALUES ('[1.0]', '{\"x\": 1}', 'first'), ('[2]', '{}', 'other')");
            String table = "  - { name: jj, source: public.jj, target: public.jj, primary-key: [a, b] }\n";
            TableReport day1 = run(p, 0, table).tables.get(0);
            assertThat(day1.status).as("%s", day1.error).isEqualTo("committed");
            assertThat(day1.keyedDiff).isNull();
            update(p.source, "INSERT INTO jj VALUES ('[1]', '{\"x\": 1.0}', 'second')");
            TableReport day2 = run(p, 0, table).tables.get(0);
            assertThat(day2.status).isEqualTo("failed");
            assertThat(day2.error).contains("(a=[1], b={\"x\": 1.0}) and (a=[1.0], b={\"x\": 1})").contains("so nothing is applied");
            assertThat(rows(p.target, "jj", "a::text COLLATE \"C\"")).containsExactly("([1.0],\"{\"\"x\"\": 1}\",first)", "([2],{},other)");
        }
    }
}
