package io.snapsync.unload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.JdbcRowEncoder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TypeMapping;
import io.snapsync.testing.UnloadParquetEncodings;
import java.math.BigDecimal;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;

/**
 * Every Parquet encoding of every family decodes to the canonical bytes the JDBC path writes for the same value
 * (the driver's Java value written by CanonicalRowWriter as JdbcRowEncoder writes it), extremes included.
 */
class ParquetValuesTest {

    static Column col(String typeName, int jdbcType, int precision, int scale) {
        return TypeMapping.map("v", jdbcType, typeName, precision, scale, true);
    }

    /** Asserts each encoding that holds {@code driverValue} decodes to the JDBC path's bytes; returns how many did. */
    static int assertAllEncodingsMatchJdbc(Column c, Object driverValue, Object standInValue, Consumer<CanonicalRowWriter> jdbc) {
        CanonicalRowWriter expected = new CanonicalRowWriter();
        expected.writeInteger(1);
        jdbc.accept(expected);
        TableSchema schema = new TableSchema(List.of(new Column("id", io.snapsync.schema.ColumnType.INTEGER, "integer", 4, 0, 0, false), c),
                List.of("id"));
        int n = 0;
        for (UnloadParquetEncodings.Encoding e : UnloadParquetEncodings.forColumn(c)) {
            if (!e.holds(standInValue)) {
                continue;
            }
            PrimitiveType t = e.type("v");
            assertThat(ParquetValues.unreadable(c, t)).as(e.describe()).isNull();
            Object decoded = ParquetValues.decode(c, t, e.encode(standInValue));
            SnapshotRow row = new JdbcRowEncoder(schema).encodeValues(new Object[] {1L, decoded});
            assertThat(row.row).as("%s %s as %s", c.sqlType(), driverValue, e.describe()).isEqualTo(expected.toByteArray());
            n++;
        }
        assertThat(n).as("encodings tried for %s", driverValue).isPositive();
        return n;
    }

    static int same(Column c, Object v, Consumer<CanonicalRowWriter> jdbc) {
        return assertAllEncodingsMatchJdbc(c, v, v, jdbc);
    }

