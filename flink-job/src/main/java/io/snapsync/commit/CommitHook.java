package io.snapsync.commit;

import java.io.Serializable;

/**
 * Points in the commit protocol where a test can inject a failure through the real code path.
 * Production runs use {@link #NONE}.
 */
@FunctionalInterface
public interface CommitHook extends Serializable {
    enum Point {
        /** The new cache version's manifest is written; the target is untouched. */
        CACHE_WRITTEN,
        /** Inside the target transaction, after the DELETE, before the MERGE and the control row. */
        IN_TRANSACTION,
        /** The target transaction committed; staging tables not yet dropped. */
        COMMITTED,
        /** Chunked apply: one chunk's transaction committed (the target holds a prefix of the change set). */
        CHUNK_APPLIED
    }

    CommitHook NONE = point -> { };

    void at(Point point) throws Exception;
}
