package io.snapsync.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueValidatorTest {
    private final TableSchema schema = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("c", ColumnType.TEXT, "text", 0, 0, 0, true),
            new Column("n", ColumnType.DECIMAL, "numeric", 0, 0, 0, true)), List.of("id"));

    private static byte[] row(long id, String c, String n) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        if (c == null) w.writeNull(); else w.writeText(c);
        if (n == null) w.writeNull(); else w.writeDecimal(new BigDecimal(n));
        return w.toByteArray();
    }

    @Test
    void decodesTypmods() {
        assertThat(TargetColumn.of("c", "character varying", 14).length()).isEqualTo(10);
        assertThat(TargetColumn.of("c", "character varying", -1).length()).isEqualTo(-1);
        TargetColumn n = TargetColumn.of("n", "numeric", ((12 << 16) | 4) + 4);
        assertThat(n.precision()).isEqualTo(12);
        assertThat(n.scale()).isEqualTo(4);
        assertThat(n.describe()).isEqualTo("numeric(12,4)");
    }

    @Test
    void charactersAreCountedAsPostgreSqlCountsThem() {
        ValueValidator v = new ValueValidator("t", schema, List.of(TargetColumn.of("c", "character varying", 3 + 4)));
        assertThat(v.check(row(1, "äö😀", null))).as("3 code points, 9 UTF-8 bytes").isNull();
        assertThat(v.check(row(1, "abcd", null))).isEqualTo("column \"c\": a value of 4 characters does not fit character varying(3)");
        assertThat(v.check(row(1, "ab  ", null))).as("varchar would silently cut the spaces").isNotNull();
        ValueValidator ch = new ValueValidator("t", schema, List.of(TargetColumn.of("c", "character", 3 + 4)));
        assertThat(ch.check(row(1, "ab   ", null))).as("char(n) ignores trailing spaces").isNull();
        assertThat(v.check(row(1, null, null))).isNull();
    }

    @Test
    void numericsMustKeepEveryDigit() {
        ValueValidator v = new ValueValidator("t", schema, List.of(TargetColumn.of("n", "numeric", ((5 << 16) | 2) + 4)));
        assertThat(v.check(row(1, null, "999.99"))).isNull();
        assertThat(v.check(row(1, null, "-0.5"))).isNull();
        assertThat(v.check(row(1, null, "1.001"))).contains("3 decimal places");
        assertThat(v.check(row(1, null, "1000"))).contains("4 digits before the point; numeric(5,2) allows 3");
        assertThat(new ValueValidator("t", schema, List.of(TargetColumn.of("n", "numeric", -1))).check(row(1, null, "1e-30"))).isNull();
    }

    @Test
    void nullIntoANotNullColumnIsRefused() {
        ValueValidator v = new ValueValidator("t", schema, List.of(TargetColumn.of("c", "text", -1, true)));
        assertThat(v.check(row(1, null, null))).isEqualTo("column \"c\": NULL, but the target column is NOT NULL");
        assertThat(v.check(row(1, "x", null))).isNull();
    }

    @Test
    void integersMustFitTheTargetColumnsRange() {
        ValueValidator small = new ValueValidator("t", schema, List.of(TargetColumn.of("id", "smallint", -1)));
        assertThat(small.check(row(32767, null, null))).isNull();
        assertThat(small.check(row(-32768, null, null))).isNull();
        assertThat(small.check(row(32768, null, null))).isEqualTo("column \"id\": value 32768 is out of range for smallint");
        ValueValidator integer = new ValueValidator("t", schema, List.of(TargetColumn.of("id", "integer", -1)));
        assertThat(integer.check(row(Integer.MAX_VALUE, null, null))).isNull();
        assertThat(integer.check(row(Integer.MIN_VALUE - 1L, null, null))).isEqualTo("column \"id\": value -2147483649 is out of range for integer");
        ValueValidator big = new ValueValidator("t", schema, List.of(TargetColumn.of("id", "bigint", -1)));
        assertThat(big.check(row(Long.MIN_VALUE, null, null))).isNull();
    }

    @Test
    void aTextThatFitsByItsByteLengthIsNotDecoded() {
        ValueValidator v = new ValueValidator("t", schema, List.of(TargetColumn.of("c", "character varying", 4 + 4)));
        assertThat(v.check(row(1, "abcd", null))).as("4 bytes for 4 characters").isNull();
        assertThat(v.check(row(1, "ääää", null))).as("8 bytes, 4 characters: decoded and counted").isNull();
        assertThat(v.check(row(1, "äääää", null))).isEqualTo("column \"c\": a value of 5 characters does not fit character varying(4)");
        assertThat(v.check(row(1, "abcde", null))).isEqualTo("column \"c\": a value of 5 characters does not fit character varying(4)");
    }

    @Test
    void decimalChecksFromLongsAgreeWithTheBigDecimalChecks() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            int precision = r.nextInt(1, 25);
            int scale = r.nextInt(8) == 0 ? r.nextInt(-3, precision + 4) : r.nextInt(0, precision + 1);
            TargetColumn target = new TargetColumn("n", "numeric", -1, precision, scale, false);
            ValueValidator v = new ValueValidator("t", schema, List.of(target));
            long u = r.nextInt(6) == 0 ? (r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE) - r.nextInt(-1, 2) * r.nextInt(3)
                    : r.nextLong() >> r.nextInt(64);
            java.math.BigInteger big = java.math.BigInteger.valueOf(u);
            if (r.nextInt(10) == 0) {
                big = big.multiply(java.math.BigInteger.valueOf(r.nextLong(2, 1000))); // past a long: 9+ bytes
            }
            BigDecimal value = new BigDecimal(big, r.nextInt(-4, 12));
            CanonicalRowWriter w = new CanonicalRowWriter();
            w.writeInteger(1);
            w.writeNull();
            w.writeDecimal(value);
            BigDecimal canonical = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
            String problem = ValueValidator.decimal(canonical, target);
            assertThat(v.check(w.toByteArray())).as("%s in numeric(%d,%d)", value, precision, scale)
                    .isEqualTo(problem == null ? null : "column \"n\": " + problem);
        }
    }
}
