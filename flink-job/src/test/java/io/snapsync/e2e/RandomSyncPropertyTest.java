package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.fault.CommitHook;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random tables with every supported type, a composite key, NULLs and extreme values, synced over
 * several random days (inserts, updates to and from NULL, deletes, emptied tables, idle days). After
 * every run: target == source row for row, and the report's counts equal the true change set,
 * computed independently from a before/after comparison of the source rows.
 *
 * <p>Equality is PostgreSQL's: numerically equal decimals (1.5 / 1.50 in an unconstrained NUMERIC)
 * and 0.0 / -0.0 are the same value, so the generator does not produce those as "changes".
 */
class RandomSyncPropertyTest extends EndToEndTestBase {
    static final String COLUMNS = "k1 integer NOT NULL, k2 text NOT NULL, c_bool boolean, c_i2 smallint, c_i8 bigint, "
            + "c_num numeric(38,10), c_numfree numeric, c_real real, c_dbl double precision, c_char char(5), c_vc varchar(20), "
            + "c_text text, c_bytes bytea, c_date date, c_ts timestamp, c_tstz timestamptz, c_time time, c_timetz timetz, "
            + "c_json json, c_jsonb jsonb";
    static final int VALUE_COLUMNS = 18;
    static final String[] TEXTS = {"", " ", "a\tb", "line\nbreak", "back\\slash", "quote'\"", "naïve", "🚀 non-BMP 𝄞", "\\N", "x"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomDaysConverge(long seed) throws Exception {
        Random rnd = new Random(seed);
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.r (" + COLUMNS + ", PRIMARY KEY (k1, k2))");
            var config = p.config("r", List.of("k1", "k2"), 2);
            int nextKey = 0;
            int initial = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(300);
            for (int i = 0; i < initial; i++) {
                insert(p.source, rnd, nextKey++);
            }
            for (int day = 1; day <= 4; day++) {
                long[] expected = day == 1 ? new long[] {initial, 0, 0} : null;
                if (day > 1) {
                    exec(p.source, "DROP TABLE IF EXISTS before; CREATE TABLE before AS SELECT * FROM r");
                    int op = rnd.nextInt(6);
                    if (op == 0) {
                        exec(p.source, "DELETE FROM r"); // the provider emptied the table
                    } else if (op != 1) { // op 1: an idle day
                        for (int i = rnd.nextInt(40); i > 0; i--) {
                            insert(p.source, rnd, nextKey++);
                        }
                        exec(p.source, "UPDATE r SET " + randomAssignment(rnd) + " WHERE (k1 * 31 + " + day + ") % 7 = 0");
                        exec(p.source, "UPDATE r SET " + randomAssignment(rnd) + " WHERE (k1 * 17 + " + day + ") % 11 = 0");
                        exec(p.source, "DELETE FROM r WHERE (k1 * 13 + " + day + ") % 9 = 0");
                    }
                    expected = truth(p.source);
                }
                // emptying the table is one of the random days: the mass-change guard (tested on its own) is lifted
                TableReport r = new SyncRunner(config, CommitHook.NONE, true).run(null).tables.get(0);
                String ctx = "seed " + seed + " day " + day;
                assertThat(r.status).as("%s: %s", ctx, r.error).isEqualTo("committed");
                assertThat(rows(p.target, "r", "k1, k2")).as(ctx).isEqualTo(rows(p.source, "r", "k1, k2"));
                assertThat(new long[] {r.inserted, r.updated, r.deleted}).as(ctx).containsExactly(expected);
            }
        }
    }

    private static long[] truth(Connection c) throws Exception {
        String join = " FROM r a FULL JOIN before b ON a.k1 = b.k1 AND a.k2 = b.k2 ";
        return new long[] {
            scalar(c, "SELECT count(*)" + join + "WHERE b.k1 IS NULL"),
            scalar(c, "SELECT count(*)" + join + "WHERE a.k1 IS NOT NULL AND b.k1 IS NOT NULL AND a::text IS DISTINCT FROM b::text"),
            scalar(c, "SELECT count(*)" + join + "WHERE a.k1 IS NULL")};
    }

