package io.snapsync.unload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitPlanner;
import io.snapsync.source.SplitRange;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bound literals of a bucketed UNLOAD on decimal, timestamp, time and text first key columns: rendered from numbers only
 * (a text bound as the hex digits of its UTF-8 bytes),
 * each read back as the same value (so the database's comparison with it is row.KeyOrder's on the same canonical
 * value), and values that cannot be rendered so refused (the run then takes the keyed diff).
 */
class UnloadBoundLiteralsTest {
    static final Column DEC = new Column("k", ColumnType.DECIMAL, "numeric(20,6)", 0, 20, 6, false);
    static final Column TS = new Column("k", ColumnType.TIMESTAMP, "timestamp", 8, 0, 0, false);
    static final Column TSTZ = new Column("k", ColumnType.TIMESTAMPTZ, "timestamptz", 8, 0, 0, false);
    static final Column TIME = new Column("k", ColumnType.TIME, "time", 8, 0, 0, false);
    static final Column TEXT = new Column("k", ColumnType.TEXT, "text", 0, 0, 0, false);
    static final Column BYTES = new Column("k", ColumnType.BYTES, "bytea", 0, 0, 0, false);
    static final Column DOUBLE = new Column("k", ColumnType.FLOAT, "double precision", 8, 0, 0, false);
    static final Column REAL = new Column("k", ColumnType.FLOAT, "real", 4, 0, 0, false);

