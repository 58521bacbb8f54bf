package io.snapsync.source;

import io.snapsync.row.SnapshotRow;
import java.io.Serializable;

/**
 * One range split's share of the first key column: {@code [lower, upper)}, open below and/or above at the
 * ends (the first split also takes NULLs, which only ever are NULL-key issues). {@link #ALL} is the single split.
 */
public record SplitRange(boolean noLower, long lower, boolean noUpper, long upper) implements Serializable {
    public static final SplitRange ALL = new SplitRange(true, 0, true, 0);

    /** From a range split's bound parameters (noLower, lower, noUpper, upper, withNulls). */
    public static SplitRange of(Serializable[] params) {
        return new SplitRange((Boolean) params[0], ((Number) params[1]).longValue(), (Boolean) params[2], ((Number) params[3]).longValue());
    }

    /** The parameters {@link SplitPlanner#rangePredicate} binds for this range. */
    public Serializable[] params() {
        return new Serializable[] {noLower, noLower ? 0L : lower, noUpper, noUpper ? 0L : upper, noLower};
    }

    /** A first key column value below this range. */
    public boolean below(long v) {
        return !noLower && v < lower;
    }

    /** A first key column value at or beyond this range's end. */
    public boolean above(long v) {
        return !noUpper && v >= upper;
    }

    public boolean contains(long v) {
        return !below(v) && !above(v);
    }

    /** True when some value in [first, last] falls in this range. */
    public boolean overlaps(long first, long last) {
        return !above(first) && !below(last);
    }

    /** The row an ordered read emits ahead of a split's rows: the diff merges the cache's entries of this range with them. */
    public static SnapshotRow marker(SplitRange r) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(18);
        b.put((byte) (r.noLower ? 1 : 0)).putLong(r.lower).put((byte) (r.noUpper ? 1 : 0)).putLong(r.upper);
        SnapshotRow row = new SnapshotRow("", 0, 0, b.array());
        row.flags = SnapshotRow.SPLIT;
        return row;
    }

    /** The range a {@link #marker} row names. */
    public static SplitRange ofMarker(SnapshotRow marker) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(marker.row);
        boolean noLower = b.get() == 1;
        long lower = b.getLong();
        boolean noUpper = b.get() == 1;
        return new SplitRange(noLower, lower, noUpper, b.getLong());
    }

    @Override
    public String toString() {
        return "[" + (noLower ? "-inf" : Long.toString(lower)) + ", " + (noUpper ? "+inf" : Long.toString(upper)) + ")";
    }
}
