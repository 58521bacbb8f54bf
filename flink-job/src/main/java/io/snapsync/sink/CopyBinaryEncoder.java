package io.snapsync.sink;

import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.DecimalText;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.CopyFormat.Wire;
import io.snapsync.schema.Identifiers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Turns canonical rows into PostgreSQL's binary COPY format, straight from the bytes: the {@code PGCOPY} header, per
 * row the field count and per field its length and bytes (-1 for NULL) in the {@code *_recv} form of the staged
 * column's type ({@link Wire}, chosen at plan time where that form stores what the text form stores), then the
 * trailer ({@link #finish()}). No digits, dates or escapes are formatted, and the server parses none.
 *
 * <p>What the text path leaves to the server's parser is reproduced exactly: a numeric's display scale is the one the
 * text path writes ({@link CopyTextEncoder#decimalScale}), values a type's width cannot hold are refused (the server
 * would refuse their text), and the server applies a column's typmod (varchar(n), char(n), numeric(p,s),
 * timestamp(p)) in its receive function as its input function does for text.
 */
public final class CopyBinaryEncoder implements CopyEncoder {
    /** {@code PGCOPY\n\377\r\n\0}, then the flags and the header extension's length (both 0). */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** 2000-01-01 (PostgreSQL's epoch) in days since 1970-01-01. */
    private static final long PG_EPOCH_DAY = 10_957;
    private static final short NUMERIC_POS = 0x0000;
    private static final short NUMERIC_NEG = 0x4000;
    /** The largest display scale a numeric holds (NUMERIC_DSCALE_MAX). */
    private static final int NUMERIC_DSCALE_MAX = 0x3FFF;
    private static final int[] POW10 = {1, 10, 100, 1000};

    private final List<Column> columns;
    private final Wire[] wires;
    /** Byte widths (4 or 8) of the trailing integer columns appended to every row. */
    private final int[] trailing;
    private final CanonicalRowReader reader = new CanonicalRowReader();
    private byte[] out = new byte[8192];
    private int len;
    /** Scratch: the decimal digits of a numeric's unscaled value, and its base-10000 digits. */
    private byte[] decimalDigits = new byte[DecimalText.MAX_LONG_DIGITS + 1];
    private int[] nbaseDigits = new int[8];

    /**
     * @param wires each column's wire form, as {@code CopyFormat} chose it
     * @param trailing the widths of the integer columns {@link #appendRow} appends after the row's (int4: 4, int8: 8)
     */
    public CopyBinaryEncoder(List<Column> columns, List<Wire> wires, int... trailing) {
        if (wires.size() != columns.size()) {
            throw new IllegalArgumentException(columns.size() + " columns but " + wires.size() + " wire forms");
        }
        this.columns = List.copyOf(columns);
        this.wires = wires.toArray(Wire[]::new);
        this.trailing = trailing.clone();
        System.arraycopy(HEADER, 0, out, 0, HEADER.length);
        len = HEADER.length;
    }

    @Override
    public void appendRow(byte[] row, long... trailingValues) {
        if (trailingValues.length != trailing.length) {
            throw new IllegalArgumentException(trailing.length + " trailing columns expected, got " + trailingValues.length);
        }
        reader.reset(row);
        ensure(2);
        len = putShort(out, len, columns.size() + trailing.length);
        for (int i = 0; i < wires.length; i++) {
            appendField(i, row);
        }
        for (int i = 0; i < trailing.length; i++) {
            long v = trailingValues[i];
            if (trailing[i] == 4) {
                appendInt4(v);
            } else {
                ensure(12);
                len = putInt(out, len, 8);
                len = putLong(out, len, v);
            }
        }
    }

    @Override
    public void finish() {
        ensure(2);
        len = putShort(out, len, -1);
    }

    @Override
    public String options() {
        return " (FORMAT binary)";
    }

    @Override
    public byte[] buffer() {
        return out;
    }

    @Override
    public int length() {
        return len;
    }

    @Override
    public void clear() {
        len = 0;
    }

    private void appendField(int i, byte[] row) {
        ColumnType t = reader.next();
        if (t == null) {
            ensure(4);
            len = putInt(out, len, -1);
            return;
        }
        Column c = columns.get(i);
        if (t != c.type()) {
            throw new IllegalStateException("column " + Identifiers.quote(c.name()) + " holds a " + t + " value, not " + c.type());
        }
        switch (wires[i]) {
            case BOOL -> {
                ensure(5);
                len = putInt(out, len, 1);
                out[len++] = (byte) (reader.readBoolean() ? 1 : 0);
            }
            case INT2 -> {
                long v = reader.readLong();
                if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
                    throw outOfRange(c, v, "smallint");
                }
                ensure(6);
                len = putInt(out, len, 2);
                len = putShort(out, len, (int) v);
            }
            case INT4 -> {
                long v = reader.readLong();
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw outOfRange(c, v, "integer");
                }
                appendInt4(v);
            }
            case INT8 -> appendInt8(reader.readLong());
            case NUMERIC -> appendNumeric(c, t);
            case FLOAT4 -> {
                ensure(8);
                len = putInt(out, len, 4);
                len = putInt(out, len, Float.floatToIntBits((float) reader.readDouble()));
            }
            case FLOAT8 -> appendInt8(Double.doubleToLongBits(reader.readDouble()));
            case TEXT, BYTEA -> {
                int start = reader.fieldStart() + 1 + 4; // tag, length
                reader.skip();
                appendBytes(row, start, reader.position(), false);
            }
            case JSONB -> {
                int start = reader.fieldStart() + 1 + 4;
                reader.skip();
                appendBytes(row, start, reader.position(), true);
            }
            case UUID -> {
                int start = reader.fieldStart() + 1 + 4;
                reader.skip();
                ensure(20);
                len = putInt(out, len, 16);
                len = uuid(row, start, reader.position(), out, len, c);
            }
            case DATE -> appendInt4(pgDate(c, reader.readLong()));
            case DATE_AS_TIMESTAMP -> appendInt8(dateMidnight(c, reader.readLong()));
            case TIMESTAMP, TIME -> appendInt8(reader.readLong()); // the canonical micros are the wire's (infinities too)
            case TIMETZ -> {
                long micros = reader.readLong();
                int offsetEast = reader.readOffsetSeconds();
                ensure(16);
                len = putInt(out, len, 12);
                len = putLong(out, len, micros);
                len = putInt(out, len, -offsetEast); // PostgreSQL keeps the zone in seconds west of UTC
            }
        }
    }

    private void appendInt4(long v) {
        ensure(8);
        len = putInt(out, len, 4);
        len = putInt(out, len, (int) v);
    }

    private void appendInt8(long v) {
        ensure(12);
        len = putInt(out, len, 8);
        len = putLong(out, len, v);
    }

    private void appendBytes(byte[] b, int from, int to, boolean jsonbVersion) {
        int n = to - from + (jsonbVersion ? 1 : 0);
        ensure(4 + n);
        len = putInt(out, len, n);
        if (jsonbVersion) {
            out[len++] = 1; // jsonb_recv's format version
        }
        System.arraycopy(b, from, out, len, to - from);
        len += to - from;
    }

    private static IllegalArgumentException outOfRange(Column c, long v, String type) {
        return new IllegalArgumentException("column " + Identifiers.quote(c.name()) + ": value " + v + " is out of range for " + type);
    }

    /** Days since 1970 to date_recv's days since 2000; the server checks the range as date_in does. */
    static long pgDate(Column c, long epochDay) {
        if (epochDay == Long.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        if (epochDay == Long.MIN_VALUE) {
            return Integer.MIN_VALUE;
        }
        long d = epochDay - PG_EPOCH_DAY;
        if (d <= Integer.MIN_VALUE || d >= Integer.MAX_VALUE) { // the extremes would read as -infinity / infinity
            throw new IllegalArgumentException("column " + Identifiers.quote(c.name()) + ": date out of range");
        }
        return d;
    }

    /** A date's midnight in microseconds since 2000-01-01, as timestamp_in reads a date's text; the server checks the range. */
    static long dateMidnight(Column c, long epochDay) {
        if (epochDay == Long.MAX_VALUE || epochDay == Long.MIN_VALUE) {
            return epochDay;
        }
        try {
            long micros = Math.multiplyExact(Math.subtractExact(epochDay, PG_EPOCH_DAY), Temporal.MICROS_PER_DAY);
            if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                throw new ArithmeticException();
            }
            return micros;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("column " + Identifiers.quote(c.name()) + ": timestamp out of range");
        }
    }

    /**
     * numeric_recv's form: ndigits, weight, sign, dscale, then the base-10000 digits. The value's digits are grouped in
     * fours around the decimal point; the display scale is the text path's, so the stored scale is the same (the server
     * then applies the column's typmod, rounding as for text).
     */
    private void appendNumeric(Column c, ColumnType t) {
        int scale;
        int digits;
        boolean negative;
        int outScale;
        if (t == ColumnType.INTEGER) {
            long v = reader.readLong();
            scale = 0;
            outScale = 0;
            negative = v < 0;
            digits = unscaledDigits(v);
        } else if (reader.decimalFitsLong()) {
            scale = reader.decimalScale();
            long v = reader.readDecimalUnscaled();
            outScale = CopyTextEncoder.decimalScale(scale, c);
            negative = v < 0;
            digits = unscaledDigits(v);
        } else {
            BigDecimal v = reader.readDecimal();
            scale = v.scale();
            outScale = CopyTextEncoder.decimalScale(scale, c);
            negative = v.signum() < 0;
            byte[] d = v.unscaledValue().abs().toString().getBytes(StandardCharsets.US_ASCII);
            if (decimalDigits.length < d.length) {
                decimalDigits = new byte[d.length];
            }
            System.arraycopy(d, 0, decimalDigits, 0, d.length);
            digits = v.signum() == 0 ? 0 : d.length;
        }
        int dscale = Math.max(outScale, 0);
        if (dscale > NUMERIC_DSCALE_MAX) {
            throw new IllegalArgumentException("column " + Identifiers.quote(c.name()) + ": a numeric of scale " + dscale
                    + " overflows PostgreSQL's numeric format");
        }
        if (digits == 0) { // zero: no digits, weight 0, positive, its display scale
            ensure(12);
            len = putInt(out, len, 8);
            len = putShort(out, len, 0);
            len = putShort(out, len, 0);
            len = putShort(out, len, NUMERIC_POS);
            len = putShort(out, len, dscale);
            return;
        }
        // digit i (most significant first) stands for 10^e, e = (digits - scale - 1) - i; it goes to base-10000 digit
        // floorDiv(e, 4) (counted from the point up: the weight is the leading one's), times 10^floorMod(e, 4)
        long firstExp = (long) digits - scale - 1;
        long weight = Math.floorDiv(firstExp, 4);
        long lastGroup = Math.floorDiv((long) -scale, 4);
        if (weight > Short.MAX_VALUE || weight < Short.MIN_VALUE || weight - lastGroup + 1 > 0xFFFF) {
            throw new IllegalArgumentException("column " + Identifiers.quote(c.name()) + ": value overflows PostgreSQL's numeric format");
        }
        int n = (int) (weight - lastGroup + 1);
        if (nbaseDigits.length < n) {
            nbaseDigits = new int[n];
        }
        Arrays.fill(nbaseDigits, 0, n, 0);
        for (int i = 0; i < digits; i++) {
            long e = firstExp - i;
            nbaseDigits[(int) (weight - Math.floorDiv(e, 4))] += (decimalDigits[i] - '0') * POW10[(int) Math.floorMod(e, 4)];
        }
        while (nbaseDigits[n - 1] == 0) { // trailing zero groups (a multiple of 10000), as numeric_send never sends them
            n--;
        }
        ensure(12 + 2 * n);
        len = putInt(out, len, 8 + 2 * n);
        len = putShort(out, len, n);
        len = putShort(out, len, (int) weight);
        len = putShort(out, len, negative ? NUMERIC_NEG : NUMERIC_POS);
        len = putShort(out, len, dscale);
        for (int i = 0; i < n; i++) {
            len = putShort(out, len, nbaseDigits[i]);
        }
    }

    /** Writes |v|'s decimal digits into {@link #decimalDigits}; returns their count (0 for 0). */
    private int unscaledDigits(long v) {
        if (v == 0) {
            return 0;
        }
        int end = DecimalText.writeLong(decimalDigits, 0, v);
        if (v < 0) { // drop the sign
            System.arraycopy(decimalDigits, 1, decimalDigits, 0, end - 1);
            return end - 1;
        }
        return end;
    }

    /**
     * uuid_in's grammar, ported from PostgreSQL's string_to_uuid: an optional brace pair around 32 hex digits, a hyphen
     * allowed after any even count of bytes. Writes the 16 bytes; otherwise refuses with uuid_in's words.
     */
    static int uuid(byte[] b, int from, int to, byte[] dst, int at, Column c) {
        int p = from;
        boolean braces = p < to && b[p] == '{';
        if (braces) {
            p++;
        }
        for (int i = 0; i < 16; i++) {
            int hi = p < to ? hex(b[p]) : -1;
            int lo = p + 1 < to ? hex(b[p + 1]) : -1;
            if (hi < 0 || lo < 0) {
                throw badUuid(b, from, to, c);
            }
            dst[at + i] = (byte) (hi << 4 | lo);
            p += 2;
            if (p < to && b[p] == '-' && i % 2 == 1 && i < 15) {
                p++;
            }
        }
        if (braces) {
            if (p >= to || b[p] != '}') {
                throw badUuid(b, from, to, c);
            }
            p++;
        }
        if (p != to) {
            throw badUuid(b, from, to, c);
        }
        return at + 16;
    }

    private static int hex(byte ch) {
        return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
    }

    private static IllegalArgumentException badUuid(byte[] b, int from, int to, Column c) {
        return new IllegalArgumentException("column " + Identifiers.quote(c.name()) + ": invalid input syntax for type uuid: \""
                + new String(b, from, to - from, StandardCharsets.UTF_8) + "\"");
    }

    private void ensure(int more) {
        if (len + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, len + more));
        }
    }

    private static int putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
        return at + 2;
    }

    private static int putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return at + 4;
    }

    private static int putLong(byte[] b, int at, long v) {
        for (int s = 56; s >= 0; s -= 8) {
            b[at++] = (byte) (v >>> s);
        }
        return at;
    }
}
