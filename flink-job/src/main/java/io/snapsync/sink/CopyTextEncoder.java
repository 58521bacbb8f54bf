package io.snapsync.sink;

import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.DecimalText;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * Turns canonical rows into lines of PostgreSQL's COPY text format, straight from the bytes.
 * Values are COPY-encoded, never put into SQL: backslash, tab, newline and carriage return are
 * escaped, NULL is {@code \N}, bytea is hex. Dates and timestamps are written in ISO form with an
 * explicit era ({@code BC}) and years past 9999, which PostgreSQL accepts.
 */
public final class CopyTextEncoder implements CopyEncoder {
    private final List<Column> columns;
    private final CanonicalRowReader reader = new CanonicalRowReader();
    private byte[] out = new byte[8192];
    private int len;

    public CopyTextEncoder(List<Column> columns) {
        this.columns = columns;
    }

    /** Appends one line for {@code row} plus the given trailing integer columns. */
    @Override
    public void appendRow(byte[] row, long... trailing) {
        reader.reset(row);
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                put((byte) '\t');
            }
            appendField(columns.get(i), row);
        }
        for (long t : trailing) {
            ensure(1 + DecimalText.MAX_LONG_DIGITS + 1);
            out[len++] = '\t';
            len = DecimalText.writeLong(out, len, t);
        }
        put((byte) '\n');
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

    // Lines go straight into the byte buffer: text as its UTF-8 bytes from the row, escaped byte by byte (a multi-byte
    // UTF-8 sequence never holds an ASCII byte), numbers, dates and times as ASCII digits written in place (through
    // Long.toString, BigDecimal and LocalDate they were a quarter of a first load's CPU); no String per value except
    // floats and timetz, whose text Java's own formatting defines.
    private void appendField(Column c, byte[] row) {
        ColumnType t = reader.next();
        if (t == null) {
            put((byte) '\\');
            put((byte) 'N');
            return;
        }
        switch (t) {
            case TEXT, JSON -> {
                int start = reader.fieldStart() + 1 + 4; // tag, length
                reader.skip();
                escape(row, start, reader.position());
            }
            case BOOLEAN -> put((byte) (reader.readBoolean() ? 't' : 'f'));
            case INTEGER -> {
                ensure(1 + DecimalText.MAX_LONG_DIGITS);
                len = DecimalText.writeLong(out, len, reader.readLong());
            }
            case DECIMAL -> {
                if (reader.decimalFitsLong()) {
                    int scale = reader.decimalScale();
                    long unscaled = reader.readDecimalUnscaled();
                    int outScale = decimalScale(scale, c);
                    long n = DecimalText.plainLength(unscaled, scale, outScale);
                    if (n > Integer.MAX_VALUE / 4) {
                        throw new IllegalStateException("decimal of scale " + scale + " too long for a COPY line");
                    }
                    ensure((int) n);
                    len = DecimalText.writePlain(out, len, unscaled, scale, outScale);
                } else {
                    putAscii(decimal(reader.readDecimal(), c));
                }
            }
            case FLOAT -> putAscii(floatText(reader.readDouble(), c.width()));
            case BYTES -> {
                int start = reader.fieldStart() + 1 + 4;
                reader.skip();
                hex(row, start, reader.position());
            }
            case DATE -> {
                ensure(MAX_TIMESTAMP_TEXT);
                len = writeDate(out, len, reader.readLong());
            }
            case TIMESTAMP -> {
                ensure(MAX_TIMESTAMP_TEXT);
                len = writeTimestamp(out, len, reader.readLong(), false);
            }
            case TIMESTAMPTZ -> {
                ensure(MAX_TIMESTAMP_TEXT);
                len = writeTimestamp(out, len, reader.readLong(), true);
            }
            case TIME -> {
                ensure(MAX_TIMESTAMP_TEXT);
                len = writeTime(out, len, reader.readLong());
            }
            case TIMETZ -> {
                long m = reader.readLong();
                putAscii(Temporal.timeTzText(m, reader.readOffsetSeconds()));
            }
        }
    }

    private void ensure(int more) {
        if (len + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, len + more));
        }
    }

    private void put(byte b) {
        ensure(1);
        out[len++] = b;
    }

    /** Only ASCII reaches here (floats, timetz, decimals past a long). */
    private void putAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            out[len++] = (byte) s.charAt(i);
        }
    }

    /** bytea in hex form, {@code \\x} (the backslash escaped for COPY) and two lowercase digits per byte. */
    private void hex(byte[] b, int from, int to) {
        ensure(3 + 2 * (to - from));
        out[len++] = '\\';
        out[len++] = '\\';
        out[len++] = 'x';
        for (int i = from; i < to; i++) {
            out[len++] = HEX_DIGITS[(b[i] >> 4) & 0xF];
            out[len++] = HEX_DIGITS[b[i] & 0xF];
        }
    }

    static String decimal(BigDecimal v, Column c) {
        int outScale = decimalScale(v.scale(), c);
        return (outScale == v.scale() ? v : v.setScale(outScale)).toPlainString();
    }

    /**
     * Canonical decimals have trailing zeros stripped; a scaled column gets its declared scale back. The binary encoder
     * takes its numerics' display scale from here too, so both formats store the same scale.
     */
    static int decimalScale(int scale, Column c) {
        return c.precision() > 0 && scale < c.scale() ? c.scale() : scale;
    }

    static String floatText(double d, int width) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return width == 4 ? Float.toString((float) d) : Double.toString(d);
    }

    static String dateText(long epochDay) {
        byte[] b = new byte[MAX_TIMESTAMP_TEXT];
        return new String(b, 0, writeDate(b, 0, epochDay), StandardCharsets.US_ASCII);
    }

    static String timestampText(long micros) {
        byte[] b = new byte[MAX_TIMESTAMP_TEXT];
        return new String(b, 0, writeTimestamp(b, 0, micros, false), StandardCharsets.US_ASCII);
    }

    /** The longest date, timestamp or time text: "-infinity", or a 12-digit year, time, "+00" and " BC". */
    private static final int MAX_TIMESTAMP_TEXT = 48;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFINITY = "infinity".getBytes(StandardCharsets.US_ASCII);
    /** Days from 0000-03-01 to 1970-01-01, for the civil-from-days conversion below. */
    private static final long DAYS_0000_03_01 = 719_468;
    /** Days of a 400-year Gregorian cycle. */
    private static final long DAYS_PER_ERA = 146_097;
    /** Beyond this many days from 1970 (about 270 million years) dates go through LocalDate, as they always did. */
    private static final long CIVIL_LIMIT_DAYS = 100_000_000_000L;
    /** 0001-01-01 in days since 1970-01-01: days before it are BC. */
    private static final long FIRST_DAY_AD = -719_162;
    /** 2000-01-01 (PostgreSQL's epoch) in days since 1970-01-01. */
    private static final long PG_EPOCH_DAY = 10_957;

    // ISO dates with an explicit era (year 0 is 1 BC) and years past 9999, zero-padded, exactly as LocalDate's
    // fields gave them; ymd comes from the days by the proleptic Gregorian civil-from-days arithmetic (the calendar
    // LocalDate uses) rather than a LocalDate per value.
    private static int writeDate(byte[] b, int at, long epochDay) {
        if (epochDay == Long.MAX_VALUE || epochDay == Long.MIN_VALUE) {
            return infinity(b, at, epochDay > 0);
        }
        return era(b, ymd(b, at, epochDay), epochDay);
    }

    private static int writeTimestamp(byte[] b, int at, long micros, boolean utcOffset) {
        if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
            return infinity(b, at, micros > 0);
        }
        long day = Math.floorDiv(micros, Temporal.MICROS_PER_DAY) + PG_EPOCH_DAY;
        at = ymd(b, at, day);
        b[at++] = ' ';
        at = writeTime(b, at, Math.floorMod(micros, Temporal.MICROS_PER_DAY));
        at = era(b, at, day);
        if (utcOffset) {
            b[at++] = '+';
            b[at++] = '0';
            b[at++] = '0';
        }
        return at;
    }

    /** {@code HH:MM:SS[.ffffff]}, as {@link Temporal#timeText} writes it (24:00:00 included). */
    private static int writeTime(byte[] b, int at, long microsOfDay) {
        long secs = microsOfDay / 1_000_000;
        long micros = microsOfDay % 1_000_000;
        at = pad(b, at, secs / 3600, 2);
        b[at++] = ':';
        at = pad(b, at, (secs / 60) % 60, 2);
        b[at++] = ':';
        at = pad(b, at, secs % 60, 2);
        if (micros != 0) {
            b[at++] = '.';
            at = pad(b, at, micros, 6);
        }
        return at;
    }

    private static int infinity(byte[] b, int at, boolean positive) {
        if (!positive) {
            b[at++] = '-';
        }
        System.arraycopy(INFINITY, 0, b, at, INFINITY.length);
        return at + INFINITY.length;
    }

    /**
     * Writes {@code YYYY-MM-DD} of a day since 1970-01-01 (ISO year 0 is 1 BC, -1 is 2 BC: PostgreSQL wants the
     * positive year, the era follows via {@link #era}); returns the position after it.
     */
    private static int ymd(byte[] b, int at, long epochDay) {
        long y;
        int m;
        int d;
        if (Math.abs(epochDay) <= CIVIL_LIMIT_DAYS) {
            long z = epochDay + DAYS_0000_03_01;
            long era = Math.floorDiv(z, DAYS_PER_ERA);
            long doe = z - era * DAYS_PER_ERA; // day of the era, [0, 146096]
            long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // year of the era, [0, 399]
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the year from March 1st, [0, 365]
            long mp = (5 * doy + 2) / 153; // month from March, [0, 11]
            d = (int) (doy - (153 * mp + 2) / 5 + 1);
            m = (int) (mp < 10 ? mp + 3 : mp - 9);
            y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        } else {
            LocalDate date = LocalDate.ofEpochDay(epochDay);
            y = date.getYear();
            m = date.getMonthValue();
            d = date.getDayOfMonth();
        }
        at = pad(b, at, y <= 0 ? 1 - y : y, 4);
        b[at++] = '-';
        at = pad(b, at, m, 2);
        b[at++] = '-';
        return pad(b, at, d, 2);
    }

    /** " BC" after a day before 0001-01-01 (ISO year 0 or less). */
    private static int era(byte[] b, int at, long epochDay) {
        if (epochDay < FIRST_DAY_AD) {
            b[at++] = ' ';
            b[at++] = 'B';
            b[at++] = 'C';
        }
        return at;
    }

    /**
     * v with at least {@code digits} digits, zero-padded on the left; as the StringBuilder version did, a negative v
     * (which no valid value gives) gets {@code digits - 1} zeros before its sign.
     */
    private static int pad(byte[] b, int at, long v, int digits) {
        int zeros = v < 0 ? digits - 1 : digits - DecimalText.digitCount(v);
        for (int i = 0; i < zeros; i++) {
            b[at++] = '0';
        }
        return DecimalText.writeLong(b, at, v);
    }

    private void escape(byte[] b, int from, int to) {
        ensure(2 * (to - from));
        for (int i = from; i < to; i++) {
            byte ch = b[i];
            switch (ch) {
                case '\\' -> { out[len++] = '\\'; out[len++] = '\\'; }
                case '\n' -> { out[len++] = '\\'; out[len++] = 'n'; }
                case '\r' -> { out[len++] = '\\'; out[len++] = 'r'; }
                case '\t' -> { out[len++] = '\\'; out[len++] = 't'; }
                default -> out[len++] = ch;
            }
        }
    }
}
