package io.snapsync.source;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The snapshot query and its splits: {@code sql} has {@code ?} placeholders and each row of
 * {@code splits} binds them for one split. {@code splits == null} means one split, no parameters.
 */
public record SourceQuery(String sql, Serializable[][] splits, String rangeColumn) implements Serializable {

    /** Splits that are not key ranges (hash buckets), or one split. */
    public SourceQuery(String sql, Serializable[][] splits) {
        this(sql, splits, null);
    }

    /**
     * True when every split is a range of the first key column (binds {@link SplitRange#params}) or there
     * is one split: the splits can be read in key order and merged with the cache's entries of the same range.
     */
    public boolean ranged() {
        return splits == null || rangeColumn != null;
    }

    /** The same splits, each read in key order: {@code orderBy} is the dialect's ORDER BY list for the whole key. */
    public SourceQuery orderedBy(String orderBy) {
        return new SourceQuery(sql + " ORDER BY " + orderBy, splits, rangeColumn);
    }

    /** Split {@code i}'s key range (the whole key space for a single split). */
    public SplitRange range(int i) {
        return splits == null ? SplitRange.ALL : SplitRange.of(splits[i]);
    }

    public int splitCount() {
        return splits == null ? 1 : splits.length;
    }

    @Override
    public String toString() {
        return sql + " x " + splitCount() + " splits" + (splits == null ? "" : " " + Arrays.deepToString(splits));
    }
}
