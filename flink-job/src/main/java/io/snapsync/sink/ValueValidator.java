package io.snapsync.sink;

import io.snapsync.row.BadDataException;
import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.DecimalText;
import io.snapsync.row.KeyFormatter;
import io.snapsync.row.Keys;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Checks a changed row against the target columns before it is staged, so a value PostgreSQL would
 * reject — or worse, silently round or truncate — fails the run naming table, column and key instead
 * of failing a COPY without a key, or diverging quietly.
 */
public final class ValueValidator implements Serializable {
    /** The last timestamp PostgreSQL stores: 294276-12-31 23:59:59.999999, in µs since 2000-01-01. */
    static final long MAX_TIMESTAMP_MICROS = 9223371331199999999L;
    /** The same instant in days since 1970-01-01, for DATE values bound for a timestamp column. */
    static final long MAX_TIMESTAMP_DAYS = 106762939L;
    /** 4714-11-24 BC (PostgreSQL year -4713) in µs since 2000-01-01: the first timestamp PostgreSQL stores. */
    static final long MIN_TIMESTAMP_MICROS = -211813488000000000L;

    private final String table;
    private final TableSchema schema;
    private final List<Column> columns;
    private final TargetColumn[] targets;
    private transient CanonicalRowReader reader;
    private transient long[] integerRange;

    /** @param target the target table's columns; source columns it lacks are not checked */
    public ValueValidator(String table, TableSchema schema, List<TargetColumn> target) {
        this.table = table;
        this.schema = schema;
        this.columns = schema.columns();
        Map<String, TargetColumn> byName = new java.util.HashMap<>();
        target.forEach(t -> byName.put(t.name(), t));
        this.targets = columns.stream().map(c -> byName.get(c.name())).toArray(TargetColumn[]::new);
    }

    /** Throws when a value of this row (canonical, all columns) does not fit its target column. */
    public void require(byte[] row, String key) {
        String problem = check(row);
        if (problem != null) {
            throw new BadDataException("table " + table + ", " + problem + ", key " + KeyFormatter.format(schema, Keys.toBytes(key))
                    + "; nothing applied");
        }
    }

    /** Null when every value fits; otherwise which column and why. */
    public String check(byte[] row) {
        if (reader == null) {
            reader = new CanonicalRowReader();
        }
        if (integerRange == null) {
            integerRange = integerRanges(targets);
        }
        reader.reset(row);
        for (int i = 0; i < columns.size(); i++) {
            ColumnType t = reader.next();
            TargetColumn target = targets[i];
            if (t == null && target != null && target.notNull()) {
                return "column " + io.snapsync.schema.Identifiers.quote(columns.get(i).name()) + ": NULL, but the target column is NOT NULL";
            }
            if (t == null || target == null) {
                reader.skip();
                continue;
            }
            if (t == ColumnType.TEXT && (target.length() < 0 || utf8Length(row, reader.fieldStart()) <= target.length())) {
                reader.skip(); // no limit, or fewer UTF-8 bytes than the limit in characters: it fits without decoding
                continue;
            }
            if (t == ColumnType.INTEGER) {
                long v = reader.readLong();
                if (v < integerRange[2 * i] || v > integerRange[2 * i + 1]) {
                    return "column " + io.snapsync.schema.Identifiers.quote(columns.get(i).name()) + ": " + integer(v, target);
                }
                continue;
            }
            String problem = switch (t) {
                case TEXT -> text(reader.readString(), target);
                case DECIMAL -> reader.decimalFitsLong() ? decimal(reader.decimalScale(), reader.readDecimalUnscaled(), target)
                        : decimal(reader.readDecimal(), target);
                case INTEGER -> integer(reader.readLong(), target);
                case FLOAT -> real(reader.readDouble(), target);
                case TIMESTAMP, TIMESTAMPTZ -> timestamp(reader.readLong(), target);
                case DATE -> date(reader.readLong(), target);
                default -> {
                    reader.skip();
                    yield null;
                }
            };
            if (problem != null) {
                return "column " + io.snapsync.schema.Identifiers.quote(columns.get(i).name()) + ": " + problem;
            }
        }
        return null;
    }

