package io.snapsync.diff;

import io.snapsync.row.ChangeKind;

/** The whole comparison rule, apart from Flink: what one key's presence and hashes on each side mean. */
public final class DiffDecision {
    private DiffDecision() {}

    public static ChangeKind decide(
            boolean inSnapshot, long snapHi, long snapLo, boolean inCache, long cacheHi, long cacheLo) {
        if (inSnapshot && !inCache) {
            return ChangeKind.INSERT;
        }
        if (!inSnapshot && inCache) {
            return ChangeKind.DELETE;
        }
        if (!inSnapshot) {
            throw new IllegalArgumentException("a key must be present on at least one side");
        }
        return snapHi == cacheHi && snapLo == cacheLo ? ChangeKind.UNCHANGED : ChangeKind.UPDATE;
    }
}
