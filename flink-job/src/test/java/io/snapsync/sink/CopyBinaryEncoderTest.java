package io.snapsync.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.CopyFormat.Wire;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The binary COPY encoder's bytes per type, read back by a decoder of the format written here from PostgreSQL's
 * {@code *_send}/{@code *_recv} definitions (the PostgreSQL test, {@code CopyBinaryPostgresTest}, checks that the
 * server stores what the text path stores).
 */
class CopyBinaryEncoderTest {
    private static Column col(ColumnType t, String sqlType) {
        return new Column("c", t, sqlType, t == ColumnType.FLOAT || t == ColumnType.INTEGER ? 8 : 0, 0, 0, true);
    }

    /** The fields of one encoded row (header, one tuple, trailer), each null or its bytes. */
    private static List<byte[]> fields(List<Column> columns, List<Wire> wires, Consumer<CanonicalRowWriter> row) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        row.accept(w);
        CopyBinaryEncoder e = new CopyBinaryEncoder(columns, wires);
        e.appendRow(w.toByteArray());
        e.finish();
        ByteBuffer b = ByteBuffer.wrap(e.buffer(), 0, e.length());
        byte[] signature = new byte[11];
        b.get(signature);
        assertThat(signature).isEqualTo(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
        assertThat(b.getInt()).as("flags").isZero();
        assertThat(b.getInt()).as("header extension").isZero();
        int n = b.getShort();
        assertThat(n).isEqualTo(columns.size());
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = b.getInt();
            if (len < 0) {
                out.add(null);
            } else {
                byte[] f = new byte[len];
                b.get(f);
                out.add(f);
            }
        }
        assertThat(b.getShort()).as("trailer").isEqualTo((short) -1);
        assertThat(b.remaining()).isZero();
        return out;
    }

    private static byte[] one(Column c, Wire w, Consumer<CanonicalRowWriter> row) {
        return fields(List.of(c), List.of(w), row).get(0);
    }

    /** numeric_send's form read back: the value at its display scale. */
    static BigDecimal numeric(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int ndigits = b.getShort();
        int weight = b.getShort();
        int sign = b.getShort() & 0xFFFF;
        int dscale = b.getShort();
        assertThat(sign).isIn(0, 0x4000);
        assertThat(f.length).isEqualTo(8 + 2 * ndigits);
        BigInteger v = BigInteger.ZERO;
        for (int i = 0; i < ndigits; i++) {
            int d = b.getShort();
            assertThat(d).isBetween(0, 9999);
            if (i == 0) {
                assertThat(d).as("no leading zero digit").isNotZero();
            }
            if (i == ndigits - 1) {
                assertThat(d).as("no trailing zero digit").isNotZero();
            }
            v = v.multiply(BigInteger.valueOf(10_000)).add(BigInteger.valueOf(d));
        }
        BigDecimal r = new BigDecimal(v).scaleByPowerOfTen(4 * (weight - ndigits + 1));
        if (sign == 0x4000) {
            r = r.negate();
        }
        if (ndigits == 0) {
            assertThat(weight).isZero();
            assertThat(sign).isZero();
        }
        return r.setScale(dscale); // throws if the display scale hid digits
    }

    private static short[] shorts(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        short[] s = new short[f.length / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = b.getShort();
        }
        return s;
    }

    @Test
    void nullAndEmptyAndTextAsItsUtf8Bytes() {
        Column t = col(ColumnType.TEXT, "text");
        List<byte[]> f = fields(List.of(t, t, t), List.of(Wire.TEXT, Wire.TEXT, Wire.TEXT), w -> {
            w.writeNull();
            w.writeText("");
            w.writeText("a\tb\\ü😀\n");
        });
        assertThat(f.get(0)).isNull();
        assertThat(f.get(1)).isEmpty();
        assertThat(f.get(2)).isEqualTo("a\tb\\ü😀\n".getBytes(StandardCharsets.UTF_8)); // no escapes, 4-byte UTF-8 as is
    }

    @Test
    void integersOfEveryWidthAndTheirRanges() {
        Column c = col(ColumnType.INTEGER, "bigint");
        assertThat(one(c, Wire.INT2, w -> w.writeInteger(Short.MIN_VALUE))).containsExactly(0x80, 0x00);
        assertThat(one(c, Wire.INT2, w -> w.writeInteger(Short.MAX_VALUE))).containsExactly(0x7F, 0xFF);
        assertThat(one(c, Wire.INT4, w -> w.writeInteger(Integer.MIN_VALUE))).containsExactly(0x80, 0, 0, 0);
        assertThat(one(c, Wire.INT4, w -> w.writeInteger(-1))).containsExactly(0xFF, 0xFF, 0xFF, 0xFF);
        assertThat(ByteBuffer.wrap(one(c, Wire.INT8, w -> w.writeInteger(Long.MIN_VALUE))).getLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(ByteBuffer.wrap(one(c, Wire.INT8, w -> w.writeInteger(Long.MAX_VALUE))).getLong()).isEqualTo(Long.MAX_VALUE);
        // what PostgreSQL refuses as text ("out of range for type smallint") is refused, never wrapped
        assertThatThrownBy(() -> one(c, Wire.INT2, w -> w.writeInteger(Short.MAX_VALUE + 1)))
                .hasMessageContaining("value 32768 is out of range for smallint");
        assertThatThrownBy(() -> one(c, Wire.INT2, w -> w.writeInteger(Short.MIN_VALUE - 1))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> one(c, Wire.INT4, w -> w.writeInteger(Integer.MAX_VALUE + 1L)))
                .hasMessageContaining("value 2147483648 is out of range for integer");
        assertThatThrownBy(() -> one(c, Wire.INT4, w -> w.writeInteger(Integer.MIN_VALUE - 1L))).hasMessageContaining("out of range");
    }

    @Test
    void numericDigitsWeightSignAndTheTextPathsScale() {
        Column scaled = new Column("c", ColumnType.DECIMAL, "numeric(15,2)", 0, 15, 2, true);
        Column free = new Column("c", ColumnType.DECIMAL, "numeric", 0, 0, 0, true);
        // 1.5 in numeric(15,2): the text path writes 1.50, so dscale 2; digits 0001 . 5000
        assertThat(shorts(one(scaled, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("1.5"))))).containsExactly(2, 0, 0, 2, 1, 5000);
        assertThat(shorts(one(free, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("1.50"))))).containsExactly(2, 0, 0, 1, 1, 5000);
        // zero: no digits, weight 0, positive, the scale the text path writes ("0.00", "0")
        assertThat(shorts(one(scaled, Wire.NUMERIC, w -> w.writeDecimal(BigDecimal.ZERO)))).containsExactly(0, 0, 0, 2);
        assertThat(shorts(one(free, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("0.000"))))).containsExactly(0, 0, 0, 0);
        assertThat(shorts(one(free, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("-12345.678")))))
                .containsExactly(3, 1, 0x4000, 3, 1, 2345, 6780);
        assertThat(shorts(one(free, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("0.00012"))))).containsExactly(2, -1, 0, 5, 1, 2000); // .0001 2000
        // a negative canonical scale (1E+10): whole digits, dscale 0, trailing zero groups dropped
        assertThat(shorts(one(free, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("1E+10"))))).containsExactly(1, 2, 0, 0, 100);
        // more scale than the column keeps: sent as is (the server rounds it by the typmod, as it rounds the text)
        assertThat(numeric(one(scaled, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("2.345"))))).isEqualTo(new BigDecimal("2.345"));
        // past a long (the BigDecimal route), huge and tiny
        BigDecimal huge = new BigDecimal("-98765432109876543210987654321.0123456789");
        assertThat(numeric(one(free, Wire.NUMERIC, w -> w.writeDecimal(huge)))).isEqualTo(huge);
        BigDecimal tiny = new BigDecimal("1E-300");
        assertThat(numeric(one(free, Wire.NUMERIC, w -> w.writeDecimal(tiny))).toPlainString()).isEqualTo(tiny.toPlainString());
        // an integer into numeric: scale 0
        Column integer = col(ColumnType.INTEGER, "bigint");
        assertThat(numeric(one(integer, Wire.NUMERIC, w -> w.writeInteger(Long.MIN_VALUE))))
                .isEqualTo(new BigDecimal(Long.MIN_VALUE));
        assertThat(shorts(one(integer, Wire.NUMERIC, w -> w.writeInteger(0)))).containsExactly(0, 0, 0, 0);
        // a scale numeric cannot hold is refused
        assertThatThrownBy(() -> one(free, Wire.NUMERIC, w -> w.writeDecimal(new BigDecimal("1E-16384"))))
                .hasMessageContaining("overflows PostgreSQL's numeric format");
    }

    @Test
    void numericsHoldTheTextPathsValueAndScale() {
        // every value, at its display scale, is exactly the text the text path writes (value and scale stored alike)
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        List<Column> columns = List.of(
                new Column("a", ColumnType.DECIMAL, "numeric(15,2)", 0, 15, 2, true),
                new Column("b", ColumnType.DECIMAL, "numeric", 0, 0, 0, true),
                new Column("c", ColumnType.DECIMAL, "numeric(30,12)", 0, 30, 12, true),
                new Column("d", ColumnType.DECIMAL, "numeric(5,0)", 0, 5, 0, true));
        List<Wire> wires = List.of(Wire.NUMERIC, Wire.NUMERIC, Wire.NUMERIC, Wire.NUMERIC);
        long[] edges = {0, 1, -1, 9999, 10000, -10001, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7, Long.MIN_VALUE + 3};
        for (int i = 0; i < 20_000; i++) {
            List<BigDecimal> values = new ArrayList<>();
            for (int k = 0; k < columns.size(); k++) {
                long u = i < edges.length ? edges[i] : r.nextLong() >> r.nextInt(64);
                BigInteger big = BigInteger.valueOf(u);
                if (r.nextInt(10) == 0) {
                    big = big.multiply(BigInteger.valueOf(r.nextLong(2, 1000))); // past a long
                }
                values.add(new BigDecimal(big, r.nextInt(-9, 25)));
            }
            List<byte[]> f = fields(columns, wires, w -> values.forEach(w::writeDecimal));
            for (int k = 0; k < columns.size(); k++) {
                BigDecimal v = values.get(k);
                BigDecimal canonical = v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
                assertThat(numeric(f.get(k)).toPlainString()).as("%s in %s", v, columns.get(k).sqlType())
                        .isEqualTo(CopyTextEncoder.decimal(canonical, columns.get(k)));
            }
        }
    }

    @Test
    void floatsAsTheirBitsNaNAndInfinities() {
        Column d = col(ColumnType.FLOAT, "double precision");
        Column f = new Column("c", ColumnType.FLOAT, "real", 4, 0, 0, true);
        for (double v : new double[] {0.1, -0.0, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY}) {
            assertThat(ByteBuffer.wrap(one(d, Wire.FLOAT8, w -> w.writeFloat(v))).getLong())
                    .isEqualTo(Double.doubleToLongBits(v == 0.0 ? 0.0 : v));
        }
        for (float v : new float[] {0.1f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN, Float.NEGATIVE_INFINITY}) {
            assertThat(ByteBuffer.wrap(one(f, Wire.FLOAT4, w -> w.writeFloat(v))).getInt()).isEqualTo(Float.floatToIntBits(v));
        }
    }

    @Test
    void boolByteaJsonAndJsonb() {
        assertThat(one(col(ColumnType.BOOLEAN, "boolean"), Wire.BOOL, w -> w.writeBoolean(true))).containsExactly(1);
        assertThat(one(col(ColumnType.BOOLEAN, "boolean"), Wire.BOOL, w -> w.writeBoolean(false))).containsExactly(0);
        assertThat(one(col(ColumnType.BYTES, "bytea"), Wire.BYTEA, w -> w.writeBytes(new byte[] {0, (byte) 0xAB, '\\'})))
                .containsExactly(0, 0xAB, '\\');
        assertThat(one(col(ColumnType.BYTES, "bytea"), Wire.BYTEA, w -> w.writeBytes(new byte[0]))).isEmpty();
        assertThat(one(col(ColumnType.JSON, "json"), Wire.TEXT, w -> w.writeJson("{\"a\": 1}")))
                .isEqualTo("{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        assertThat(one(col(ColumnType.JSON, "jsonb"), Wire.JSONB, w -> w.writeJson("{\"a\": \"ü\"}")))
                .isEqualTo(("\u0001{\"a\": \"ü\"}").getBytes(StandardCharsets.UTF_8)); // version 1, then the text
    }

    @Test
    void datesAndTimestampsSince2000WithInfinities() {
        Column date = col(ColumnType.DATE, "date");
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE, w -> w.writeDate(LocalDate.of(2000, 1, 1)))).getInt()).isZero();
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE, w -> w.writeDate(LocalDate.of(1999, 12, 31)))).getInt()).isEqualTo(-1);
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE, w -> w.writeDate(LocalDate.of(-4712, 1, 1)))).getInt())
                .isEqualTo((int) (LocalDate.of(-4712, 1, 1).toEpochDay() - 10_957));
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE, w -> w.writeDateDays(Long.MAX_VALUE))).getInt()).isEqualTo(Integer.MAX_VALUE);
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE, w -> w.writeDateDays(Long.MIN_VALUE))).getInt()).isEqualTo(Integer.MIN_VALUE);
        // a finite date past int4 must not wrap, nor become an infinity
        assertThatThrownBy(() -> one(date, Wire.DATE, w -> w.writeDateDays(10_957L + Integer.MAX_VALUE)))
                .hasMessageContaining("date out of range");
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE_AS_TIMESTAMP, w -> w.writeDate(LocalDate.of(2000, 1, 2)))).getLong())
                .isEqualTo(86_400_000_000L);
        assertThat(ByteBuffer.wrap(one(date, Wire.DATE_AS_TIMESTAMP, w -> w.writeDateDays(Long.MIN_VALUE))).getLong())
                .isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> one(date, Wire.DATE_AS_TIMESTAMP, w -> w.writeDateDays(200_000_000L)))
                .hasMessageContaining("timestamp out of range");
        Column ts = col(ColumnType.TIMESTAMPTZ, "timestamptz");
        for (long v : new long[] {0, -1, 123_456_789_012L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(ByteBuffer.wrap(one(ts, Wire.TIMESTAMP, w -> w.writeTimestampMicros(ColumnType.TIMESTAMPTZ, v))).getLong())
                    .isEqualTo(v);
        }
        assertThat(ByteBuffer.wrap(one(col(ColumnType.TIME, "time"), Wire.TIME, w -> w.writeTimeMicros(86_400_000_000L))).getLong())
                .isEqualTo(86_400_000_000L);
    }

    @Test
    void timetzZoneIsSecondsWestOfUtc() {
        Column c = col(ColumnType.TIMETZ, "timetz");
        // 12:00+05:30 (east): PostgreSQL stores and sends zone -19800
        ByteBuffer east = ByteBuffer.wrap(one(c, Wire.TIMETZ, w -> w.writeTimeTz(43_200_000_000L, 5 * 3600 + 30 * 60)));
        assertThat(east.getLong()).isEqualTo(43_200_000_000L);
        assertThat(east.getInt()).isEqualTo(-19_800);
        ByteBuffer west = ByteBuffer.wrap(one(c, Wire.TIMETZ, w -> w.writeTimeTz(1, -(15 * 3600 + 59 * 60))));
        assertThat(west.getLong()).isEqualTo(1);
        assertThat(west.getInt()).isEqualTo(15 * 3600 + 59 * 60);
    }

    @Test
    void uuidFromItsTextFormsAsUuidInReadsThem() {
        Column c = new Column("c", ColumnType.TEXT, "uuid", 0, 0, 0, true);
        byte[] expected = {(byte) 0xa0, (byte) 0xee, (byte) 0xbc, (byte) 0x99, (byte) 0x9c, 0x0b, 0x4e, (byte) 0xf8, (byte) 0xbb, 0x6d,
            0x6b, (byte) 0xb9, (byte) 0xbd, 0x38, 0x0a, 0x11};
        for (String s : new String[] {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"}) {
            assertThat(one(c, Wire.UUID, w -> w.writeText(s))).as(s).isEqualTo(expected);
        }
        for (String s : new String[] {"", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11x",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}) {
            assertThatThrownBy(() -> one(c, Wire.UUID, w -> w.writeText(s))).as(s)
                    .hasMessageContaining("invalid input syntax for type uuid");
        }
    }

    @Test
    void trailingBookkeepingColumnsAndSeveralRows() {
        List<Column> columns = List.of(col(ColumnType.INTEGER, "bigint"));
        CopyBinaryEncoder e = new CopyBinaryEncoder(columns, List.of(Wire.INT8), 4, 4, 8);
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(7);
        e.appendRow(w.toByteArray(), 3, 1, 5_000_000_000L);
        int afterFirst = e.length();
        e.clear(); // flushed: the next bytes are the next tuple's, the header is not repeated
        e.appendRow(w.toByteArray(), 3, 1, 5_000_000_001L);
        e.finish();
        ByteBuffer b = ByteBuffer.wrap(e.buffer(), 0, e.length());
        assertThat(b.getShort()).isEqualTo((short) 4);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).isEqualTo(7);
        assertThat(b.getInt()).isEqualTo(4);
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(b.getInt()).isEqualTo(4);
        assertThat(b.getInt()).isEqualTo(1);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).isEqualTo(5_000_000_001L);
        assertThat(b.getShort()).isEqualTo((short) -1);
        assertThat(afterFirst).isEqualTo(19 + e.length() - 2);
    }
}
