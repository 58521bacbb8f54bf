package io.snapsync.testing;

import io.snapsync.schema.Column;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Test code, part of the stand-in for Redshift's UNLOAD: every Parquet encoding the spec allows for each of
 * snapsync's value families, and how a value as the JDBC driver returns it is written in each. Redshift does not
 * document which one it uses, so the stand-in varies them across files. Deliberately computed with java.time and
 * BigDecimal APIs, not with snapsync's own conversions, so a wrong conversion on either side shows.
 */
public final class UnloadParquetEncodings {
    private UnloadParquetEncodings() {}

    /** One way to store a column: its Parquet type and how a driver value becomes the stored value. */
    public interface Encoding {
        PrimitiveType type(String name);

        /** Whether this encoding can hold {@code v} exactly (nanos overflow beyond 2262, millis lose micros). */
        boolean holds(Object v);

        /** Integer, Long, Boolean, Float, Double or byte[]. */
        Object encode(Object v);

        String describe();
    }

    /** The encodings for a column, the first of which holds every value. */
    public static List<Encoding> forColumn(Column c) {
        List<Encoding> out = new ArrayList<>();
        switch (c.type()) {
            case BOOLEAN -> out.add(simple("BOOLEAN", PrimitiveTypeName.BOOLEAN, null, v -> v));
            case INTEGER -> {
                out.add(simple("INT64", PrimitiveTypeName.INT64, null, v -> ((Number) v).longValue()));
                out.add(simple("INT64 INT(64,true)", PrimitiveTypeName.INT64, LogicalTypeAnnotation.intType(64, true), v -> ((Number) v).longValue()));
                if (c.width() <= 4) {
                    out.add(simple("INT32", PrimitiveTypeName.INT32, null, v -> ((Number) v).intValue()));
                    out.add(simple("INT32 INT(" + c.width() * 8 + ",true)", PrimitiveTypeName.INT32,
                            LogicalTypeAnnotation.intType(c.width() * 8, true), v -> ((Number) v).intValue()));
                }
            }
            case DECIMAL -> {
                int p = c.precision() == 0 ? 38 : c.precision();
                int s = c.scale();
                LogicalTypeAnnotation d = LogicalTypeAnnotation.decimalType(s, p);
                out.add(simple("BINARY DECIMAL", PrimitiveTypeName.BINARY, d, v -> unscaled((BigDecimal) v, s)));
                out.add(new Fixed(d, s, p));
                if (p <= 18) {
                    out.add(simple("INT64 DECIMAL", PrimitiveTypeName.INT64, d, v -> ((BigDecimal) v).setScale(s).unscaledValue().longValueExact()));
                }
                if (p <= 9) {
                    out.add(simple("INT32 DECIMAL", PrimitiveTypeName.INT32, d, v -> ((BigDecimal) v).setScale(s).unscaledValue().intValueExact()));
                }
            }
            case FLOAT -> {
                if (c.width() == 4) {
                    out.add(simple("FLOAT", PrimitiveTypeName.FLOAT, null, v -> ((Number) v).floatValue()));
                }
                out.add(simple("DOUBLE", PrimitiveTypeName.DOUBLE, null, v -> ((Number) v).doubleValue()));
            }
            case TEXT -> {
                // CHAR: one encoding keeps PostgreSQL's padding, the other trims it as spark-redshift does
                out.add(simple("BINARY (padding kept)", PrimitiveTypeName.BINARY, null, v -> utf8((String) v)));
                out.add(simple("BINARY STRING (trailing spaces trimmed if char)", PrimitiveTypeName.BINARY, LogicalTypeAnnotation.stringType(),
                        v -> utf8(c.sqlType().startsWith("char(") ? ((String) v).replaceAll(" +$", "") : (String) v)));
            }
            case JSON -> {
                out.add(simple("BINARY JSON", PrimitiveTypeName.BINARY, LogicalTypeAnnotation.jsonType(), v -> utf8((String) v)));
                out.add(simple("BINARY STRING", PrimitiveTypeName.BINARY, LogicalTypeAnnotation.stringType(), v -> utf8((String) v)));
            }
            case BYTES -> out.add(simple("BINARY", PrimitiveTypeName.BINARY, null, v -> v));
            case DATE -> out.add(simple("INT32 DATE", PrimitiveTypeName.INT32, LogicalTypeAnnotation.dateType(),
                    v -> Math.toIntExact(((LocalDate) v).toEpochDay())));
            case TIMESTAMP, TIMESTAMPTZ -> {
                out.add(new Timestamp(TimeUnit.MICROS, c.type() == io.snapsync.schema.ColumnType.TIMESTAMPTZ));
                out.add(new Timestamp(TimeUnit.MICROS, c.type() != io.snapsync.schema.ColumnType.TIMESTAMPTZ));
                out.add(new Timestamp(TimeUnit.MILLIS, true));
                out.add(new Timestamp(TimeUnit.NANOS, false));
                out.add(new Int96());
            }
            case TIME -> {
                out.add(simple("BINARY STRING time", PrimitiveTypeName.BINARY, LogicalTypeAnnotation.stringType(), v -> utf8(timeText((Long) v))));
                out.add(new Time(TimeUnit.MICROS));
                out.add(new Time(TimeUnit.NANOS));
                out.add(new Time(TimeUnit.MILLIS));
            }
            case TIMETZ -> out.add(simple("BINARY STRING timetz", PrimitiveTypeName.BINARY, LogicalTypeAnnotation.stringType(), v -> utf8((String) v)));
        }
        return out;
    }

