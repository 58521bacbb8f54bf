package io.snapsync.row;

/**
 * One row of today's source snapshot: its key, its 128-bit hash and the full canonical row.
 * A Flink POJO (public fields, no-arg constructor) so it is serialized without Kryo.
 */
public class SnapshotRow {
    public String key;
    public long hashHi;
    public long hashLo;
    public byte[] row;

    public SnapshotRow() {}

    public SnapshotRow(String key, long hashHi, long hashLo, byte[] row) {
        this.key = key;
        this.hashHi = hashHi;
        this.hashLo = hashLo;
        this.row = row;
    }

    public String getKey() {
        return key;
    }
}
