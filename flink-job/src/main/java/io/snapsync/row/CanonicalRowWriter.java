package io.snapsync.row;

import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Writes the canonical row encoding: the bytes that are hashed, shipped through Flink and decoded
 * again for COPY and Parquet. One field per column, in column order:
 *
 * <pre>
 *   NULL                 0x00
 *   BOOLEAN              tag, 1 byte (0 or 1)
 *   INTEGER              tag, int64
 *   DECIMAL              tag, int32 scale, int32 n, n bytes two's-complement unscaled value
 *                        (trailing zeros stripped, so 1.50 and 1.5 are equal, as in SQL)
 *   FLOAT                tag, int64 IEEE-754 bits of the double (-0.0 written as 0.0, one NaN)
 *   TEXT, JSON           tag, int32 n, n bytes UTF-8
 *   BYTES                tag, int32 n, n bytes
 *   DATE                 tag, int64 days since 1970-01-01 (Long.MAX/MIN for +/-infinity)
 *   TIMESTAMP            tag, int64 microseconds since 2000-01-01T00:00 (Long.MAX/MIN for +/-infinity)
 *   TIMESTAMPTZ          tag, int64 microseconds since 2000-01-01T00:00Z (Long.MAX/MIN for +/-infinity)
 *   TIME                 tag, int64 microseconds since midnight (24:00:00 allowed)
 *   TIMETZ               tag, int64 microseconds since midnight, int32 offset seconds east of UTC
 * </pre>
 *
 * All integers big-endian. Every field is type-tagged and every variable-length field
 * length-prefixed, so the encoding is injective: two rows encode equal iff all their values are
 * equal, NULL differs from empty, and no value can run into the next.
 */
public final class CanonicalRowWriter {
    private byte[] buf;
    private int pos;

    public CanonicalRowWriter() {
        this(256);
    }