    /** Microseconds since 1970 of a driver timestamp (LocalDateTime as UTC wall clock, OffsetDateTime as its instant). */
    public static long unixMicros(Object v) {
        // (ChronoUnit.MICROS.between overflows internally beyond ~292 years from 1970)
        if (v instanceof OffsetDateTime o) {
            return Math.addExact(Math.multiplyExact(o.toEpochSecond(), 1_000_000L), o.getNano() / 1000);
        }
        LocalDateTime l = (LocalDateTime) v;
        return Math.addExact(Math.multiplyExact(l.toEpochSecond(ZoneOffset.UTC), 1_000_000L), l.getNano() / 1000);
    }

    static String timeText(long micros) {
        return String.format("%02d:%02d:%02d.%06d", micros / 3_600_000_000L, micros / 60_000_000L % 60, micros / 1_000_000L % 60, micros % 1_000_000L);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] unscaled(BigDecimal v, int scale) {
        return v.setScale(scale).unscaledValue().toByteArray();
    }

    public static Encoding simple(String name, PrimitiveTypeName p, LogicalTypeAnnotation a, java.util.function.Function<Object, Object> f) {
        return new Encoding() {
            @Override
            public PrimitiveType type(String column) {
                return Types.primitive(p, Type.Repetition.OPTIONAL).as(a).named(column);
            }

            @Override
            public boolean holds(Object v) {
                try {
                    f.apply(v);
                    return true;
                } catch (ArithmeticException e) {
                    return false;
                }
            }

            @Override
            public Object encode(Object v) {
                return f.apply(v);
            }

            @Override
            public String describe() {
                return name;
            }
        };
    }

    /** DECIMAL in the fewest bytes that hold every value of its precision, sign-extended. */
    record Fixed(LogicalTypeAnnotation d, int scale, int precision) implements Encoding {
        int length() {
            return (int) Math.ceil((precision * Math.log(10) / Math.log(2) + 1) / 8);
        }

        @Override
        public PrimitiveType type(String column) {
            return Types.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(length()).as(d).named(column);
        }

        @Override
        public boolean holds(Object v) {
            return unscaled((BigDecimal) v, scale).length <= length();
        }

        @Override
        public Object encode(Object v) {
            byte[] b = unscaled((BigDecimal) v, scale);
            byte[] out = new byte[length()];
            byte fill = (byte) (b[0] < 0 ? 0xFF : 0);
            java.util.Arrays.fill(out, 0, out.length - b.length, fill);
            System.arraycopy(b, 0, out, out.length - b.length, b.length);
            return out;
        }

        @Override
        public String describe() {
            return "FIXED_LEN_BYTE_ARRAY(" + length() + ") DECIMAL";
        }
    }

    record Timestamp(TimeUnit unit, boolean utc) implements Encoding {
        @Override
        public PrimitiveType type(String column) {
            return Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(utc, unit)).named(column);
        }

        @Override
        public boolean holds(Object v) {
            long m;
            try {
                m = unixMicros(v);
            } catch (ArithmeticException e) {
                return false; // beyond ~294247 AD microseconds since 1970 overflow 64 bits (Redshift goes to 294276)
            }
            return switch (unit) {
                case MILLIS -> m % 1000 == 0;
                case MICROS -> true;
                case NANOS -> m > Long.MIN_VALUE / 1000 && m < Long.MAX_VALUE / 1000;
            };
        }

        @Override
        public Object encode(Object v) {
            long m = unixMicros(v);
            return switch (unit) {
                case MILLIS -> m / 1000;
                case MICROS -> m;
                case NANOS -> m * 1000;
            };
        }

        @Override
        public String describe() {
            return "INT64 TIMESTAMP(" + unit + "," + utc + ")";
        }
    }

    /** The legacy Impala/Spark form: nanoseconds of the day and the Julian day, little-endian. */
    record Int96() implements Encoding {
        @Override
        public PrimitiveType type(String column) {
            return Types.optional(PrimitiveTypeName.INT96).named(column);
        }

        @Override
        public boolean holds(Object v) {
            return true;
        }

        @Override
        public Object encode(Object v) {
            LocalDateTime utc = v instanceof OffsetDateTime o ? o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime() : (LocalDateTime) v;
            long nanos = utc.toLocalTime().toNanoOfDay();
            long julian = utc.toLocalDate().getLong(java.time.temporal.JulianFields.JULIAN_DAY);
            return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(nanos).putInt(Math.toIntExact(julian)).array();
        }

        @Override
        public String describe() {
            return "INT96";
        }
    }

    /** TIME as an integer; values are microseconds of the day (24:00:00 included). */
    record Time(TimeUnit unit) implements Encoding {
        @Override
        public PrimitiveType type(String column) {
            return Types.optional(unit == TimeUnit.MILLIS ? PrimitiveTypeName.INT32 : PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timeType(false, unit)).named(column);
        }

        @Override
        public boolean holds(Object v) {
            return unit != TimeUnit.MILLIS || (Long) v % 1000 == 0;
        }

        @Override
        public Object encode(Object v) {
            long m = (Long) v;
            return switch (unit) {
                case MILLIS -> (int) (m / 1000);
                case MICROS -> m;
                case NANOS -> m * 1000;
            };
        }

        @Override
        public String describe() {
            return "TIME(" + unit + ")";
        }
    }
}
