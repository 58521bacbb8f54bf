package io.snapsync.result;

/**
 * What one writer subtask hands to the committer when its input ends: which attempt wrote how many
 * rows, and for the cache writer which file. Flink POJO.
 */
public class WriteResult {
    public WriterKind kind;
    public int subtask;
    public int attempt;
    public long rows;
    public long inserted;
    public long updated;
    /** Cache file name relative to the version directory; null if the subtask wrote no file. */
    public String file;
    /** CACHE only: the file's length and CRC32C (hex), recorded in the manifest and checked before the next run reads it. */
    public long bytes;
    public String checksum;
    /** CACHE only: rows in the file; a change layer's (changed rows and tombstones) differs from {@link #rows}, the snapshot's. */
    public long fileRows;
    /**
     * CACHE only: the file's first and last key (canonical key bytes, Latin-1) and whether every key in it
     * ascended strictly under {@code row.KeyOrder}, as checked while writing; the manifest records them.
     */
    public String firstKey;
    public String lastKey;
    public boolean sorted;
    /** Dry runs only: a few sample keys, one per line, e.g. {@code UPDATE (id=7)}. */
    public String samples;
    /** ISSUES only: keys with several rows, rows with a NULL key, rows whose NUL characters were fixed. */
    public long duplicateKeys;
    public long nullKeyRows;
    public long nulFixedRows;
    /** ISSUES only: source rows left out (duplicates, NULL keys); cache entries carried over unchanged. */
    public long droppedRows;
    public long carriedEntries;
    /** ISSUES only: a few examples per kind, one per line, e.g. {@code DUPLICATE_KEY (id=7) x3}. */
    public String issueSamples;
    /** Set when this subtask gave up on its table (bad data, or a failure on its last attempt): nothing is applied. */
    public String error;

    public WriteResult() {}

    public WriteResult(WriterKind kind, int subtask, int attempt, long rows, long inserted, long updated, String file) {
        this.kind = kind;
        this.subtask = subtask;
        this.attempt = attempt;
        this.rows = rows;
        this.inserted = inserted;
        this.updated = updated;
        this.file = file;
    }

    @Override
    public String toString() {
        return kind + "[" + subtask + "/a" + attempt + " rows=" + rows + (file == null ? "" : " " + file) + "]";
    }
}
