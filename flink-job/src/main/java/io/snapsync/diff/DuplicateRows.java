package io.snapsync.diff;

import io.snapsync.row.SnapshotRow;

/** Which of two rows with the same key {@code keep-one} keeps: a rule on content, not on arrival order. */
public final class DuplicateRows {
    private DuplicateRows() {}

    /** True when {@code a} is kept over {@code b}: the smaller 128-bit hash (unsigned), so reruns agree. */
    public static boolean preferred(SnapshotRow a, SnapshotRow b) {
        int hi = Long.compareUnsigned(a.hashHi, b.hashHi);
        return hi != 0 ? hi < 0 : Long.compareUnsigned(a.hashLo, b.hashLo) < 0;
    }
}
