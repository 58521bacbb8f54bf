package io.snapsync.row;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A row the target must change: an insert or update carries the full canonical row, a delete only
 * the canonical key. Serialized by {@link ChangeSerializer}.
 */
@TypeInfo(ChangeSerializer.Factory.class)
public class Change {
    public ChangeKind kind;
    public String key;
    /** Full canonical row for INSERT/UPDATE; null for DELETE. */
    public byte[] row;

    public Change() {}

    public Change(ChangeKind kind, String key, byte[] row) {
        this.kind = kind;
        this.key = key;
        this.row = row;
    }
}