    @Test
    void integersOfEveryWidthAndAnnotation() {
        assertThat(same(col("int2", Types.SMALLINT, 0, 0), -32768L, w -> w.writeInteger(-32768))).isEqualTo(4);
        same(col("int4", Types.INTEGER, 0, 0), 2147483647L, w -> w.writeInteger(2147483647));
        same(col("int8", Types.BIGINT, 0, 0), Long.MIN_VALUE, w -> w.writeInteger(Long.MIN_VALUE));
        Column i = col("int4", Types.INTEGER, 0, 0);
        PrimitiveType unsigned = org.apache.parquet.schema.Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(32, false)).named("v");
        assertThat(ParquetValues.decode(i, unsigned, -1)).isEqualTo(4294967295L);
        PrimitiveType u64 = org.apache.parquet.schema.Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.intType(64, false)).named("v");
        assertThat(ParquetValues.unreadable(col("int8", Types.BIGINT, 0, 0), u64)).contains("extract: jdbc");
    }

    @Test
    void decimalsAsInt32Int64FixedAndBinary() {
        for (String v : new String[] {"99999999999999999999999999999999999999", "-99999999999999999999999999999999999999", "0"}) {
            same(col("numeric", Types.NUMERIC, 38, 0), new BigDecimal(v), w -> w.writeDecimal(new BigDecimal(v)));
        }
        same(col("numeric", Types.NUMERIC, 38, 38), new BigDecimal("-0.00000000000000000000000000000000000001"),
                w -> w.writeDecimal(new BigDecimal("-0.00000000000000000000000000000000000001")));
        assertThat(same(col("numeric", Types.NUMERIC, 9, 2), new BigDecimal("-1234567.80"), w -> w.writeDecimal(new BigDecimal("-1234567.8"))))
                .isEqualTo(4);
        assertThat(same(col("numeric", Types.NUMERIC, 18, 5), new BigDecimal("1234567890123.12345"),
                w -> w.writeDecimal(new BigDecimal("1234567890123.12345")))).isEqualTo(3);
        same(col("numeric", Types.NUMERIC, 20, 5), new BigDecimal("1.10000"), w -> w.writeDecimal(new BigDecimal("1.1")));
        // the long path (INT32, INT64, up to 8 bytes: row.LongDecimal) strips trailing zeros as the JDBC path's BigDecimal does
        for (String v : new String[] {"0.00", "-0.00", "100", "-100.00", "123456789012345678", "-999999999999999999", "0.000000000000000010",
                "-9223372036854775.808", "9223372036854775.807", "922337203685477580.0"}) {
            BigDecimal d = new BigDecimal(v);
            same(col("numeric", Types.NUMERIC, 18, Math.max(d.scale(), 0)), d, w -> w.writeDecimal(d));
        }
        PrimitiveType dbl = org.apache.parquet.schema.Types.optional(PrimitiveTypeName.DOUBLE).named("v");
        assertThat(ParquetValues.unreadable(col("numeric", Types.NUMERIC, 10, 2), dbl)).isEqualTo("column \"v\" (numeric(10,2)) arrives "
                + "from UNLOAD as Parquet DOUBLE, which cannot be read faithfully as numeric(10,2); set extract: jdbc for this table");
    }

    @Test
    void floatsWidenLikeTheDriverAndNormaliseLikeIt() {
        Column real = col("float4", Types.REAL, 0, 0);
        assertThat(same(real, 0.1f, w -> w.writeFloat(0.1f))).isEqualTo(2);
        same(real, Float.NaN, w -> w.writeFloat(Double.NaN));
        same(real, -0.0f, w -> w.writeFloat(0.0));
        same(real, 3.4028235e38f, w -> w.writeFloat(3.4028235e38f));
        Column dbl = col("float8", Types.DOUBLE, 0, 0);
        same(dbl, 4.9e-324, w -> w.writeFloat(4.9e-324));
        same(dbl, Double.NEGATIVE_INFINITY, w -> w.writeFloat(Double.NEGATIVE_INFINITY));
    }

    @Test
    void booleanTextAndJson() {
        same(col("bool", Types.BIT, 0, 0), true, w -> w.writeBoolean(true));
        Column text = col("text", Types.VARCHAR, 0, 0);
        same(text, "non-BMP 𝄞 🚀 ", w -> w.writeText("non-BMP 𝄞 🚀 ")); // trailing space of varchar/text is data
        same(col("jsonb", Types.OTHER, 0, 0), "{\"a\": [1, 2, {\"b\": null}]}", w -> w.writeJson("{\"a\": [1, 2, {\"b\": null}]}"));
        same(col("bytea", Types.BINARY, 0, 0), new byte[] {0, (byte) 0xff}, w -> w.writeBytes(new byte[] {0, (byte) 0xff}));
    }

    @Test
    void charIsPaddedAsPostgresqlPadsItWhetherUnloadTrimmedOrNot() {
        Column c = col("bpchar", Types.CHAR, 5, 0);
        // the driver's value is padded; one stand-in encoding stores it trimmed, the other as is
        assertThat(same(c, "a    ", w -> w.writeText("a    "))).isEqualTo(2);
        same(c, "é    ", w -> w.writeText("é    "));
        same(c, "abcde", w -> w.writeText("abcde"));
        same(c, "     ", w -> w.writeText("     "));
    }

    @Test
    void datesAtTheirExtremes() {
        Column d = col("date", Types.DATE, 0, 0);
        for (LocalDate v : new LocalDate[] {LocalDate.of(-4712, 1, 1), LocalDate.of(5874897, 12, 31), LocalDate.of(2000, 2, 29)}) {
            same(d, v, w -> w.writeDate(v));
        }
        PrimitiveType plain = org.apache.parquet.schema.Types.optional(PrimitiveTypeName.INT32).named("v");
        assertThat(ParquetValues.unreadable(d, plain)).contains("\"v\" (date)").contains("Parquet INT32,");
    }

    @Test
    void timestampsInEveryUnitAndInt96() {
        Column ts = col("timestamp", Types.TIMESTAMP, 0, 0);
        LocalDateTime[] values = {LocalDateTime.of(-4712, 1, 1, 0, 0), LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000),
            LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1000), LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_000_000), LocalDateTime.of(2020, 3, 29, 2, 30)};
        int tried = 0;
        for (LocalDateTime v : values) {
            tried += same(ts, v, w -> w.writeTimestamp(v));
        }
        assertThat(tried).as("micros x2 (not beyond 294247 AD), millis for whole milliseconds, nanos within 1677..2262, INT96 always").isEqualTo(19);
        PrimitiveType plain = org.apache.parquet.schema.Types.optional(PrimitiveTypeName.INT64).named("v");
        assertThat(ParquetValues.unreadable(ts, plain)).contains("extract: jdbc");
    }

    @Test
    void timestamptzIsTheUtcInstant() {
        Column tz = col("timestamptz", Types.TIMESTAMP_WITH_TIMEZONE, 0, 0);
        OffsetDateTime v = OffsetDateTime.of(2020, 3, 29, 2, 30, 0, 0, ZoneOffset.ofHours(2));
        assertThat(same(tz, v, w -> w.writeTimestampTz(v))).isEqualTo(5);
        OffsetDateTime early = OffsetDateTime.of(-4712, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        same(tz, early, w -> w.writeTimestampTz(early));
    }

    @Test
    void timeAsIntegerOrTextIncludingMidnightAtTheEnd() {
        Column t = col("time", Types.TIME, 0, 0);
        assertThat(assertAllEncodingsMatchJdbc(t, "24:00:00", Temporal.MICROS_PER_DAY, w -> w.writeTime(java.time.LocalTime.MAX))).isEqualTo(4);
        assertAllEncodingsMatchJdbc(t, "23:59:59.999999", Temporal.MICROS_PER_DAY - 1,
                w -> w.writeTime(java.time.LocalTime.of(23, 59, 59, 999_999_000)));
        assertAllEncodingsMatchJdbc(t, "00:00:00", 0L, w -> w.writeTime(java.time.LocalTime.MIDNIGHT));
    }

    @Test
    void timetzOnlyAsTextWithItsOffset() {
        Column t = col("timetz", Types.TIME_WITH_TIMEZONE, 0, 0);
        same(t, "24:00:00-15:59", w -> w.writeTimeTz(Temporal.MICROS_PER_DAY, -(15 * 3600 + 59 * 60)));
        same(t, "12:00:00.5+05:30", w -> w.writeTimeTz(43_200_500_000L, 19_800));
        PrimitiveType asTime = org.apache.parquet.schema.Types.optional(PrimitiveTypeName.INT64)
                .as(LogicalTypeAnnotation.timeType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named("v");
        assertThat(ParquetValues.unreadable(t, asTime)).contains("\"v\" (timetz)").contains("extract: jdbc");
    }

    @Test
    void typesUnloadCannotCarryAreRefusedByName() {
        assertThat(ParquetValues.refusedSourceType("shape", "GEOMETRY")).isEqualTo("column \"shape\" has type geometry, which UNLOAD "
                + "to Parquet does not carry faithfully; set extract: jdbc for this table");
        assertThat(ParquetValues.refusedSourceType("g", "geography")).contains("extract: jdbc");
        assertThat(ParquetValues.refusedSourceType("b", "varbyte")).contains("extract: jdbc");
        assertThat(ParquetValues.refusedSourceType("n", "numeric")).isNull();
        assertThatThrownBy(() -> ParquetValues.timeText("25:00")).isInstanceOf(IllegalArgumentException.class);
    }
}
