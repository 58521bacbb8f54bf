package io.snapsync.unload;

import io.snapsync.row.LongDecimal;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.Identifiers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Turns a value of an UNLOAD Parquet file into the value the canonical encoder takes for its snapshot column
 * ({@code JdbcRowEncoder#encodeValues}), so a row read from UNLOAD hashes exactly as the same row read through JDBC.
 * Redshift does not document which Parquet encoding it picks for most types, so every encoding the Parquet spec
 * allows for the logical type is accepted; {@link #unreadable} says, per column, what cannot be read faithfully.
 *
 * <p>Values handed out, per family: BOOLEAN Boolean, INTEGER Long, DECIMAL {@link LongDecimal} (up to 8 bytes) or BigDecimal, FLOAT Double, TEXT/JSON
 * String, BYTES byte[], DATE Long (days since 1970-01-01), TIMESTAMP/TIMESTAMPTZ Long (microseconds since
 * 2000-01-01, the canonical form), TIME Long (microseconds of the day), TIMETZ long[] {micros of day, offset seconds}.
 * Pure: unit-tested per type and encoding.
 */
public final class ParquetValues {
    private static final long UNIX_TO_PG_MICROS = Temporal.PG_EPOCH_SECONDS * 1_000_000L;
    /** Julian day number of 2000-01-01 (INT96 timestamps count Julian days; counted from 1970, 294276 AD would overflow). */
    private static final long JULIAN_PG_EPOCH = 2_451_545L;
    private static final Pattern TIME = Pattern.compile("(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?");

    private ParquetValues() {}

    /**
     * Why the file column {@code t} cannot be read faithfully as {@code c}, or null when it can. The message names
     * the column and the way out ({@code extract: jdbc}).
     */
    public static String unreadable(Column c, PrimitiveType t) {
        if (t.isRepetition(org.apache.parquet.schema.Type.Repetition.REPEATED)) {
            return refusal(c, t, "a repeated field");
        }
        PrimitiveTypeName p = t.getPrimitiveTypeName();
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        boolean ok = switch (c.type()) {
            case BOOLEAN -> p == PrimitiveTypeName.BOOLEAN;
            case INTEGER -> (p == PrimitiveTypeName.INT32 || p == PrimitiveTypeName.INT64)
                    && (a == null || a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && (i.isSigned() || i.getBitWidth() < 64)
                        || a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d && d.getScale() == 0);
            case DECIMAL -> a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
                    && (p == PrimitiveTypeName.INT32 || p == PrimitiveTypeName.INT64 || p == PrimitiveTypeName.BINARY
                        || p == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY);
            case FLOAT -> p == PrimitiveTypeName.FLOAT || p == PrimitiveTypeName.DOUBLE;
            case TEXT, JSON -> p == PrimitiveTypeName.BINARY && (a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                    || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation);
            case BYTES -> (p == PrimitiveTypeName.BINARY || p == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) && a == null;
            case DATE -> p == PrimitiveTypeName.INT32 && a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation;
            case TIMESTAMP, TIMESTAMPTZ -> p == PrimitiveTypeName.INT96
                    || p == PrimitiveTypeName.INT64 && a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
            case TIME -> (p == PrimitiveTypeName.INT32 || p == PrimitiveTypeName.INT64) && a instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation
                    || p == PrimitiveTypeName.BINARY && (a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation);
            // a TIME-annotated integer has no room for the offset: only the text form keeps it
            case TIMETZ -> p == PrimitiveTypeName.BINARY && (a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation);
        };
        return ok ? null : refusal(c, t, describe(t));
    }

    private static String refusal(Column c, PrimitiveType t, String what) {
        return "column " + Identifiers.quote(c.name()) + " (" + c.sqlType() + ") arrives from UNLOAD as " + what
                + ", which cannot be read faithfully as " + c.sqlType() + "; set extract: jdbc for this table";
    }

    static String describe(PrimitiveType t) {
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        return "Parquet " + t.getPrimitiveTypeName() + (a == null ? "" : " " + a);
    }

    /** Decodes one non-NULL value: {@code raw} is Integer (INT32), Long (INT64), Boolean, Float, Double or byte[]. */
    public static Object decode(Column c, PrimitiveType t, Object raw) {
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        return switch (c.type()) {
            case BOOLEAN -> (Boolean) raw;
            case INTEGER -> integer(t, raw);
            case DECIMAL -> decimal((LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) a, raw);
            // a REAL is read as float on the JDBC path too: widen the float, never re-round a double
            case FLOAT -> raw instanceof Float f ? (double) f.floatValue()
                    : c.width() == 4 ? (double) (float) ((Double) raw).doubleValue() : (Double) raw;
            case TEXT -> padChar(c, utf8(raw));
            case JSON -> utf8(raw);
            case BYTES -> (byte[]) raw;
            case DATE -> (long) (Integer) raw;
            case TIMESTAMP, TIMESTAMPTZ -> timestamp(t, raw);
            case TIME -> raw instanceof byte[] b ? timeText(utf8(b)) : timeOfDay((LogicalTypeAnnotation.TimeLogicalTypeAnnotation) a, raw);
            case TIMETZ -> Temporal.parseTimeTz(utf8(raw));
        };
    }

    private static Long integer(PrimitiveType t, Object raw) {
        if (raw instanceof Integer i) {
            // an unsigned 8/16/32-bit value is stored in the same 32 bits: read it unsigned
            boolean unsigned = t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation a && !a.isSigned();
            return unsigned ? Integer.toUnsignedLong(i) : (long) i;
        }
        return (Long) raw;
    }

    private static Object decimal(LogicalTypeAnnotation.DecimalLogicalTypeAnnotation a, Object raw) {
        int scale = a.getScale();
        if (raw instanceof Integer i) {
            return new LongDecimal(i, scale);
        }
        if (raw instanceof Long l) {
            return new LongDecimal(l, scale);
        }
        byte[] b = (byte[]) raw; // big-endian two's complement, BINARY or FIXED_LEN_BYTE_ARRAY
        if (b.length == 0) {
            return BigDecimal.ZERO.setScale(scale);
        }
        if (b.length <= 8) {
            long v = b[0]; // sign-extended: up to 8 bytes are a long, no BigInteger built
            for (int i = 1; i < b.length; i++) {
                v = (v << 8) | (b[i] & 0xFF);
            }
            return new LongDecimal(v, scale);
        }
        return new BigDecimal(new BigInteger(b), scale);
    }

    /** PostgreSQL (and the JDBC path) returns char(n) padded with spaces to n characters; UNLOAD may trim them. */
    static String padChar(Column c, String v) {
        if (!c.sqlType().startsWith("char(")) {
            return v;
        }
        int n = Integer.parseInt(c.sqlType().substring(5, c.sqlType().length() - 1));
        int len = v.codePointCount(0, v.length());
        return len >= n ? v : v + " ".repeat(n - len);
    }

    private static String utf8(Object raw) {
        return new String((byte[]) raw, StandardCharsets.UTF_8);
    }

    /** Microseconds since 2000-01-01 of an INT64 TIMESTAMP (millis, micros or nanos since 1970) or an INT96. */
    static long timestamp(PrimitiveType t, Object raw) {
        if (raw instanceof byte[] b) {
            // INT96: 8 bytes nanoseconds of the day, then 4 bytes Julian day, both little-endian
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            long nanosOfDay = buf.getLong();
            long julianDay = buf.getInt(); // signed: PostgreSQL's and Redshift's 4713 BC lies before Julian day 0
            return Math.addExact(Math.multiplyExact(julianDay - JULIAN_PG_EPOCH, Temporal.MICROS_PER_DAY), nanosOfDay / 1000);
        }
        long v = (Long) raw;
        var a = (LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) t.getLogicalTypeAnnotation();
        // isAdjustedToUTC only says how a reader should present the value: the stored number is the same instant
        // (timestamptz, which UNLOAD writes as the UTC instant) or the same wall clock read as UTC (timestamp)
        long micros = switch (a.getUnit()) {
            case MILLIS -> Math.multiplyExact(v, 1000L);
            case MICROS -> v;
            case NANOS -> Math.floorDiv(v, 1000L);
        };
        return Math.subtractExact(micros, UNIX_TO_PG_MICROS);
    }

    private static long timeOfDay(LogicalTypeAnnotation.TimeLogicalTypeAnnotation a, Object raw) {
        long v = raw instanceof Integer i ? i : (Long) raw;
        return switch (a.getUnit()) {
            case MILLIS -> v * 1000L;
            case MICROS -> v;
            case NANOS -> v / 1000L;
        };
    }

    /** {@code HH:MM:SS[.fraction]}, 24:00:00 included (Redshift and PostgreSQL allow it). */
    static long timeText(String s) {
        Matcher m = TIME.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a time value: " + s);
        }
        String frac = m.group(4) == null ? "0" : (m.group(4) + "00000").substring(0, 6);
        return ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1_000_000L
                + Long.parseLong(frac);
    }

    /**
     * Source types UNLOAD to Parquet cannot hand over as the JDBC path does, by the type name the driver reports:
     * GEOMETRY/GEOGRAPHY (the JDBC path keeps the driver's EWKB bytes; no documented Parquet form carries them),
     * VARBYTE (documented for UNLOAD to text/CSV only), HLLSKETCH. Null when the type is fine.
     */
    public static String refusedSourceType(String column, String sourceTypeName) {
        String t = sourceTypeName == null ? "" : sourceTypeName.toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "geometry", "geography", "varbyte", "varbinary", "binary varying", "hllsketch" ->
                    "column " + Identifiers.quote(column) + " has type " + t + ", which UNLOAD to Parquet does not carry "
                            + "faithfully; set extract: jdbc for this table";
            default -> null;
        };
    }
}
