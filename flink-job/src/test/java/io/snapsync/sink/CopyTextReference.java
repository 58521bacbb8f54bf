package io.snapsync.sink;

import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The COPY text encoder as it was before it wrote numbers, dates and times straight into its byte buffer (through
 * BigDecimal, LocalDate and a StringBuilder): kept here as the reference the current encoder must match byte for byte.
 */
final class CopyTextReference {
    private static final HexFormat HEX = HexFormat.of();
    private final List<Column> columns;
    private final CanonicalRowReader reader = new CanonicalRowReader();
    private final StringBuilder sb = new StringBuilder(256);
    private byte[] out = new byte[8192];
    private int len;

    CopyTextReference(List<Column> columns) {
        this.columns = columns;
    }

    /** Appends one line for {@code row} plus the given trailing integer columns. */
    public void appendRow(byte[] row, long... trailing) {
        reader.reset(row);
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                put((byte) '\t');
            }
            appendField(columns.get(i), row);
        }
        for (long t : trailing) {
            put((byte) '\t');
            sb.setLength(0);
            putAscii(sb.append(t));
        }
        put((byte) '\n');
    }

    public byte[] buffer() {
        return out;
    }

    public int length() {
        return len;
    }

    public void clear() {
        len = 0;
    }

    // Lines go straight into the byte buffer: text as its UTF-8 bytes from the row, escaped byte by byte (a multi-byte
    // UTF-8 sequence never holds an ASCII byte), everything else through the ASCII scratch builder; no String per line.
    private void appendField(Column c, byte[] row) {
        ColumnType t = reader.next();
        if (t == null) {
            put((byte) '\\');
            put((byte) 'N');
            return;
        }
        if (t == ColumnType.TEXT || t == ColumnType.JSON) {
            int start = reader.fieldStart() + 1 + 4; // tag, length
            reader.skip();
            escape(row, start, reader.position());
            return;
        }
        sb.setLength(0);
        switch (t) {
            case BOOLEAN -> sb.append(reader.readBoolean() ? 't' : 'f');
            case INTEGER -> sb.append(reader.readLong());
            case DECIMAL -> sb.append(decimal(reader.readDecimal(), c));
            case FLOAT -> sb.append(floatText(reader.readDouble(), c.width()));
            case BYTES -> sb.append("\\\\x").append(HEX.formatHex(reader.readBytes()));
            case DATE -> appendDate(sb, reader.readLong());
            case TIMESTAMP -> appendTimestamp(sb, reader.readLong());
            case TIMESTAMPTZ -> {
                long m = reader.readLong();
                appendTimestamp(sb, m);
                if (m != Long.MAX_VALUE && m != Long.MIN_VALUE) {
                    sb.append("+00");
                }
            }
            case TIME -> appendTime(sb, reader.readLong());
            case TIMETZ -> {
                long m = reader.readLong();
                sb.append(Temporal.timeTzText(m, reader.readOffsetSeconds()));
            }
            default -> throw new IllegalStateException("unexpected type " + t);
        }
        putAscii(sb);
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

    /** Only ASCII reaches here (numbers, dates, hex, keywords). */
    private void putAscii(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            out[len++] = (byte) s.charAt(i);
        }
    }

    private static String decimal(BigDecimal v, Column c) {
        // canonical decimals have trailing zeros stripped; give a scaled column its declared scale back
        if (c.precision() > 0 && v.scale() < c.scale()) {
            v = v.setScale(c.scale());
        }
        return v.toPlainString();
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
        StringBuilder b = new StringBuilder(16);
        appendDate(b, epochDay);
        return b.toString();
    }

    static String timestampText(long micros) {
        StringBuilder b = new StringBuilder(32);
        appendTimestamp(b, micros);
        return b.toString();
    }

    // Dates and times are appended digit by digit: String.format here cost a third of a first load's CPU (three
    // date columns per row), and the output must stay exactly what it produced (zero-padded, year 4+ digits).
    private static void appendDate(StringBuilder b, long epochDay) {
        if (epochDay == Long.MAX_VALUE) {
            b.append("infinity");
        } else if (epochDay == Long.MIN_VALUE) {
            b.append("-infinity");
        } else {
            LocalDate d = LocalDate.ofEpochDay(epochDay);
            appendYmd(b, d.getYear(), d.getMonthValue(), d.getDayOfMonth());
            appendEra(b, d.getYear());
        }
    }

    private static void appendTimestamp(StringBuilder b, long micros) {
        if (micros == Long.MAX_VALUE) {
            b.append("infinity");
        } else if (micros == Long.MIN_VALUE) {
            b.append("-infinity");
        } else {
            LocalDateTime t = Temporal.localDateTime(micros);
            appendYmd(b, t.getYear(), t.getMonthValue(), t.getDayOfMonth());
            b.append(' ');
            appendTime(b, t.toLocalTime().toNanoOfDay() / 1000);
            appendEra(b, t.getYear());
        }
    }

    /** {@code HH:MM:SS[.ffffff]}, as {@link Temporal#timeText} writes it (24:00:00 included). */
    private static void appendTime(StringBuilder b, long microsOfDay) {
        long secs = microsOfDay / 1_000_000;
        long micros = microsOfDay % 1_000_000;
        pad(b, secs / 3600, 2).append(':');
        pad(b, (secs / 60) % 60, 2).append(':');
        pad(b, secs % 60, 2);
        if (micros != 0) {
            pad(b.append('.'), micros, 6);
        }
    }

    /** ISO year 0 is 1 BC, -1 is 2 BC: PostgreSQL wants the positive year plus " BC". */
    private static void appendYmd(StringBuilder b, int isoYear, int month, int day) {
        int y = isoYear <= 0 ? 1 - isoYear : isoYear;
        pad(b, y, 4).append('-');
        pad(b, month, 2).append('-');
        pad(b, day, 2);
    }

    private static void appendEra(StringBuilder b, int isoYear) {
        if (isoYear <= 0) {
            b.append(" BC");
        }
    }

    /** A non-negative value with at least {@code digits} digits, zero-padded on the left. */
    private static StringBuilder pad(StringBuilder b, long v, int digits) {
        for (long limit = 10, i = 1; i < digits; i++, limit *= 10) {
            if (v < limit) {
                b.append('0');
            }
        }
        return b.append(v);
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