    static TableSchema schema(Column first) {
        return new TableSchema(List.of(first, new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("k"));
    }

    @Test
    void decimalsAreTheirPlainDigits() {
        assertThat(UnloadBuckets.literal(new BigDecimal("-12.500"))).isEqualTo("-12.500");
        assertThat(UnloadBuckets.literal(new BigDecimal("0.000001"))).isEqualTo("0.000001");
        assertThat(UnloadBuckets.literal(new BigDecimal("-0.000001"))).isEqualTo("-0.000001");
        assertThat(UnloadBuckets.literal(new BigDecimal("1E+3"))).isEqualTo("1000"); // never an exponent
        assertThat(UnloadBuckets.literal(new BigDecimal("1E-7"))).isEqualTo("0.0000001");
        assertThat(UnloadBuckets.literal(new BigDecimal("99999999999999999999999999999999999999"))).hasSize(38);
        // more digits than a Redshift DECIMAL holds, or more decimals: not a value of the column, not written
        assertThatThrownBy(() -> UnloadBuckets.literal(new BigDecimal("999999999999999999999999999999999999999")))
                .hasMessageContaining("cannot be written as a literal");
        assertThatThrownBy(() -> UnloadBuckets.literal(BigDecimal.ONE.movePointLeft(38))).hasMessageContaining("cannot be written as a literal");
    }

    @Test
    void timestampsAreCastsOfTheirFieldsToTheMicrosecond() {
        assertThat(UnloadBuckets.literal(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_000)))
                .isEqualTo("CAST('2024-02-29 23:59:59.999999' AS TIMESTAMP)");
        assertThat(UnloadBuckets.literal(LocalDateTime.of(1969, 12, 31, 0, 0, 0, 1000))).isEqualTo("CAST('1969-12-31 00:00:00.000001' AS TIMESTAMP)");
        assertThat(UnloadBuckets.literal(LocalDateTime.of(1, 1, 1, 0, 0))).isEqualTo("CAST('0001-01-01 00:00:00.000000' AS TIMESTAMP)");
        assertThat(UnloadBuckets.literal(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000)))
                .isEqualTo("CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)");
        // a zone's instant in UTC, with the zone written out: the session's TimeZone plays no part
        assertThat(UnloadBuckets.literal(OffsetDateTime.of(2024, 3, 1, 1, 30, 0, 5000, ZoneOffset.ofHoursMinutes(5, 30))))
                .isEqualTo("CAST('2024-02-29 20:00:00.000005+00' AS TIMESTAMPTZ)");
        assertThat(UnloadBuckets.literal(OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)))
                .isEqualTo("CAST('1900-01-01 00:00:00.000000+00' AS TIMESTAMPTZ)");
    }

    @Test
    void timesAreCastsFromMidnightToTheLastMicrosecond() {
        assertThat(UnloadBuckets.literal(LocalTime.MIDNIGHT)).isEqualTo("CAST('00:00:00.000000' AS TIME)");
        assertThat(UnloadBuckets.literal(LocalTime.of(23, 59, 59, 999_999_000))).isEqualTo("CAST('23:59:59.999999' AS TIME)");
        assertThat(UnloadBuckets.literal(LocalTime.of(7, 5, 3, 40_000))).isEqualTo("CAST('07:05:03.000040' AS TIME)");
    }

    @Test
    void whatCannotBeRenderedExactlyFromNumbersIsRefused() {
        for (Serializable bad : List.<Serializable>of(
                LocalDateTime.of(0, 12, 31, 23, 0), LocalDateTime.of(10000, 1, 1, 0, 0), LocalDateTime.MAX, LocalDateTime.MIN,
                LocalDateTime.of(2020, 1, 1, 0, 0, 0, 1), // finer than a microsecond: the canonical value drops it
                OffsetDateTime.MAX, OffsetDateTime.MIN,
                OffsetDateTime.of(9999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-5)), // 10000-01-01 in UTC
                OffsetDateTime.of(1, 1, 1, 1, 0, 0, 0, ZoneOffset.ofHours(2)), // year 0 in UTC
                LocalTime.MAX, // canonically 24:00:00, which 23:59:59.999999 would not be
                LocalTime.of(1, 0, 0, 500),
                LocalDate.MAX, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1d, 1e300d, Double.MIN_VALUE,
                Math.scalb(1.0, -40), // exactly 40 decimals: more than a Redshift DECIMAL literal holds
                "", // no planned bound is empty (each lies above the minimum)
                "a\uD800")) { // a lone surrogate: no UTF-8 bytes to write
            assertThatThrownBy(() -> UnloadBuckets.literal(bad)).as("%s", bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be written as a literal");
        }
    }

    /** Parses a rendered literal back into the value it denotes, as both databases read it. */
    static Serializable readBack(String literal) {
        Matcher cast = Pattern.compile("CAST\\('([0-9:. +-]+)' AS (TIMESTAMPTZ|TIMESTAMP|TIME)\\)").matcher(literal);
        if (!cast.matches()) {
            assertThat(literal).matches("-?[0-9]+(\\.[0-9]+)?");
            return new BigDecimal(literal);
        }
        String v = cast.group(1);
        return switch (cast.group(2)) {
            case "TIMESTAMP" -> LocalDateTime.parse(v.replace(' ', 'T'));
            case "TIMESTAMPTZ" -> OffsetDateTime.parse(v.replace(' ', 'T').replace("+00", "Z"));
            default -> LocalTime.parse(v);
        };
    }

    /**
     * Bounds as the JDBC path plans them (SplitPlanner.bounds over a min and max), through the CASE: every literal is
     * read back as its bound's canonical value, so the database's {@code "k" < literal} is row.KeyOrder's comparison
     * with the bound. Negative decimals, scale, microseconds, pre-1970, far-future and whole-day times included.
     */
    @Test
    void plannedBoundsReadBackAsTheirCanonicalValues() {
        List<Object[]> cases = List.of(
                new Object[] {DEC, new BigDecimal("-1000.5"), new BigDecimal("12.25")},
                new Object[] {DEC, new BigDecimal("-0.000003"), new BigDecimal("0.000004")},
                new Object[] {TS, LocalDateTime.of(1066, 10, 14, 9, 0), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000)},
                new Object[] {TS, LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_998_000), LocalDateTime.of(1970, 1, 1, 0, 0, 0, 3000)},
                new Object[] {TSTZ, OffsetDateTime.of(1950, 6, 1, 0, 0, 0, 0, ZoneOffset.ofHours(-8)),
                        OffsetDateTime.of(2050, 6, 1, 0, 0, 0, 0, ZoneOffset.ofHours(9))},
                new Object[] {TIME, LocalTime.MIDNIGHT, LocalTime.MAX},
                new Object[] {TIME, LocalTime.of(23, 59, 59, 999_990_000), LocalTime.of(23, 59, 59, 999_999_000)});
        for (Object[] c : cases) {
            Column col = (Column) c[0];
            TableSchema s = schema(col);
            assertThat(UnloadBuckets.whyNot(s)).as("%s", col.type()).isNull();
            List<Serializable> planned = SplitPlanner.bounds(col, c[1], c[2], 7);
            assertThat(planned).as("%s", c[1]).hasSizeGreaterThan(1);
            SourceQuery q = SplitPlanner.byBounds(s, new TableName("public", "t"), new SourceDialect.Postgres(), col, planned);
            List<Serializable> bounds = UnloadBuckets.bounds(q);
            assertThat(bounds).isEqualTo(planned);
            String sql = UnloadBuckets.caseExpression(col, bounds);
            Matcher arms = Pattern.compile("\"k\" < (.+?) THEN (\\d+)").matcher(sql);
            int i = 0;
            while (arms.find()) {
                assertThat(Integer.parseInt(arms.group(2))).isEqualTo(i);
                Serializable back = readBack(arms.group(1));
                assertThat(SplitRange.canonical(back)).as("%s read back from %s", bounds.get(i), arms.group(1))
                        .isEqualTo(SplitRange.canonical(bounds.get(i)));
                i++;
            }
            assertThat(i).as(sql).isEqualTo(bounds.size());
            assertThat(sql).endsWith(" ELSE " + bounds.size() + " END");
        }
    }

    @Test
    void decimalTimestampTimeVarcharBytesAndFloatFirstKeysAreBucketedCharAndTimetzAreNot() {
        for (Column c : List.of(DEC, TS, TSTZ, TIME, TEXT, new Column("k", ColumnType.TEXT, "varchar(256)", 0, 0, 0, false), BYTES, DOUBLE, REAL)) {
            assertThat(UnloadBuckets.whyNot(schema(c))).as("%s", c.sqlType()).isNull();
        }
        assertThat(UnloadBuckets.whyNot(schema(new Column("k", ColumnType.TEXT, "char(3)", 0, 0, 0, false))))
                .contains("\"k\" is char(3): a CHAR(n) key's bytes as Redshift compares them (padded with spaces)");
        assertThat(UnloadBuckets.whyNot(schema(new Column("k", ColumnType.TIMETZ, "timetz", 0, 0, 0, false))))
                .contains("\"k\" is timetz: only integer, decimal, date, timestamp, time, varchar, varbyte and float bounds");
    }

    /** A decimal with NaN in it is split by a hash of the key: those splits have no bounds to write. */
    @Test
    void hashSplitsAreNotBuckets() {
        SourceQuery hash = SplitPlanner.byHash(schema(DEC), new TableName("public", "t"), new SourceDialect.Postgres(), 4);
        assertThatThrownBy(() -> UnloadBuckets.bounds(hash)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hash of the key");
    }

    /**
     * Text bounds: the column cast to VARBYTE against {@code FROM_HEX} of the bound's UTF-8 bytes, in lower-case hex
     * digits only. Bounds planned over non-ASCII and mixed-case extremes are read back (hex to bytes to String) as the
     * same canonical value, and the CASE evaluated as Redshift compares VARBYTE (unsigned bytes, a prefix first) puts
     * every key in the bucket whose range row.KeyOrder says holds it.
     */
    @Test
    void textBoundsAreHexOfTheirUtf8BytesAndBucketKeysAsKeyOrderDoes() {
        assertThat(UnloadBuckets.literal("a'b\\é")).isEqualTo("FROM_HEX('6127625cc3a9')");
        TableSchema s = schema(TEXT);
        List<String> keys = List.of("", " ", "A", "Aa", "B", "Z", "a", "a ", "aa", "ab", "b", "m", "z", "zz", "\u007f", "é", "éa", "ü",
                "中", "中文", "\uD83D\uDE00", "\uD83D\uDE00x");
        List<Serializable> planned = SplitPlanner.bounds(TEXT, "A", "\uD83D\uDE00x", 9);
        assertThat(planned).hasSizeGreaterThan(3);
        SourceQuery q = SplitPlanner.byBounds(s, new TableName("public", "t"), new SourceDialect.Postgres(), TEXT, planned);
        String sql = UnloadBuckets.caseExpression(TEXT, UnloadBuckets.bounds(q));
        assertThat(sql).startsWith("CASE WHEN \"k\" IS NULL OR CAST(\"k\" AS VARBYTE) < FROM_HEX('");
        Matcher arms = Pattern.compile("CAST\\(\"k\" AS VARBYTE\\) < FROM_HEX\\('([^']*)'\\) THEN (\\d+)").matcher(sql);
        List<byte[]> bounds = new java.util.ArrayList<>();
        while (arms.find()) {
            assertThat(arms.group(1)).matches("[0-9a-f]+");
            assertThat(Integer.parseInt(arms.group(2))).isEqualTo(bounds.size());
            byte[] b = java.util.HexFormat.of().parseHex(arms.group(1));
            assertThat(SplitRange.canonical(new String(b, java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo(SplitRange.canonical(planned.get(bounds.size())));
            bounds.add(b);
        }
        assertThat(bounds).hasSize(planned.size());
        io.snapsync.row.KeyOrder first = io.snapsync.row.KeyOrder.ofFirstColumn(s);
        for (String k : keys) {
            byte[] kb = k.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int bucket = 0;
            while (bucket < bounds.size() && java.util.Arrays.compareUnsigned(kb, bounds.get(bucket)) >= 0) {
                bucket++;
            }
            assertThat(q.range(bucket).bounds(first).contains(SplitRange.canonical(k))).as("%s in bucket %d %s", k, bucket, q.range(bucket))
                    .isTrue();
        }
    }

    /**
     * Bytes bounds: {@code FROM_HEX} of their bytes, compared with the column as it is (a VARBYTE), in lower-case hex
     * digits only, read back (hex to bytes) as the planned bound; the CASE evaluated as Redshift compares VARBYTE
     * (unsigned bytes, a prefix first) puts every key, the empty one, 0x00, 0xff.. and prefixes included, in the bucket
     * whose range row.KeyOrder says holds it. An empty bound is refused.
     */
    @Test
    void bytesBoundsAreHexOfTheirBytesComparedWithTheColumnAsKeyOrderDoes() {
        assertThat(UnloadBuckets.literal(new byte[] {0, (byte) 0xff, 0x27, 0x5c})).isEqualTo("FROM_HEX('00ff275c')");
        assertThatThrownBy(() -> UnloadBuckets.literal(new byte[0])).hasMessageContaining("cannot be written as a literal");
        TableSchema s = schema(BYTES);
        java.util.HexFormat hex = java.util.HexFormat.of();
        List<byte[]> keys = new java.util.ArrayList<>();
        for (String k : List.of("", "00", "0000", "01", "1f", "7f", "7fff", "80", "80ff", "a0", "a000", "a0ff", "fe", "ff", "ff00", "ffff",
                "ffffffffff")) {
            keys.add(hex.parseHex(k));
        }
        List<Serializable> planned = SplitPlanner.bounds(BYTES, hex.parseHex("00"), hex.parseHex("ffff"), 7);
        assertThat(planned).hasSizeGreaterThan(3);
        SourceQuery q = SplitPlanner.byBounds(s, new TableName("public", "t"), new SourceDialect.Postgres(), BYTES, planned);
        String sql = UnloadBuckets.caseExpression(BYTES, UnloadBuckets.bounds(q));
        assertThat(sql).startsWith("CASE WHEN \"k\" IS NULL OR \"k\" < FROM_HEX('").doesNotContain("CAST");
        Matcher arms = Pattern.compile("\"k\" < FROM_HEX\\('([^']*)'\\) THEN (\\d+)").matcher(sql);
        List<byte[]> bounds = new java.util.ArrayList<>();
        while (arms.find()) {
            assertThat(arms.group(1)).matches("[0-9a-f]+");
            assertThat(Integer.parseInt(arms.group(2))).isEqualTo(bounds.size());
            byte[] b = hex.parseHex(arms.group(1));
            assertThat(b).isEqualTo((byte[]) planned.get(bounds.size()));
            assertThat(SplitRange.canonical(b)).isEqualTo(SplitRange.canonical(planned.get(bounds.size())));
            bounds.add(b);
        }
        assertThat(bounds).hasSize(planned.size());
        io.snapsync.row.KeyOrder first = io.snapsync.row.KeyOrder.ofFirstColumn(s);
        for (byte[] k : keys) {
            int bucket = 0;
            while (bucket < bounds.size() && java.util.Arrays.compareUnsigned(k, bounds.get(bucket)) >= 0) {
                bucket++;
            }
            assertThat(q.range(bucket).bounds(first).contains(SplitRange.canonical(k)))
                    .as("%s in bucket %d %s", hex.formatHex(k), bucket, q.range(bucket)).isTrue();
        }
    }

    /**
     * Float bounds as planned between finite extremes (negative, tiny, huge, crossing zero, of a REAL column): each a
     * double of few significant bits whose literal is {@code CAST(<plain decimal> AS DOUBLE PRECISION)}, the decimal its
     * exact expansion (parsed back it is the bound, bit for bit), or refused when longer than 38 digits; a REAL column
     * takes only bounds that are floats too. The CASE evaluated as IEEE comparison puts NULL and -Infinity in the
     * first bucket, NaN and Infinity in the last (ELSE), -0.0 with 0.0, subnormals by value: each in the range
     * row.KeyOrder says holds it.
     */
    @Test
    void floatBoundsAreExactShortDecimalsAndBucketKeysAsKeyOrderDoes() {
        Pattern arm = Pattern.compile("\"k\" < CAST\\((-?[0-9]+(\\.[0-9]+)?) AS DOUBLE PRECISION\\) THEN (\\d+)");
        List<Double> probes = List.of(Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1e300, -3.75, -1.0, -Double.MIN_VALUE, -0.0, 0.0,
                Double.MIN_VALUE, 2 * Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 0.1, 0.5, 1.0, 1.0000001, 99.99, 1e15, 1e300,
                Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN);
        int bucketed = 0;
        for (Column c : List.of(DOUBLE, REAL)) {
            for (double[] ends : new double[][] {{-1000, 1000}, {-3.75, 99.99}, {0.001, 0.002}, {-1e6, -1e3}, {1, 1e9}, {-0.5, 1e-3}}) {
                List<Serializable> planned = SplitPlanner.bounds(c, ends[0], ends[1], 8);
                assertThat(planned).as("%s", java.util.Arrays.toString(ends)).isNotEmpty();
                TableSchema s = schema(c);
                SourceQuery q = SplitPlanner.byBounds(s, new TableName("public", "t"), new SourceDialect.Postgres(), c, planned);
                String sql = UnloadBuckets.caseExpression(c, UnloadBuckets.bounds(q));
                bucketed++;
                Matcher m = arm.matcher(sql);
                List<Double> bounds = new java.util.ArrayList<>();
                while (m.find()) {
                    assertThat(Integer.parseInt(m.group(3))).isEqualTo(bounds.size());
                    double back = Double.parseDouble(m.group(1));
                    assertThat(new BigDecimal(m.group(1))).as("the exact expansion").isEqualByComparingTo(new BigDecimal(back));
                    assertThat(Double.doubleToRawLongBits(back)).isEqualTo(Double.doubleToRawLongBits((Double) planned.get(bounds.size())));
                    if (c == REAL) {
                        assertThat((double) (float) back).as("a REAL column's bound is a float").isEqualTo(back);
                    }
                    bounds.add(back);
                }
                assertThat(bounds).as(sql).hasSize(planned.size());
                io.snapsync.row.KeyOrder first = io.snapsync.row.KeyOrder.ofFirstColumn(s);
                for (double k : probes) {
                    int bucket = 0;
                    while (bucket < bounds.size() && !(k < bounds.get(bucket))) { // the CASE: first WHEN k < b, else the last
                        bucket++;
                    }
                    assertThat(q.range(bucket).bounds(first).contains(SplitRange.canonical(k))).as("%s in bucket %d %s", k, bucket, q.range(bucket))
                            .isTrue();
                }
                assertThat(evaluateNull(sql)).as("NULL in the first bucket").isTrue();
            }
        }
        assertThat(bucketed).isEqualTo(12);
        assertThat(UnloadBuckets.literal(0.5)).isEqualTo("CAST(0.5 AS DOUBLE PRECISION)");
        assertThat(UnloadBuckets.literal(-0.0)).isEqualTo("CAST(0 AS DOUBLE PRECISION)");
        assertThat(UnloadBuckets.literal(-1536.0)).isEqualTo("CAST(-1536 AS DOUBLE PRECISION)");
        // a double that is not a float is no bound of a REAL column (Redshift might narrow it), but is one of a DOUBLE's
        double notFloat = 1.0 + Math.scalb(1.0, -30);
        assertThatThrownBy(() -> UnloadBuckets.literal(REAL, notFloat)).hasMessageContaining("cannot be written as a literal");
        assertThat(UnloadBuckets.literal(DOUBLE, notFloat)).startsWith("CAST(1.000000000931322574615478515625 AS");
        // a bound next to zero by rounding error is zero, not a long decimal
        assertThat(SplitPlanner.bounds(DOUBLE, -0.3, 0.6, 3)).contains(0.0).allSatisfy(b -> assertThat(UnloadBuckets.literal(b)).hasSizeLessThan(60));
        // bounds far from 1 have long expansions: refused, the run takes the keyed diff
        List<Serializable> tiny = SplitPlanner.bounds(DOUBLE, 1e-20, 2e-20, 4);
        assertThatThrownBy(() -> UnloadBuckets.literal(tiny.get(0))).hasMessageContaining("cannot be written as a literal");
    }

    private static boolean evaluateNull(String sql) {
        return sql.startsWith("CASE WHEN \"k\" IS NULL OR ") && sql.indexOf(" THEN 0 ") > 0;
    }
}
