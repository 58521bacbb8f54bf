package io.snapsync.diff;

/**
 * One problem the diff found in the source snapshot, for the run report and the committer's verdict.
 * Flink POJO.
 */
public class DataIssue {
    public enum Kind {
        /** Several rows share a key; {@link #rows} of them. */
        DUPLICATE_KEY,
        /** A row with a NULL key column. */
        NULL_KEY,
        /** A row whose text had U+0000 stripped or replaced. */
        NUL_FIXED,
        /** The table cannot be applied (bad data in a source split, a corrupt cache); {@link #key} holds why. */
        ERROR
    }

    public Kind kind;
    /** The key as a person reads it, e.g. {@code (id=7)}. */
    public String key;
    /** Source rows involved. */
    public long rows;
    /** Source rows left out of the applied snapshot because of this issue. */
    public long dropped;
    /** A skipped duplicate key whose previous cache entry was carried into the new cache version. */
    public boolean carried;

    public DataIssue() {}

    public DataIssue(Kind kind, String key, long rows, long dropped, boolean carried) {
        this.kind = kind;
        this.key = key;
        this.rows = rows;
        this.dropped = dropped;
        this.carried = carried;
    }
}
