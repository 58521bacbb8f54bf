package io.snapsync.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyTextEncoderTest {
    private static Column col(ColumnType t) {
        return new Column("c", t, "x", 8, 0, 0, true);
    }

    private static String line(List<Column> cols, byte[] row) {
        CopyTextEncoder e = new CopyTextEncoder(cols);
        e.appendRow(row, 3, 0);
        return new String(e.buffer(), 0, e.length(), StandardCharsets.UTF_8);
    }

    @Test
    void escapesCopySpecialCharactersAndWritesNulls() {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeText("a\tb\nc\\d\re");
        w.writeNull();
        w.writeText("");
        assertThat(line(List.of(col(ColumnType.TEXT), col(ColumnType.TEXT), col(ColumnType.TEXT)), w.toByteArray()))
                .isEqualTo("a\\tb\\nc\\\\d\\re\t\\N\t\t3\t0\n");
    }

    @Test
    void multiByteTextAndJsonAreCopiedAsTheirUtf8BytesWithEscapes() {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeText("Zürich\t東京\\😀\n");
        w.writeJson("{\"k\": \"ä\\tb\"}");
        w.writeInteger(Long.MIN_VALUE);
        w.writeBoolean(true);
        assertThat(line(List.of(col(ColumnType.TEXT), col(ColumnType.JSON), col(ColumnType.INTEGER), col(ColumnType.BOOLEAN)),
                w.toByteArray()))
                .isEqualTo("Zürich\\t東京\\\\😀\\n\t{\"k\": \"ä\\\\tb\"}\t-9223372036854775808\tt\t3\t0\n");
    }

    @Test
    void byteaIsHexWithEscapedBackslash() {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeBytes(new byte[] {0, (byte) 0xAB});
        assertThat(line(List.of(col(ColumnType.BYTES)), w.toByteArray())).isEqualTo("\\\\x00ab\t3\t0\n");
    }

    @Test
    void scaledDecimalsGetTheirScaleBack() {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeDecimal(new BigDecimal("1.50"));
        w.writeDecimal(new BigDecimal("100"));
        Column scaled = new Column("c", ColumnType.DECIMAL, "numeric(10,2)", 0, 10, 2, true);
        Column free = new Column("c", ColumnType.DECIMAL, "numeric", 0, 0, 0, true);
        assertThat(line(List.of(scaled, free), w.toByteArray())).isEqualTo("1.50\t100\t3\t0\n");
    }

    @Test
    void datesBeforeChristAndAfter9999() {
        assertThat(CopyTextEncoder.dateText(LocalDate.of(0, 1, 1).toEpochDay())).isEqualTo("0001-01-01 BC");
        assertThat(CopyTextEncoder.dateText(LocalDate.of(-4712, 1, 1).toEpochDay())).isEqualTo("4713-01-01 BC");
        assertThat(CopyTextEncoder.dateText(LocalDate.of(12345, 6, 7).toEpochDay())).isEqualTo("12345-06-07");
        assertThat(CopyTextEncoder.dateText(Long.MAX_VALUE)).isEqualTo("infinity");
    }

    @Test
    void timestampsKeepMicroseconds() {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeTimestamp(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000));
        w.writeTimestampMicros(ColumnType.TIMESTAMPTZ, 0);
        assertThat(line(List.of(col(ColumnType.TIMESTAMP), col(ColumnType.TIMESTAMPTZ)), w.toByteArray()))
                .isEqualTo("2024-02-29 23:59:59.123456\t2000-01-01 00:00:00+00\t3\t0\n");
    }

    @Test
    void floatsRoundTripAndSpecialValues() {
        assertThat(CopyTextEncoder.floatText(0.1, 8)).isEqualTo("0.1");
        assertThat(CopyTextEncoder.floatText((float) 0.1f, 4)).isEqualTo("0.1");
        assertThat(CopyTextEncoder.floatText(Double.NaN, 8)).isEqualTo("NaN");
        assertThat(CopyTextEncoder.floatText(Double.NEGATIVE_INFINITY, 8)).isEqualTo("-Infinity");
    }

    @Test
    void timeTzWithOddOffsets() {
        assertThat(Temporal.timeTzText(3_600_000_000L + 1, -(3 * 3600 + 30 * 60))).isEqualTo("01:00:00.000001-03:30");
        assertThat(Temporal.timeText(86_400_000_000L)).isEqualTo("24:00:00");
    }

    @Test
    void datesTimestampsAndTimesAsStringFormatWroteThem() {
        // the digit-by-digit formatting must match the String.format one it replaced, across eras and widths
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            long day = random.nextInt(2 * 4_000_000) - 4_000_000; // about 11000 BC to AD 12900
            LocalDate d = LocalDate.ofEpochDay(day);
            int y = d.getYear() <= 0 ? 1 - d.getYear() : d.getYear();
            String era = d.getYear() <= 0 ? " BC" : "";
            assertThat(CopyTextEncoder.dateText(day))
                    .isEqualTo(String.format("%04d-%02d-%02d", y, d.getMonthValue(), d.getDayOfMonth()) + era);
            long micros = random.nextLong() % 400_000_000_000_000_000L;
            LocalDateTime t = Temporal.localDateTime(micros);
            int ty = t.getYear() <= 0 ? 1 - t.getYear() : t.getYear();
            assertThat(CopyTextEncoder.timestampText(micros)).isEqualTo(
                    String.format("%04d-%02d-%02d", ty, t.getMonthValue(), t.getDayOfMonth()) + " "
                    + Temporal.timeText(t.toLocalTime().toNanoOfDay() / 1000) + (t.getYear() <= 0 ? " BC" : ""));
            long time = Math.floorMod(random.nextLong(), 86_400_000_001L);
            if (i % 3 == 0) {
                time -= time % 1_000_000; // whole seconds: no fraction written
            }
            CanonicalRowWriter w = new CanonicalRowWriter();
            w.writeTimeMicros(time);
            assertThat(line(List.of(col(ColumnType.TIME)), w.toByteArray())).isEqualTo(Temporal.timeText(time) + "\t3\t0\n");
        }
        assertThat(CopyTextEncoder.timestampText(Long.MIN_VALUE)).isEqualTo("-infinity");
        assertThat(CopyTextEncoder.dateText(Long.MIN_VALUE)).isEqualTo("-infinity");
    }

    @Test
    void decimalsTakenFromLongsAreWrittenAsTheBigDecimalRouteWritesThem() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(8);
        List<Column> columns = List.of(
                new Column("a", ColumnType.DECIMAL, "numeric(15,2)", 0, 15, 2, true),
                new Column("b", ColumnType.DECIMAL, "numeric", 0, 0, 0, true),
                new Column("c", ColumnType.DECIMAL, "numeric(30,12)", 0, 30, 12, true),
                new Column("d", ColumnType.DECIMAL, "numeric(5,0)", 0, 5, 0, true));
        long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7, Long.MIN_VALUE + 3, 1000, -5000};
        for (int i = 0; i < 20_000; i++) {
            CanonicalRowWriter w = new CanonicalRowWriter();
            StringBuilder expected = new StringBuilder();
            for (Column c : columns) {
                long u = i < edges.length ? edges[i] : r.nextLong() >> r.nextInt(64);
                java.math.BigInteger big = java.math.BigInteger.valueOf(u);
                if (r.nextInt(10) == 0) {
                    big = big.multiply(java.math.BigInteger.valueOf(r.nextLong(2, 1000))); // past a long: 9+ bytes
                }
                BigDecimal v = new BigDecimal(big, r.nextInt(-6, 20));
                w.writeDecimal(v);
                BigDecimal canonical = v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
                expected.append(CopyTextEncoder.decimal(canonical, c)).append('\t');
            }
            assertThat(line(columns, w.toByteArray())).isEqualTo(expected + "3\t0\n");
        }
    }

    @Test
    void everyTypeIsWrittenAsTheStringBuilderEncoderWroteIt() {
        List<Column> columns = List.of(
                new Column("b", ColumnType.BOOLEAN, "boolean", 1, 0, 0, true),
                new Column("i", ColumnType.INTEGER, "bigint", 8, 0, 0, true),
                new Column("n", ColumnType.DECIMAL, "numeric(15,2)", 0, 15, 2, true),
                new Column("f", ColumnType.DECIMAL, "numeric", 0, 0, 0, true),
                new Column("r", ColumnType.FLOAT, "real", 4, 0, 0, true),
                new Column("d", ColumnType.FLOAT, "double precision", 8, 0, 0, true),
                new Column("t", ColumnType.TEXT, "text", 0, 0, 0, true),
                new Column("j", ColumnType.JSON, "jsonb", 0, 0, 0, true),
                new Column("y", ColumnType.BYTES, "bytea", 0, 0, 0, true),
                new Column("dt", ColumnType.DATE, "date", 8, 0, 0, true),
                new Column("ts", ColumnType.TIMESTAMP, "timestamp", 8, 0, 0, true),
                new Column("tz", ColumnType.TIMESTAMPTZ, "timestamptz", 8, 0, 0, true),
                new Column("tm", ColumnType.TIME, "time", 8, 0, 0, true),
                new Column("tt", ColumnType.TIMETZ, "timetz", 12, 0, 0, true));
        java.util.SplittableRandom r = new java.util.SplittableRandom(17);
        CopyTextEncoder encoder = new CopyTextEncoder(columns);
        CopyTextReference reference = new CopyTextReference(columns);
        long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1};
        long pgLast = 2_147_483_494L; // about the last date PostgreSQL stores (5874897 AD) in days since 1970
        for (int i = 0; i < 20_000; i++) {
            CanonicalRowWriter w = new CanonicalRowWriter();
            long any = i < edges.length ? edges[i] : r.nextLong() >> r.nextInt(64);
            for (Column c : columns) {
                if (r.nextInt(20) == 0) {
                    w.writeNull();
                    continue;
                }
                switch (c.type()) {
                    case BOOLEAN -> w.writeBoolean(r.nextBoolean());
                    case INTEGER -> w.writeInteger(any);
                    case DECIMAL -> w.writeDecimal(new BigDecimal(java.math.BigInteger.valueOf(any)
                            .multiply(java.math.BigInteger.valueOf(r.nextInt(1, 3))), r.nextInt(-3, 12)));
                    case FLOAT -> w.writeFloat(r.nextInt(10) == 0 ? Double.NaN : Double.longBitsToDouble(r.nextLong()));
                    case TEXT -> w.writeText("x\t" + r.nextInt() + "\\ü\n");
                    case JSON -> w.writeJson("{\"a\": " + r.nextInt() + "}");
                    case BYTES -> {
                        byte[] b = new byte[r.nextInt(0, 9)];
                        r.nextBytes(b);
                        w.writeBytes(b);
                    }
                    case DATE -> w.writeDateDays(switch (r.nextInt(6)) {
                        case 0 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
                        case 1 -> r.nextLong(-800_000, -700_000); // around 1 BC / AD 1
                        case 2 -> r.nextLong(-pgLast, pgLast);
                        default -> r.nextLong(-30_000, 30_000);
                    });
                    case TIMESTAMP, TIMESTAMPTZ -> w.writeTimestampMicros(c.type(), switch (r.nextInt(5)) {
                        case 0 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
                        case 1 -> r.nextLong(Long.MIN_VALUE + 1, Long.MAX_VALUE); // as far as a long reaches
                        case 2 -> r.nextLong(-63_200_000_000_000_000L, -63_000_000_000_000_000L); // around 1 BC / AD 1
                        default -> r.nextLong(-4_000_000_000_000_000L, 4_000_000_000_000_000L);
                    });
                    case TIME -> w.writeTimeMicros(r.nextInt(3) == 0 ? r.nextLong(0, 86_400L) * 1_000_000 : r.nextLong(0, 86_400_000_001L));
                    case TIMETZ -> w.writeTimeTz(r.nextLong(0, 86_400_000_001L), r.nextInt(-57_599, 57_600));
                    default -> throw new IllegalStateException();
                }
            }
            byte[] row = w.toByteArray();
            long[] trailing = {r.nextLong(), r.nextInt(), any};
            encoder.appendRow(row, trailing);
            reference.appendRow(row, trailing);
            if (i % 1000 == 999) {
                assertThat(new String(encoder.buffer(), 0, encoder.length(), StandardCharsets.UTF_8))
                        .isEqualTo(new String(reference.buffer(), 0, reference.length(), StandardCharsets.UTF_8));
                encoder.clear();
                reference.clear();
            }
        }
    }
}
