package io.snapsync.sink;

import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns canonical rows into lines of PostgreSQL's COPY text format, straight from the bytes.
 * Values are COPY-encoded, never put into SQL: backslash, tab, newline and carriage return are
 * escaped, NULL is {@code \N}, bytea is hex. Dates and timestamps are written in ISO form with an
 * explicit era ({@code BC}) and years past 9999, which PostgreSQL accepts.
 */
public final class CopyTextEncoder {
    private static final HexFormat HEX = HexFormat.of();
    private final List<Column> columns;
    private final CanonicalRowReader reader = new CanonicalRowReader();
    private final StringBuilder sb = new StringBuilder(256);
    private byte[] out = new byte[8192];
    private int len;

    public CopyTextEncoder(List<Column> columns) {
        this.columns = columns;
    }

    /** Appends one line for {@code row} plus the given trailing integer columns. */
    public void appendRow(byte[] row, long... trailing) {
        reader.reset(row);
        sb.setLength(0);
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append('\t');
            }
            appendField(columns.get(i));
        }
        for (long t : trailing) {
            sb.append('\t').append(t);
        }
        sb.append('\n');
        byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (len + line.length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, len + line.length));
        }
        System.arraycopy(line, 0, out, len, line.length);
        len += line.length;
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

    private void appendField(Column c) {
        ColumnType t = reader.next();
        if (t == null) {
            sb.append("\\N");
            return;
        }
        switch (t) {
            case BOOLEAN -> sb.append(reader.readBoolean() ? 't' : 'f');
            case INTEGER -> sb.append(reader.readLong());
            case DECIMAL -> sb.append(decimal(reader.readDecimal(), c));
            case FLOAT -> sb.append(floatText(reader.readDouble(), c.width()));
            case TEXT, JSON -> escape(reader.readString());
            case BYTES -> sb.append("\\\\x").append(HEX.formatHex(reader.readBytes()));
            case DATE -> sb.append(dateText(reader.readLong()));
            case TIMESTAMP -> sb.append(timestampText(reader.readLong()));
            case TIMESTAMPTZ -> {
                long m = reader.readLong();
                sb.append(timestampText(m));
                if (m != Long.MAX_VALUE && m != Long.MIN_VALUE) {
                    sb.append("+00");
                }
            }
            case TIME -> sb.append(Temporal.timeText(reader.readLong()));
            case TIMETZ -> {
                long m = reader.readLong();
                sb.append(Temporal.timeTzText(m, reader.readOffsetSeconds()));
            }
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
        if (epochDay == Long.MAX_VALUE) {
            return "infinity";
        }
        if (epochDay == Long.MIN_VALUE) {
            return "-infinity";
        }
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        return ymd(d.getYear(), d.getMonthValue(), d.getDayOfMonth()) + era(d.getYear());
    }

    static String timestampText(long micros) {
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        LocalDateTime t = Temporal.localDateTime(micros);
        StringBuilder b = new StringBuilder(ymd(t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
        b.append(' ').append(Temporal.timeText(t.toLocalTime().toNanoOfDay() / 1000));
        return b.append(era(t.getYear())).toString();
    }

    /** ISO year 0 is 1 BC, -1 is 2 BC: PostgreSQL wants the positive year plus " BC". */
    private static String ymd(int isoYear, int month, int day) {
        int y = isoYear <= 0 ? 1 - isoYear : isoYear;
        return String.format("%04d-%02d-%02d", y, month, day);
    }

    private static String era(int isoYear) {
        return isoYear <= 0 ? " BC" : "";
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(ch);
            }
        }
    }
}
