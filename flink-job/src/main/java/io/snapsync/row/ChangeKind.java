package io.snapsync.row;

/** What the diff decided for one key. */
public enum ChangeKind {
    INSERT,
    UPDATE,
    DELETE,
    UNCHANGED
}
