package io.snapsync.source;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import org.apache.flink.util.InstantiationUtil;

/**
 * One range split's share of the first key column: {@code [lower, upper)}, open below and/or above at the
 * ends (the first split also takes NULLs, which only ever are NULL-key issues). {@link #ALL} is the single split.
 *
 * <p>The bounds are values of the column as bound to the query: Long (INTEGER), BigDecimal (DECIMAL), LocalDate
 * (DATE), LocalDateTime (TIMESTAMP), OffsetDateTime (TIMESTAMPTZ), LocalTime (TIME), String (TEXT), Double (FLOAT, finite),
 * byte[] (BYTES, never modified once in a range); null when open. A byte[] has no value equality, so {@link #equals},
 * {@link #hashCode} and {@link #toString} (hex digits) compare and print bounds by content.
 * Membership of a key is decided on its canonical bytes by the first column's {@link KeyOrder}, the order the
 * database's predicate ({@link SplitPlanner#rangePredicate}) is asked to apply.
 */
public record SplitRange(boolean noLower, Serializable lower, boolean noUpper, Serializable upper) implements Serializable {
    private static final long serialVersionUID = 2L;
    public static final SplitRange ALL = new SplitRange(true, null, true, null);

    public SplitRange {
        lower = noLower ? null : java.util.Objects.requireNonNull(lower, "lower");
        upper = noUpper ? null : java.util.Objects.requireNonNull(upper, "upper");
    }

    /** An integer range, as range splits on an INTEGER first key column bind it. */
    public SplitRange(boolean noLower, long lower, boolean noUpper, long upper) {
        this(noLower, (Serializable) lower, noUpper, (Serializable) upper);
    }

    /** From a range split's bound parameters (noLower, lower, noUpper, upper, withNulls). */
    public static SplitRange of(Serializable[] params) {
        return new SplitRange((Boolean) params[0], params[1], (Boolean) params[2], params[3]);
    }

    /**
     * The parameters {@link SplitPlanner#rangePredicate} binds for this range. An open end still binds a value of
     * the column's type (the other end's; the predicate ignores it), so that every placeholder has the same type.
     */
    public Serializable[] params() {
        Serializable any = noLower ? upper : lower;
        return new Serializable[] {noLower, noLower ? any : lower, noUpper, noUpper ? any : upper, noLower};
    }

    /** The canonical bytes of a bound value as the first field of a key (see {@code row.CanonicalRowWriter}). */
    public static String canonical(Serializable value) {
        CanonicalRowWriter w = new CanonicalRowWriter(32);
        if (value instanceof Long v) {
            w.writeInteger(v);
        } else if (value instanceof BigDecimal v) {
            w.writeDecimal(v);
        } else if (value instanceof LocalDate v) {
            w.writeDate(v);
        } else if (value instanceof LocalDateTime v) {
            w.writeTimestamp(v);
        } else if (value instanceof OffsetDateTime v) {
            w.writeTimestampTz(v);
        } else if (value instanceof LocalTime v) {
            w.writeTime(v);
        } else if (value instanceof String v) {
            w.writeText(v);
        } else if (value instanceof Double v) {
            w.writeFloat(v);
        } else if (value instanceof byte[] v) {
            w.writeBytes(v);
        } else {
            throw new IllegalArgumentException("not a range bound type: " + (value == null ? null : value.getClass().getName()));
        }
        return Keys.fromBytes(w.toByteArray());
    }

    /**
     * This range's bounds as canonical bytes, for comparing keys with {@code first}, the order of the first key
     * column ({@link KeyOrder#ofFirstColumn}).
     */
    public Bounds bounds(KeyOrder first) {
        return new Bounds(first, noLower ? null : canonical(lower), noUpper ? null : canonical(upper));
    }

    /** A range with its bounds encoded once: the per-row checks compare canonical bytes only. */
    public static final class Bounds {
        private final KeyOrder first;
        private final String lower;
        private final String upper;

        Bounds(KeyOrder first, String lower, String upper) {
            this.first = first;
            this.lower = lower;
            this.upper = upper;
        }

        /** A key (or one first-column field) below this range. A NULL first column sorts last (NULLS LAST). */
        public boolean below(String key) {
            return lower != null && first.compare(key, lower) < 0;
        }

        /** A key at or beyond this range's end. */
        public boolean above(String key) {
            return upper != null && first.compare(key, upper) >= 0;
        }

        public boolean contains(String key) {
            return !below(key) && !above(key);
        }

        /** True when some key in [firstKey, lastKey] may fall in this range. */
        public boolean overlaps(String firstKey, String lastKey) {
            return !above(firstKey) && !below(lastKey);
        }
    }

    /** The row an ordered read emits ahead of a split's rows: the diff merges the cache's entries of this range with them. */
    public static SnapshotRow marker(SplitRange r) {
        try {
            SnapshotRow row = new SnapshotRow("", 0, 0, InstantiationUtil.serializeObject(r));
            row.flags = SnapshotRow.SPLIT;
            return row;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The range a {@link #marker} row names. */
    public static SplitRange ofMarker(SnapshotRow marker) {
        try {
            return InstantiationUtil.deserializeObject(marker.row, SplitRange.class.getClassLoader());
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("a split marker that does not decode: " + e.getMessage(), e);
        }
    }

    /** By the bounds' values: a byte[] bound by its bytes (a record's own equals would compare array identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SplitRange r && noLower == r.noLower && noUpper == r.noUpper
                && java.util.Objects.deepEquals(lower, r.lower) && java.util.Objects.deepEquals(upper, r.upper);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.deepHashCode(new Object[] {noLower, lower, noUpper, upper});
    }

    @Override
    public String toString() {
        return "[" + (noLower ? "-inf" : show(lower)) + ", " + (noUpper ? "+inf" : show(upper)) + ")";
    }

    /** A bound as messages show it: a byte[] as PostgreSQL prints a bytea, {@code \x} and its hex digits. */
    public static String show(Serializable bound) {
        return bound instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : String.valueOf(bound);
    }
}
