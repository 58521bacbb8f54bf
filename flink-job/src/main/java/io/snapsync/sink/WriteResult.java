package io.snapsync.sink;

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
    /** Dry runs only: a few sample keys, one per line, e.g. {@code UPDATE (id=7)}. */
    public String samples;

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
