package io.snapsync.fault;

import java.io.Serializable;

/**
 * Points in a run (extraction, staging, cache writing and the commit protocol) where a test can inject
 * a failure through the real code path. Production runs use {@link #NONE}; the writer and reader points
 * are reached once per task attempt, so their cost is nil.
 */
@FunctionalInterface
public interface CommitHook extends Serializable {
    enum Point {
        /**
         * A source split has emitted {@link #AFTER_ROWS} rows: a JDBC split (its cursor still open) or a bucket of a
         * bucketed UNLOAD (read and sorted, part of it emitted). Not reached by the keyed diff's UNLOAD file source.
         */
        SOURCE_READ,
        /** A staging writer has sent {@link #AFTER_ROWS} rows; its COPY is still open (uncommitted). */
        STAGING_COPYING,
        /** A staging writer's rows are committed in staging; its result is not yet reported. */
        STAGING_COMMITTED,
        /** A cache writer has written {@link #AFTER_ROWS} rows; its Parquet file is not closed. */
        CACHE_FILE_WRITING,
        /** The new cache version's manifest is written; the target is untouched. */
        CACHE_WRITTEN,
        /** Inside the target transaction, after the DELETE, before the MERGE and the control row. */
        IN_TRANSACTION,
        /** The target transaction committed; staging tables not yet dropped. */
        COMMITTED,
        /** Chunked apply: one chunk's transaction committed (the target holds a prefix of the change set). */
        CHUNK_APPLIED,
        /** Resync: the shadow table is loaded, indexed and granted; the live table is untouched. */
        SHADOW_BUILT
    }

    CommitHook NONE = point -> { };

    /** The row count after which the reader and writer points are reached. */
    int AFTER_ROWS = 50;

    void at(Point point) throws Exception;
}
