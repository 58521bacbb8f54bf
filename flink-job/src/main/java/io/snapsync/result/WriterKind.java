package io.snapsync.result;

/** The writers whose results the committer waits for. */
public enum WriterKind {
    UPSERTS,
    DELETES,
    CACHE,
    /** Not a writer: the diff's data-issue counts (duplicated keys, NULL keys, fixed NUL characters). */
    ISSUES
}
