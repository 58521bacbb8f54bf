package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
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
import org.junit.jupiter.api.Test;

/**
 * Float (double precision and real) keys and a (timetz, int) key through whole runs, parallelism 2 and 4 splits: the
 * report says each took the ordered diff (no {@code keyedDiff} reason; the float tables in range splits, the timetz one
 * in one split, as plan.FloatTimeTzKeyOrderTest shows of the planner; the merge checks every split's order and range
 * against row.KeyOrder and fails the table otherwise), and day 1, a day 2 of changes at the edges of the order (0 deleted and -0 inserted, which PostgreSQL
 * holds equal, NaN updated, Infinity deleted, subnormals and -Infinity inserted; for timetz one instant at several
 * offsets, 24:00 and offsets of 15:59) and a day 3 that puts the infinities back converge: target == source in the
 * source's equality, with the exact change counts PostgreSQL's own join of before and after gives.
 */
class FloatTimeTzKeysEndToEndTest extends EndToEndTestBase {
    private static final List<String> TABLES = List.of("f8", "f4", "tz");

    private RunReport run(PgPair p) throws Exception {
        Path file = tmp.resolve("snapsync.yaml");
        Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0, splits: 4, max-delete-share: 1.0 }
                tables:
                  - { name: f8, source: public.f8, target: public.f8, primary-key: [k] }
                  - { name: f4, source: public.f4, target: public.f4, primary-key: [k] }
                  - { name: tz, source: public.tz, target: public.tz, primary-key: [k, n] }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri()));
        return new SyncRunner(ConfigLoader.load(file)).run(null);
    }

    private static String key(String t) {
        return t.equals("tz") ? "k, n" : "k";
    }

    /** Inserted, updated, deleted rows between the copy {@code before_t} and t, as PostgreSQL's equality joins them. */
    private static long[] changes(PgPair p, String t) throws Exception {
        String on = t.equals("tz") ? "a.k = b.k AND a.n = b.n" : "a.k = b.k";
        String join = " FROM " + t + " a FULL JOIN before_" + t + " b ON " + on + " ";
        return new long[] {
            scalar(p.source, "SELECT count(*)" + join + "WHERE b.k IS NULL"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.k IS NOT NULL AND b.k IS NOT NULL AND a.v IS DISTINCT FROM b.v"),
            scalar(p.source, "SELECT count(*)" + join + "WHERE a.k IS NULL")};
    }

    /** Rows of the source missing from the target or different there, plus the other way round (0 when equal). */
    private static long differing(PgPair p, String t) throws Exception {
        exec(p.source, "DROP TABLE IF EXISTS got_" + t + "; CREATE TABLE got_" + t + " (LIKE " + t + ")");
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        p.target.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("COPY " + t + " TO STDOUT (FORMAT binary)", buf);
        p.source.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                .copyIn("COPY got_" + t + " FROM STDIN (FORMAT binary)", new java.io.ByteArrayInputStream(buf.toByteArray()));
        return scalar(p.source, "SELECT count(*) FROM ((SELECT * FROM " + t + " EXCEPT ALL SELECT * FROM got_" + t + ") UNION ALL "
                + "(SELECT * FROM got_" + t + " EXCEPT ALL SELECT * FROM " + t + ")) d");
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
            if (expected != null) {
                assertThat(new long[] {r.inserted, r.updated, r.deleted}).as("%s %s", t, day).containsExactly(expected[i]);
            }
            assertThat(differing(p, t)).as("%s %s: target == source", t, day).isZero();
        }
    }

    @Test
    void floatAndTimeTzKeysTakeTheOrderedDiffAndConverge() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.f8 (k double precision, v text, PRIMARY KEY (k))");
            p.both("CREATE TABLE public.f4 (k real, v text, PRIMARY KEY (k))");
            p.both("CREATE TABLE public.tz (k timetz, n int, v text, PRIMARY KEY (k, n))");
            for (String t : List.of("f8", "f4")) {
                String type = t.equals("f8") ? "float8" : "float4";
                exec(p.source, "INSERT INTO " + t + " SELECT x::" + type + ", 'edge ' || x FROM unnest(ARRAY['0', 'NaN', 'Infinity', "
                        + "'-Infinity', '1.4e-45', '-1.4e-45', '3.4e38', '-3.4e38', '1', '-1']) x");
                exec(p.source, "INSERT INTO " + t + " SELECT (i * 0.37 - 150)::" + type + ", md5(i::text) FROM generate_series(1, 800) i "
                        + "WHERE i * 0.37 - 150 NOT IN (1, -1, 0) ON CONFLICT DO NOTHING");
            }
            exec(p.source, "INSERT INTO tz SELECT TIME WITH TIME ZONE '00:00:00+05' + i * INTERVAL '97 seconds', i % 3, md5(i::text) "
                    + "FROM generate_series(1, 900) i");
            // one instant at several offsets, and the ends of the day and of the offsets
            exec(p.source, "INSERT INTO tz SELECT x::timetz, 7, 'edge ' || x FROM unnest(ARRAY['12:00:00+00', '13:00:00+01', '11:00:00-01', "
                    + "'00:00:00+15:59', '24:00:00-15:59', '24:00:00+00', '00:00:00+00', '23:59:59.999999+15:59', '00:00:00.000001-15:59']) x");
            snapshot(p);
            assertConverged(p, run(p), "day 1", null);

            // day 2: at the edges of the order
            for (String t : List.of("f8", "f4")) {
                String type = t.equals("f8") ? "float8" : "float4";
                update(p.source, "DELETE FROM " + t + " WHERE k = 0");
                update(p.source, "INSERT INTO " + t + " VALUES ('-0', 'minus zero')"); // PostgreSQL's -0 = 0: the row 0, updated
                update(p.source, "UPDATE " + t + " SET v = 'nan, updated' WHERE k = 'NaN'");
                update(p.source, "DELETE FROM " + t + " WHERE k = 'Infinity' OR k = '1.4e-45'::" + type);
                update(p.source, "UPDATE " + t + " SET v = v || '+' WHERE k = '-Infinity' OR k = '-3.4e38'::" + type);
                update(p.source, "INSERT INTO " + t + " SELECT x::" + type + ", 'new ' || x FROM unnest(ARRAY['2.8e-45', '-2.8e-45', "
                        + "'3.3e38', '-149.995', '1e-40']) x ON CONFLICT DO NOTHING");
                update(p.source, "DELETE FROM " + t + " WHERE v LIKE '%a' OR v LIKE '%3f'");
                update(p.source, "UPDATE " + t + " SET v = v || '!' WHERE v LIKE '%7'");
            }
            update(p.source, "DELETE FROM tz WHERE k = '12:00:00+00' AND n = 7");
            update(p.source, "INSERT INTO tz VALUES ('14:00:00+02', 7, 'same instant, +02'), ('10:00:00-02', 7, 'same instant, -02'), "
                    + "('24:00:00+15:59', 7, 'new end'), ('00:00:00-15:59', 8, 'new start')");
            update(p.source, "UPDATE tz SET v = 'updated' WHERE k = '13:00:00+01' OR k = '24:00:00-15:59' OR v LIKE '%0'");
            update(p.source, "DELETE FROM tz WHERE v LIKE '%a' AND n = 1");
            long[][] expected2 = {changes(p, "f8"), changes(p, "f4"), changes(p, "tz")};
            for (long[] e : expected2) {
                assertThat(e[0]).as("inserts").isPositive();
                assertThat(e[1]).as("updates").isPositive();
                assertThat(e[2]).as("deletes").isPositive();
            }
            snapshot(p);
            assertConverged(p, run(p), "day 2", expected2);

            // day 3: the infinities back, NaN gone
            for (String t : List.of("f8", "f4")) {
                update(p.source, "INSERT INTO " + t + " VALUES ('Infinity', 'back') ON CONFLICT DO NOTHING");
                update(p.source, "DELETE FROM " + t + " WHERE k = 'NaN' OR k = '-Infinity'");
                update(p.source, "INSERT INTO " + t + " VALUES ('-Infinity', 'again')");
            }
            update(p.source, "DELETE FROM tz WHERE n = 7 AND k = '24:00:00+15:59'");
            long[][] expected3 = {changes(p, "f8"), changes(p, "f4"), changes(p, "tz")};
            snapshot(p);
            assertConverged(p, run(p), "day 3", expected3);
        }
    }
}
