package io.snapsync.row;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One row of today's source snapshot: its key, its 128-bit hash and the full canonical row.
 * Serialized by {@link SnapshotRowSerializer} (never Kryo).
 */
@TypeInfo(SnapshotRowSerializer.Factory.class)
public class SnapshotRow {
    /** A key column is NULL: {@link #key} still holds the (NULL-tagged) key bytes, for messages. */
    public static final byte NULL_KEY = 1;
    /** A text value contained U+0000 and was stripped or replaced as configured. */
    public static final byte NUL_FIXED = 2;
    /**
     * Not a row: the source gave up on its split (bad data), and {@link #row} holds the message (UTF-8).
     * It flows to the table's committer, which fails the table instead of the whole job.
     */
    public static final byte ERROR = 4;
    /**
     * Not a row: an ordered read's marker ahead of a split's rows; {@link #row} holds the split's key range
     * ({@code source.SplitRange#marker}). Only the ordered diff sees these.
     */
    public static final byte SPLIT = 8;
    /** Ordered diff writing a change layer: this kept row was inserted or changed (the layer holds it). */
    public static final byte CHANGED = 16;
    /** Ordered diff writing a change layer: this key was deleted (key and the all-zero hash, no row). */
    public static final byte TOMBSTONE = 32;

    public String key;
    public long hashHi;
    public long hashLo;
    /** The full canonical row; null only for a cache entry carried over without its values (see DiffFunction). */
    public byte[] row;
    /** {@link #NULL_KEY} and/or {@link #NUL_FIXED}; 0 for a clean row. */
    public byte flags;

    public SnapshotRow() {}

    public SnapshotRow(String key, long hashHi, long hashLo, byte[] row) {
        this.key = key;
        this.hashHi = hashHi;
        this.hashLo = hashLo;
        this.row = row;
    }

    public static SnapshotRow error(String message) {
        SnapshotRow r = new SnapshotRow("", 0, 0, message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        r.flags = ERROR;
        return r;
    }

    public boolean has(byte flag) {
        return (flags & flag) != 0;
    }

    public String getKey() {
        return key;
    }
}