    /** The byte length of a text field whose tag is at {@code tagAt}: a character takes at least one UTF-8 byte. */
    private static int utf8Length(byte[] row, int tagAt) {
        return ((row[tagAt + 1] & 0xFF) << 24) | ((row[tagAt + 2] & 0xFF) << 16) | ((row[tagAt + 3] & 0xFF) << 8) | (row[tagAt + 4] & 0xFF);
    }

    /** Per column {min, max} an integer value may take in its target column, computed once (not per value). */
    private static long[] integerRanges(TargetColumn[] targets) {
        long[] r = new long[2 * targets.length];
        for (int i = 0; i < targets.length; i++) {
            String base = targets[i] == null ? "" : targets[i].baseType();
            r[2 * i] = base.equals("smallint") ? Short.MIN_VALUE : base.equals("integer") ? Integer.MIN_VALUE : Long.MIN_VALUE;
            r[2 * i + 1] = base.equals("smallint") ? Short.MAX_VALUE : base.equals("integer") ? Integer.MAX_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    private static String text(String v, TargetColumn t) {
        if (t.length() < 0) {
            return null;
        }
        // character(n) ignores trailing spaces; character varying would silently cut them, which is a change too
        String s = t.baseType().equals("character") ? v.stripTrailing() : v;
        int chars = s.codePointCount(0, s.length());
        return chars > t.length() ? "a value of " + chars + " characters does not fit " + t.describe() : null;
    }

    /** {@link #decimal(BigDecimal, TargetColumn)} from the unscaled long, which is all a value that fits needs. */
    private static String decimal(int scale, long unscaled, TargetColumn t) {
        if (t.precision() < 0) {
            return null;
        }
        boolean fits = scale <= t.scale() && (unscaled == 0 || DecimalText.digitCount(unscaled) - scale <= t.precision() - t.scale());
        return fits ? null : decimal(BigDecimal.valueOf(unscaled, scale), t); // the message, as the BigDecimal path words it
    }

    static String decimal(BigDecimal v, TargetColumn t) {
        if (t.precision() < 0) {
            return null;
        }
        if (v.scale() > t.scale()) {
            return "value " + v.toPlainString() + " has " + v.scale() + " decimal places; " + t.describe()
                    + " keeps " + t.scale() + " (PostgreSQL would round it)";
        }
        int integerDigits = v.precision() - v.scale();
        if (integerDigits > t.precision() - t.scale() && v.signum() != 0) {
            return "value " + v.toPlainString() + " has " + integerDigits + " digits before the point; " + t.describe()
                    + " allows " + (t.precision() - t.scale());
        }
        return null;
    }

    private static String integer(long v, TargetColumn t) {
        long min;
        long max;
        switch (t.baseType()) {
            case "smallint" -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case "integer" -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            default -> { return null; }
        }
        return v < min || v > max ? "value " + v + " is out of range for " + t.baseType() : null;
    }

    private static String real(double v, TargetColumn t) {
        if (t.baseType().equals("real") && Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE) {
            return "value " + v + " is out of range for real";
        }
        return null;
    }

    private static String timestamp(long micros, TargetColumn t) {
        if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
            return null; // infinity
        }
        return micros > MAX_TIMESTAMP_MICROS || micros < MIN_TIMESTAMP_MICROS ? "timestamp out of range for " + t.baseType() : null;
    }

    private static String date(long days, TargetColumn t) {
        if (days == Long.MAX_VALUE || days == Long.MIN_VALUE || !t.baseType().startsWith("timestamp")) {
            return null;
        }
        return days > MAX_TIMESTAMP_DAYS ? "date " + java.time.LocalDate.ofEpochDay(days) + " is out of range for " + t.baseType() : null;
    }
}