    public CanonicalRowWriter(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    public CanonicalRowWriter reset() {
        pos = 0;
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    public int length() {
        return pos;
    }

    public byte[] buffer() {
        return buf;
    }

    public void writeNull() {
        ensure(1);
        buf[pos++] = ColumnType.NULL_TAG;
    }

    public void writeBoolean(boolean v) {
        tag(ColumnType.BOOLEAN, 1);
        buf[pos++] = (byte) (v ? 1 : 0);
    }

    public void writeInteger(long v) {
        tag(ColumnType.INTEGER, 8);
        putLong(v);
    }

    public void writeDecimal(BigDecimal v) {
        if (v.signum() == 0) {
            writeDecimal(0L, 0);
            return;
        }
        if (v.precision() <= 18 && v.scale() > Integer.MIN_VALUE + 18) {
            writeDecimalStripping(v.unscaledValue().longValue(), v.scale());
            return;
        }
        BigDecimal n = v.stripTrailingZeros();
        byte[] unscaled = n.unscaledValue().toByteArray();
        tag(ColumnType.DECIMAL, 8 + unscaled.length);
        putInt(n.scale());
        putInt(unscaled.length);
        System.arraycopy(unscaled, 0, buf, pos, unscaled.length);
        pos += unscaled.length;
    }

    /**
     * The same field as {@link #writeDecimal(BigDecimal)} of {@code unscaled * 10^-scale}, given already stripped
     * (unscaled not a multiple of 10, or 0 with scale 0; see {@link BinaryNumeric}): no BigDecimal built.
     */
    /**
     * The decimal {@code unscaled * 10^-scale}, trailing zeros not yet stripped: the same field as {@link
     * #writeDecimal(BigDecimal)} of it, stripped by long division instead of stripTrailingZeros' BigDecimals.
     */
    public void writeDecimalStripping(long unscaled, int scale) {
        if (unscaled == 0) {
            writeDecimal(0L, 0);
            return;
        }
        if (scale <= Integer.MIN_VALUE + 18) {
            writeDecimal(BigDecimal.valueOf(unscaled, scale)); // stripping could underflow the scale: the general path
            return;
        }
        while (unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        writeDecimal(unscaled, scale);
    }

    public void writeDecimal(long unscaled, int scale) {
        // BigInteger.toByteArray's length: the minimal two's complement, sign bit included
        int n = (64 - Long.numberOfLeadingZeros(unscaled < 0 ? ~unscaled : unscaled)) / 8 + 1;
        tag(ColumnType.DECIMAL, 8 + n);
        putInt(scale);
        putInt(n);
        for (int s = (n - 1) * 8; s >= 0; s -= 8) {
            buf[pos++] = (byte) (unscaled >>> s);
        }
    }

    public void writeFloat(double v) {
        tag(ColumnType.FLOAT, 8);
        putLong(Double.doubleToLongBits(v == 0.0 ? 0.0 : v));
    }

    public void writeText(String v) {
        writeVariable(ColumnType.TEXT, v.getBytes(StandardCharsets.UTF_8));
    }

    /** The TEXT field of a value given as its UTF-8 bytes: the same field as {@link #writeText} of that String. */
    public void writeTextUtf8(byte[] v) {
        writeVariable(ColumnType.TEXT, v);
    }

    public void writeJson(String v) {
        writeVariable(ColumnType.JSON, v.getBytes(StandardCharsets.UTF_8));
    }

    public void writeBytes(byte[] v) {
        writeVariable(ColumnType.BYTES, v);
    }

    public void writeDate(LocalDate v) {
        tag(ColumnType.DATE, 8);
        putLong(v.equals(LocalDate.MAX) ? Long.MAX_VALUE : v.equals(LocalDate.MIN) ? Long.MIN_VALUE : v.toEpochDay());
    }

    /** Days since 1970-01-01, already computed (Long.MAX/MIN for +/-infinity). */
    public void writeDateDays(long days) {
        tag(ColumnType.DATE, 8);
        putLong(days);
    }

    public void writeTimestamp(LocalDateTime v) {
        tag(ColumnType.TIMESTAMP, 8);
        putLong(v.equals(LocalDateTime.MAX) ? Long.MAX_VALUE
                : v.equals(LocalDateTime.MIN) ? Long.MIN_VALUE
                : Temporal.micros(v.toEpochSecond(ZoneOffset.UTC), v.getNano()));
    }

    public void writeTimestampTz(OffsetDateTime v) {
        tag(ColumnType.TIMESTAMPTZ, 8);
        putLong(v.equals(OffsetDateTime.MAX) ? Long.MAX_VALUE
                : v.equals(OffsetDateTime.MIN) ? Long.MIN_VALUE
                : Temporal.micros(v.toEpochSecond(), v.getNano()));
    }

    /** Microseconds since 2000-01-01, already computed (used when re-encoding values read from Parquet). */
    public void writeTimestampMicros(ColumnType type, long micros) {
        tag(type, 8);
        putLong(micros);
    }

    public void writeTime(LocalTime v) {
        writeTimeMicros(v.equals(LocalTime.MAX) ? Temporal.MICROS_PER_DAY : v.toNanoOfDay() / 1000);
    }

    public void writeTimeMicros(long microsOfDay) {
        tag(ColumnType.TIME, 8);
        putLong(microsOfDay);
    }

    public void writeTimeTz(OffsetTime v) {
        long micros = v.toLocalTime().equals(LocalTime.MAX) ? Temporal.MICROS_PER_DAY : v.toLocalTime().toNanoOfDay() / 1000;
        writeTimeTz(micros, v.getOffset().getTotalSeconds());
    }

    public void writeTimeTz(long microsOfDay, int offsetSeconds) {
        tag(ColumnType.TIMETZ, 12);
        putLong(microsOfDay);
        putInt(offsetSeconds);
    }

    /** Appends an already-encoded field (a slice of another canonical row). */
    public void writeRaw(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
    }

    private void writeVariable(ColumnType type, byte[] v) {
        tag(type, 4 + v.length);
        putInt(v.length);
        System.arraycopy(v, 0, buf, pos, v.length);
        pos += v.length;
    }

    private void tag(ColumnType type, int payload) {
        ensure(1 + payload);
        buf[pos++] = type.tag;
    }

    private void putLong(long v) {
        for (int s = 56; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
    }

    private void putInt(int v) {
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }
}
