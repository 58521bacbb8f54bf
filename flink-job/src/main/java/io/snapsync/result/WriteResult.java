package io.snapsync.result;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What one subtask of a stage hands the committer when its input ends: one message per subtask attempt,
 * which of four kinds saying what it holds. Serialized by Flink's Kryo fallback (records and ArrayLists only,
 * which it handles without registration).
 */
public sealed interface WriteResult extends Serializable
        permits WriteResult.StagedPart, WriteResult.CacheFile, WriteResult.IssueCounts, WriteResult.Failed {

    /** Which of the committer's inputs sent this. */
    Stage stage();

    int subtask();

    int attempt();

    /**
     * Rows COPYed into a staging table by one writer attempt (tagged with its subtask and attempt), or in a dry
     * run the rows that would have been.
     *
     * @param samples dry runs only: a few keys, e.g. {@code UPDATE (id=7)}; empty otherwise
     */
    record StagedPart(Stage stage, int subtask, int attempt, long rows, long inserted, long updated, List<String> samples)
            implements WriteResult {
        public StagedPart {
            if (stage != Stage.UPSERTS && stage != Stage.DELETES) {
                throw new IllegalArgumentException("a staged part is upserts or deletes, not " + stage);
            }
            samples = new ArrayList<>(samples);
        }

        public StagedPart(Stage stage, int subtask, int attempt, long rows, long inserted, long updated) {
            this(stage, subtask, attempt, rows, inserted, updated, List.of());
        }
    }

    /**
     * One subtask's file of the new cache version.
     *
     * @param file name relative to the version directory; null when the subtask wrote no file (no rows, or a dry run)
     * @param bytes the file's length and CRC32C (hex), recorded in the manifest and checked before the next run reads it
     * @param firstKey the file's first and last key (canonical key bytes, Latin-1), null without rows; {@code sorted}
     *     whether every key in it ascended strictly under {@code row.KeyOrder}, as checked while writing; the manifest
     *     records them
     */
    record CacheFile(int subtask, int attempt, long rows, String file, long bytes, String checksum, String firstKey,
                     String lastKey, boolean sorted, long fileRows) implements WriteResult {
        /**
         * A file holding the snapshot's rows ({@code rows}); {@code fileRows} differs only for a change layer (its
         * changed rows and tombstones), while {@code rows} stays the snapshot's count.
         */
        public CacheFile(int subtask, int attempt, long rows, String file, long bytes, String checksum, String firstKey,
                         String lastKey, boolean sorted) {
            this(subtask, attempt, rows, file, bytes, checksum, firstKey, lastKey, sorted, rows);
        }

        /** A file without key range (a dry run counts rows only). */
        public CacheFile(int subtask, int attempt, long rows, String file, long bytes, String checksum) {
            this(subtask, attempt, rows, file, bytes, checksum, null, null, false);
        }

        @Override
        public Stage stage() {
            return Stage.CACHE;
        }
    }

    /**
     * The data issues one diff subtask found.
     *
     * @param duplicateKeys keys with several rows; {@code nullKeyRows} rows with a NULL key; {@code nulFixedRows} rows whose
     *     NUL characters were fixed
     * @param droppedRows source rows left out (duplicates, NULL keys); {@code carriedEntries} cache entries carried over
     * @param samples a few examples per kind, e.g. {@code DUPLICATE_KEY (id=7) x3}
     */
    record IssueCounts(int subtask, int attempt, long duplicateKeys, long nullKeyRows, long nulFixedRows, long droppedRows,
                       long carriedEntries, List<String> samples) implements WriteResult {
        public IssueCounts {
            samples = new ArrayList<>(samples);
        }

        @Override
        public Stage stage() {
            return Stage.ISSUES;
        }
    }

    /** The subtask gave up on its table (bad data, or a failure on its last attempt): nothing is applied. */
    record Failed(Stage stage, int subtask, int attempt, String error) implements WriteResult {}
}
