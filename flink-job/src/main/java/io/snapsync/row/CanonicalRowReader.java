package io.snapsync.row;

import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over one canonical row (see {@link CanonicalRowWriter} for the format). Call
 * {@link #next()} once per field, then the accessor for the field's type.
 */
public final class CanonicalRowReader {
    private byte[] buf;
    private int pos;
    private int end;
    private ColumnType current;
    private int fieldStart;

    public CanonicalRowReader reset(byte[] row) {
        return reset(row, 0, row.length);
    }

    public CanonicalRowReader reset(byte[] row, int off, int len) {
        this.buf = row;
        this.pos = off;
        this.end = off + len;
        this.current = null;
        return this;
    }

    public boolean hasNext() {
        return pos < end;
    }

    /** Advances to the next field; returns its type, or {@code null} for NULL. */
    public ColumnType next() {
        if (pos >= end) {
            throw new IllegalStateException("no more fields in row");
        }
        fieldStart = pos;
        byte tag = buf[pos++];
        current = tag == ColumnType.NULL_TAG ? null : ColumnType.ofTag(tag);
        return current;
    }

    /** Skips the current field's payload (call right after {@link #next()}). */
    public void skip() {
        if (current == null) {
            return;
        }
        switch (current) {
            case BOOLEAN -> pos += 1;
            case INTEGER, FLOAT, DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> pos += 8;
            case TIMETZ -> pos += 12;
            case DECIMAL -> {
                pos += 4;
                int n = getInt();
                pos += n;
            }
            case TEXT, JSON, BYTES -> {
                int n = getInt();
                pos += n;
            }
        }
    }

    /** Start offset of the current field (its tag byte) in the underlying buffer. */
    public int fieldStart() {
        return fieldStart;
    }

    /** Offset just past the fields consumed so far. */
    public int position() {
        return pos;
    }

    public boolean readBoolean() {
        return buf[pos++] != 0;
    }

    public long readLong() {
        return getLong();
    }

    public double readDouble() {
        return Double.longBitsToDouble(getLong());
    }

    public BigDecimal readDecimal() {
        int scale = getInt();
        int n = getInt();
        BigInteger unscaled = new BigInteger(buf, pos, n);
        pos += n;
        return new BigDecimal(unscaled, scale);
    }

    /** The scale of the current DECIMAL field, without consuming it (call right after {@link #next()}). */
    public int decimalScale() {
        return intAt(pos);
    }

    /**
     * Whether the current DECIMAL field's unscaled value fits a long (at most 8 two's-complement bytes), so that
     * {@link #readDecimalUnscaled()} can take it without a BigInteger; otherwise use {@link #readDecimal()}.
     */
    public boolean decimalFitsLong() {
        int n = intAt(pos + 4);
        return n >= 1 && n <= 8;
    }

    /**
     * The current DECIMAL field's unscaled value (its scale is {@link #decimalScale()}, read before this call);
     * only when {@link #decimalFitsLong()}. Equal to {@code readDecimal().unscaledValue().longValue()}.
     */
    public long readDecimalUnscaled() {
        pos += 4;
        int n = getInt();
        long v = buf[pos++]; // the first byte carries the sign
        for (int i = 1; i < n; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public String readString() {
        int n = getInt();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public byte[] readBytes() {
        int n = getInt();
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** Offset seconds of a TIMETZ (after {@link #readLong()} gave its micros). */
    public int readOffsetSeconds() {
        return getInt();
    }

    private long getLong() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    private int getInt() {
        int v = intAt(pos);
        pos += 4;
        return v;
    }

    private int intAt(int at) {
        return ((buf[at] & 0xFF) << 24) | ((buf[at + 1] & 0xFF) << 16) | ((buf[at + 2] & 0xFF) << 8) | (buf[at + 3] & 0xFF);
    }
}