    /** One random column set to a random value or NULL (values as SQL literals from a fixed safe set). */
    private static String randomAssignment(Random rnd) {
        String[][] choices = {
            {"c_bool", "NOT coalesce(c_bool, false)", "NULL"},
            {"c_i8", "coalesce(c_i8, 0) / 2 + 1", "NULL", "-9223372036854775808"},
            {"c_num", "coalesce(c_num, 0) + 0.0000000001", "NULL"},
            {"c_text", "coalesce(c_text, '') || 'Δ'", "NULL", "''"},
            {"c_bytes", "'\\x'::bytea", "NULL", "'\\x00ff'::bytea"},
            {"c_tstz", "coalesce(c_tstz, now()) + interval '1 microsecond'", "NULL"},
            {"c_timetz", "'23:59:59.999999+14:00'::timetz", "NULL"},
            {"c_jsonb", "'{\"b\": [1, {\"c\": null}]}'::jsonb", "NULL"},
            {"c_json", "'{\"a\" :  1}'::json", "NULL"},
            {"c_dbl", "'NaN'::float8", "'Infinity'::float8", "NULL", "1e308"},
        };
        String[] c = choices[rnd.nextInt(choices.length)];
        return c[0] + " = " + c[1 + rnd.nextInt(c.length - 1)];
    }

    private static void insert(Connection c, Random rnd, int key) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?::jsonb)")) {
            ps.setInt(1, key);
            ps.setString(2, TEXTS[rnd.nextInt(TEXTS.length)] + key);
            List<Object> v = values(rnd);
            for (int i = 0; i < VALUE_COLUMNS; i++) {
                ps.setObject(3 + i, rnd.nextInt(6) == 0 ? null : v.get(i));
            }
            ps.executeUpdate();
        }
    }

    private static List<Object> values(Random rnd) {
        List<Object> v = new ArrayList<>();
        v.add(rnd.nextBoolean());
        v.add((short) (rnd.nextInt(65536) - 32768));
        v.add(rnd.nextInt(4) == 0 ? Long.MAX_VALUE : rnd.nextLong());
        v.add(new BigDecimal(new BigInteger(120, rnd).mod(BigInteger.TEN.pow(38)), 10).multiply(BigDecimal.valueOf(rnd.nextBoolean() ? 1 : -1)));
        v.add(new BigDecimal(new BigInteger(200, rnd), rnd.nextInt(30)).stripTrailingZeros()); // unconstrained: canonical scale
        float[] reals = {Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, 0.1f, rnd.nextFloat()};
        v.add(reals[rnd.nextInt(reals.length)]);
        double[] dbls = {Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1e-300, rnd.nextGaussian() * 1e15};
        v.add(dbls[rnd.nextInt(dbls.length)]);
        v.add(TEXTS[rnd.nextInt(TEXTS.length)].replace("\n", "").codePoints().limit(5)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
        v.add(TEXTS[rnd.nextInt(TEXTS.length)]);
        v.add(TEXTS[rnd.nextInt(TEXTS.length)].repeat(rnd.nextInt(50)));
        byte[] b = new byte[rnd.nextInt(20)];
        rnd.nextBytes(b);
        v.add(b);
        LocalDate[] dates = {LocalDate.of(-4712, 1, 1), LocalDate.of(-1, 3, 1), LocalDate.of(1999, 12, 31), LocalDate.of(9999, 12, 31),
            LocalDate.of(200_000, 1, 1), LocalDate.MAX, LocalDate.ofEpochDay(rnd.nextInt(40000))};
        v.add(dates[rnd.nextInt(dates.length)]);
        LocalDateTime[] ts = {LocalDateTime.of(-4712, 1, 1, 0, 0), LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000),
            LocalDateTime.of(2024, 2, 29, 12, 0, 0, 123_456_000), LocalDateTime.MIN, LocalDateTime.of(1970, 1, 1, 0, 0)};
        v.add(ts[rnd.nextInt(ts.length)]);
        v.add(OffsetDateTime.of(2000 + rnd.nextInt(50), 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(24), rnd.nextInt(60),
                rnd.nextInt(60), rnd.nextInt(1_000_000) * 1000, ZoneOffset.ofTotalSeconds((rnd.nextInt(49) - 24) * 1800)));
        v.add(LocalTime.ofNanoOfDay(rnd.nextLong(86_400_000_000L) * 1000));
        v.add(OffsetTime.of(LocalTime.ofNanoOfDay(rnd.nextLong(86_400_000_000L) * 1000), ZoneOffset.ofHoursMinutes(5, 30 * rnd.nextInt(2))));
        v.add(rnd.nextBoolean() ? "{\"a\" :  1, \"a\": 2}" : "[" + rnd.nextInt() + ", \"🚀\"]");
        v.add(rnd.nextBoolean() ? "{\"z\": 1, \"a\": {\"n\": null}}" : "\"" + TEXTS[rnd.nextInt(TEXTS.length)].replace("\\", "").replace("\"", "").replace("\n", "").replace("\t", "") + "\"");
        return v;
    }
}
