package io.snapsync.source;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The snapshot query and its splits: {@code sql} has {@code ?} placeholders and each row of
 * {@code splits} binds them for one split. {@code splits == null} means one split, no parameters.
 */
public record SourceQuery(String sql, Serializable[][] splits) implements Serializable {

    public int splitCount() {
        return splits == null ? 1 : splits.length;
    }

    @Override
    public String toString() {
        return sql + " x " + splitCount() + " splits" + (splits == null ? "" : " " + Arrays.deepToString(splits));
    }
}
