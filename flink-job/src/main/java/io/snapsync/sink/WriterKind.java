package io.snapsync.sink;

/** The writers whose results the committer waits for. */
public enum WriterKind {
    UPSERTS,
    DELETES,
    CACHE
}
