package io.snapsync.result;

/** The committer's four inputs: the three writers and the diff's data-issue counts. It waits for every subtask of each. */
public enum Stage {
    UPSERTS,
    DELETES,
    CACHE,
    ISSUES
}
