package io.snapsync.row;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Keys;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The key comparator against the orders PostgreSQL's ORDER BY (COLLATE "C") and Redshift's produce. */
class KeyOrderTest {
    private static TableSchema schema(ColumnType... types) {
        List<Column> cols = new ArrayList<>();
        List<String> key = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            cols.add(new Column("k" + i, types[i], types[i].name().toLowerCase(), 8, 20, 4, false));
            key.add("k" + i);
        }
        return new TableSchema(cols, key);
    }

    @SafeVarargs
    private static String key(Consumer<CanonicalRowWriter>... fields) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        for (Consumer<CanonicalRowWriter> f : fields) {
            f.accept(w);
        }
        return Keys.fromBytes(w.toByteArray());
    }

    private static String i(long v) {
        return key(w -> w.writeInteger(v));
    }

    @Test
    void integersAreSignedNotBytewise() {
        KeyOrder o = new KeyOrder(schema(ColumnType.INTEGER));
        List<Long> sorted = List.of(Long.MIN_VALUE, -300L, -1L, 0L, 1L, 255L, 256L, Long.MAX_VALUE);
        for (int a = 0; a < sorted.size(); a++) {
            for (int b = 0; b < sorted.size(); b++) {
                assertThat(o.compare(i(sorted.get(a)), i(sorted.get(b)))).as(sorted.get(a) + " vs " + sorted.get(b))
                        .isEqualTo(Integer.signum(Integer.compare(a, b)));
            }
        }
    }

    @Test
    void textIsUtf8ByteOrderAsCollateC() {
        KeyOrder o = new KeyOrder(schema(ColumnType.TEXT));
        // C collation: uppercase before lowercase, prefix before longer, code points above 127 after ASCII,
        // and a supplementary character (4 UTF-8 bytes, a surrogate pair in Java) after U+FFFD (3 bytes)
        List<String> sorted = List.of("", "A", "B", "Z", "a", "ab", "b", "é", "\uFFFD", "\uD83D\uDE00");
        for (int a = 0; a < sorted.size(); a++) {
            for (int b = 0; b < sorted.size(); b++) {
                int ia = a;
                int ib = b;
                assertThat(o.compare(key(w -> w.writeText(sorted.get(ia))), key(w -> w.writeText(sorted.get(ib)))))
                        .as(sorted.get(a) + " vs " + sorted.get(b)).isEqualTo(Integer.signum(Integer.compare(a, b)));
            }
        }
        assertThat("\uFFFD".compareTo("\uD83D\uDE00")).as("Java's String order differs here; the comparator must not use it").isPositive();
    }

    private static String bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return key(w -> w.writeBytes(b));
    }

    /**
     * bytea's order (PostgreSQL's byteacmp: memcmp over the common length, then the shorter first; VARBYTE's by
     * Redshift's docs): unsigned bytes, so 0x80 and 0xFF after 0x7F, and a prefix, the empty value first, before longer.
     * A length-first or signed comparison (Java's byte) gets some of these wrong.
     */
    @Test
    void bytesAreUnsignedBytewiseAPrefixFirstAsBytea() {
        KeyOrder o = new KeyOrder(schema(ColumnType.BYTES));
        List<String> sorted = List.of(bytes(), bytes(0x00), bytes(0x00, 0x00), bytes(0x00, 0x01), bytes(0x01), bytes(0x7F),
                bytes(0x7F, 0xFF, 0xFF), bytes(0x80), bytes(0xFE, 0xFF), bytes(0xFF), bytes(0xFF, 0x00), bytes(0xFF, 0xFF));
        for (int a = 0; a < sorted.size(); a++) {
            for (int b = 0; b < sorted.size(); b++) {
                assertThat(o.compare(sorted.get(a), sorted.get(b))).as("bytes #%d vs #%d", a, b).isEqualTo(Integer.signum(Integer.compare(a, b)));
            }
        }
    }

    @Test
    void booleansFalseBeforeTrueThenTheNextColumn() {
        KeyOrder o = new KeyOrder(schema(ColumnType.BOOLEAN, ColumnType.INTEGER));
        String f9 = key(w -> w.writeBoolean(false), w -> w.writeInteger(9));
        String t1 = key(w -> w.writeBoolean(true), w -> w.writeInteger(1));
        String t2 = key(w -> w.writeBoolean(true), w -> w.writeInteger(2));
        assertThat(o.compareWithColumn(f9, t1)).isEqualTo(-1);
        assertThat(o.compareWithColumn(t1, f9)).isEqualTo(1);
        assertThat(o.compareWithColumn(t2, t1)).isEqualTo(2);
        assertThat(o.compare(t1, key(w -> w.writeBoolean(true), w -> w.writeInteger(1)))).isZero();
        // NULLS LAST, as for every type (a NULL key is a data issue the encoder flags; the order still places it)
        assertThat(o.compare(key(CanonicalRowWriter::writeNull, w -> w.writeInteger(0)), t2)).isPositive();
    }

    @Test
    void decimalsByValueWhateverTheScale() {
        KeyOrder o = new KeyOrder(schema(ColumnType.DECIMAL));
        assertThat(o.compare(key(w -> w.writeDecimal(new BigDecimal("1.50"))), key(w -> w.writeDecimal(new BigDecimal("1.5"))))).isZero();
        assertThat(o.compare(key(w -> w.writeDecimal(new BigDecimal("-2"))), key(w -> w.writeDecimal(new BigDecimal("-1.99"))))).isNegative();
        assertThat(o.compare(key(w -> w.writeDecimal(new BigDecimal("10"))), key(w -> w.writeDecimal(new BigDecimal("9.999"))))).isPositive();
    }

    @Test
    void datesAndTimestampsWithInfinities() {
        KeyOrder o = new KeyOrder(schema(ColumnType.DATE, ColumnType.TIMESTAMP));
        String minusInf = key(w -> w.writeDate(LocalDate.MIN), w -> w.writeTimestamp(LocalDateTime.of(2020, 1, 1, 0, 0)));
        String early = key(w -> w.writeDate(LocalDate.of(1960, 1, 1)), w -> w.writeTimestamp(LocalDateTime.of(2020, 1, 1, 0, 0)));
        String sameDayLater = key(w -> w.writeDate(LocalDate.of(1960, 1, 1)), w -> w.writeTimestamp(LocalDateTime.of(2020, 1, 1, 0, 0, 1)));
        String inf = key(w -> w.writeDate(LocalDate.MAX), w -> w.writeTimestamp(LocalDateTime.of(1999, 1, 1, 0, 0)));
        assertThat(o.compare(minusInf, early)).isNegative();
        assertThat(o.compare(early, sameDayLater)).isNegative();
        assertThat(o.compareWithColumn(early, sameDayLater)).as("the second column decides").isEqualTo(-2);
        assertThat(o.column(o.compareWithColumn(early, sameDayLater))).isEqualTo("k1");
        assertThat(o.compare(sameDayLater, inf)).isNegative();
    }

    @Test
    void compositeKeyWithTextSecond() {
        KeyOrder o = new KeyOrder(schema(ColumnType.INTEGER, ColumnType.TEXT));
        String a = key(w -> w.writeInteger(1), w -> w.writeText("b"));
        String b = key(w -> w.writeInteger(1), w -> w.writeText("ba"));
        String c = key(w -> w.writeInteger(2), w -> w.writeText("A"));
        assertThat(o.compare(a, b)).isNegative();
        assertThat(o.compare(b, c)).isNegative();
        assertThat(o.compare(c, a)).isPositive();
        assertThat(o.compare(a, key(w -> w.writeInteger(1), w -> w.writeText("b")))).isZero();
        assertThat(KeyOrder.firstInteger(c)).isEqualTo(2L);
    }

    @Test
    void nullsSortLast() {
        KeyOrder o = new KeyOrder(schema(ColumnType.INTEGER));
        assertThat(o.compare(key(CanonicalRowWriter::writeNull), i(Long.MAX_VALUE))).isPositive();
        assertThat(KeyOrder.firstInteger(key(CanonicalRowWriter::writeNull))).isNull();
    }

    /** Random composite keys (each key column's value or NULL) against their values' order, column by column. */
    @Test
    void randomKeysCompareAsTheirValuesNamingTheColumnThatDecides() {
        java.util.Random random = new java.util.Random(42);
        ColumnType[] types = {ColumnType.INTEGER, ColumnType.TEXT, ColumnType.DECIMAL, ColumnType.TIMESTAMP, ColumnType.BOOLEAN, ColumnType.BYTES};
        for (int round = 0; round < 200; round++) {
            ColumnType[] key = new ColumnType[1 + random.nextInt(3)];
            for (int c = 0; c < key.length; c++) {
                key[c] = types[random.nextInt(types.length)];
            }
            KeyOrder o = new KeyOrder(schema(key));
            List<Object[]> values = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                Object[] v = new Object[key.length];
                for (int c = 0; c < key.length; c++) {
                    // few distinct values per column, so that later columns decide often
                    v[c] = random.nextInt(10) == 0 ? null : switch (key[c]) {
                        case TEXT -> List.of("", "a", "ab", "b", "é", "\uD83D\uDE00", "Z", "a\u0000").get(random.nextInt(8));
                        case BOOLEAN -> random.nextBoolean();
                        case BYTES -> List.of(new byte[0], new byte[] {0}, new byte[] {0, 0}, new byte[] {0x7F}, new byte[] {(byte) 0x80},
                                new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xFF, 0}, new byte[] {1, 2, 3}).get(random.nextInt(8));
                        case DECIMAL -> BigDecimal.valueOf(random.nextInt(7) - 3, random.nextInt(3) - 1)
                                .multiply(random.nextBoolean() ? BigDecimal.ONE : new BigDecimal("1E+20"));
                        default -> List.of(Long.MIN_VALUE, -256L, -1L, 0L, 1L, 255L, 256L, Long.MAX_VALUE).get(random.nextInt(8));
                    };
                }
                values.add(v);
            }
            for (Object[] a : values) {
                for (Object[] b : values) {
                    int expected = 0;
                    for (int c = 0; c < key.length && expected == 0; c++) {
                        int r = compareValues(a[c], b[c]);
                        expected = r == 0 ? 0 : Integer.signum(r) * (c + 1);
                    }
                    String ka = encode(key, a);
                    String kb = encode(key, b);
                    assertThat(o.compareWithColumn(ka, kb)).as("%s vs %s", java.util.Arrays.toString(a), java.util.Arrays.toString(b))
                            .isEqualTo(expected);
                    assertThat(o.compare(ka, kb)).isEqualTo(Integer.signum(expected));
                }
            }
        }
    }

    /** NULLs last, then numbers by value and text by its UTF-8 bytes. */
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a instanceof String x) {
            return java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    ((String) b).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (a instanceof BigDecimal x) {
            return x.compareTo((BigDecimal) b);
        }
        if (a instanceof Boolean x) {
            return Boolean.compare(x, (Boolean) b);
        }
        if (a instanceof byte[] x) {
            return java.util.Arrays.compareUnsigned(x, (byte[]) b);
        }
        return Long.compare((Long) a, (Long) b);
    }

    private static String encode(ColumnType[] types, Object[] values) {
        return key(w -> {
            for (int c = 0; c < types.length; c++) {
                Object v = values[c];
                if (v == null) {
                    w.writeNull();
                } else if (types[c] == ColumnType.TEXT) {
                    w.writeText((String) v);
                } else if (types[c] == ColumnType.DECIMAL) {
                    w.writeDecimal((BigDecimal) v);
                } else if (types[c] == ColumnType.BOOLEAN) {
                    w.writeBoolean((Boolean) v);
                } else if (types[c] == ColumnType.BYTES) {
                    w.writeBytes((byte[]) v);
                } else {
                    w.writeTimestampMicros(types[c], (Long) v);
                }
            }
        });
    }

    @Test
    void aTruncatedKeyIsRefusedNotReadPastItsEnd() {
        KeyOrder o = new KeyOrder(schema(ColumnType.INTEGER, ColumnType.TEXT));
        String whole = key(w -> w.writeInteger(1), w -> w.writeText("a much longer text than the other"));
        String other = key(w -> w.writeInteger(1), w -> w.writeText("b"));
        assertThat(o.compare(whole, other)).isNegative(); // leaves the longer key's bytes in the buffers
        String truncated = other.substring(0, other.length() - 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.compare(whole, truncated))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.compare(i(5).substring(0, 5), i(6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }

    /** Every column type has a proven order now (json last, by its text): no key is refused for its types. */
    @Test
    void everyColumnTypeIsOrdered() {
        assertThat(KeyOrder.supports(schema(ColumnType.INTEGER, ColumnType.TEXT, ColumnType.DECIMAL, ColumnType.DATE,
                ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.TIME, ColumnType.BOOLEAN, ColumnType.BYTES,
                ColumnType.FLOAT, ColumnType.TIMETZ, ColumnType.JSON))).isTrue();
        for (ColumnType t : ColumnType.values()) {
            assertThat(KeyOrder.ordered(t)).as("%s", t).isTrue();
        }
    }

    private static String j(String json) {
        return key(w -> w.writeJson(json));
    }

    /**
     * JSON keys by the UTF-8 bytes of their text, unsigned, a prefix first, as PostgreSQL's {@code ORDER BY k::text COLLATE "C"}
     * (JsonKeyOrderTest checks that against PostgreSQL): not by jsonb's own order, which would put 2 before 10 and a shorter
     * object first. NULL last; in a composite key the JSON column decides only among equal earlier columns.
     */
    @Test
    void jsonByTheUnsignedBytesOfItsText() {
        KeyOrder o = new KeyOrder(schema(ColumnType.JSON));
        // "\\u00e9" is the six characters of a JSON escape (json keeps them; jsonb's text has the letter itself)
        String[] ascending = {"\"\"", "\"\\u00e9\"", "\"a\"", "\"é\"", "\"中\"", "\"😀\"", "-1", "1", "1.0", "1.00", "10", "2",
            "[1, 2]", "[]", "false", "null", "true", "{\"a\": 1, \"b\": 2}", "{\"a\": 1}", "{\"b\": 1}", "{}"};
        for (int x = 0; x < ascending.length; x++) {
            for (int y = 0; y < ascending.length; y++) {
                assertThat(o.compare(j(ascending[x]), j(ascending[y]))).as("%s vs %s", ascending[x], ascending[y])
                        .isEqualTo(Integer.signum(Integer.compare(x, y)));
            }
        }
        assertThat(o.compare(j("{}"), key(CanonicalRowWriter::writeNull))).as("NULL last").isNegative();
        KeyOrder composite = new KeyOrder(schema(ColumnType.INTEGER, ColumnType.JSON));
        String a = key(w -> w.writeInteger(1), w -> w.writeJson("{}"));
        String b = key(w -> w.writeInteger(2), w -> w.writeJson("[]"));
        String c = key(w -> w.writeInteger(2), w -> w.writeJson("{}"));
        assertThat(composite.compare(a, b)).isNegative();
        assertThat(composite.compareWithColumn(b, c)).isEqualTo(-2);
        assertThat(composite.column(composite.compareWithColumn(b, c))).isEqualTo("k1");
    }

    private static String f(double v) {
        return key(w -> w.writeFloat(v));
    }

    /** PostgreSQL's float order: -Infinity, negatives, zero, positives, Infinity, NaN; -0 = 0, one NaN. */
    @Test
    void floatsInPostgresOrderNanLastMinusZeroIsZero() {
        KeyOrder o = new KeyOrder(schema(ColumnType.FLOAT));
        double[] ascending = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.5, -Double.MIN_NORMAL, -Double.MIN_VALUE, 0.0,
            Double.MIN_VALUE, Double.MIN_NORMAL, 1.0, (double) Float.MAX_VALUE, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN};
        for (int a = 0; a < ascending.length; a++) {
            for (int b = 0; b < ascending.length; b++) {
                assertThat(o.compare(f(ascending[a]), f(ascending[b]))).as("%s vs %s", ascending[a], ascending[b])
                        .isEqualTo(Integer.compare(a, b));
            }
        }
        // the writer's normalisation gives -0 and every NaN one key; the comparator agrees even on raw bits
        assertThat(f(-0.0)).isEqualTo(f(0.0));
        assertThat(f(Double.longBitsToDouble(0x7ff8000000000001L))).isEqualTo(f(Double.NaN));
        String rawMinusZero = key(w -> w.writeFloat(1.0)).substring(0, 1) + Keys.fromBytes(java.nio.ByteBuffer.allocate(8).putLong(Long.MIN_VALUE).array());
        assertThat(o.compareWithColumn(rawMinusZero, f(0.0))).as("-0 bits against 0").isZero();
        assertThat(o.compareWithColumn(rawMinusZero, f(-Double.MIN_VALUE))).isPositive();
    }

    private static String tz(String text) {
        long[] t = Temporal.parseTimeTz(text);
        return key(w -> w.writeTimeTz(t[0], (int) t[1]));
    }

    /**
     * PostgreSQL's timetz_cmp_internal: by time minus offset east (not wrapped into a day), then by the offset east
     * descending (the zone west ascending); the same instant at two offsets is two keys.
     */
    @Test
    void timetzByUtcTimeThenOffsetEastDescending() {
        KeyOrder o = new KeyOrder(schema(ColumnType.TIMETZ));
        String[] ascending = {"00:00:00+15:59", "08:00:00+15:59", "00:00:00+01", "00:30:00+01", "01:00:00+01", "00:00:00+00",
            "12:00:00+00", "11:00:00-01", "12:00:00-00:00:01", "24:00:00+01", "23:00:00+00", "24:00:00+00", "23:59:59.999999-15:59"};
        // 00:00+01 is -1 h in UTC, not 23:00; 01:00+01 and 00:00+00 are one instant (+01 first), as are 24:00+01 and 23:00+00
        for (int a = 0; a < ascending.length; a++) {
            for (int b = 0; b < ascending.length; b++) {
                assertThat(o.compare(tz(ascending[a]), tz(ascending[b]))).as("%s vs %s", ascending[a], ascending[b])
                        .isEqualTo(Integer.compare(a, b));
            }
        }
    }
}
