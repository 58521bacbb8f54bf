package io.snapsync.targetdb;

/** How the committer applies a change set's upserts: MERGE (PostgreSQL 15 and later) or INSERT ... ON CONFLICT. */
public enum TargetDialect {
    MERGE,
    ON_CONFLICT;

    /** @param serverVersionNum the target's {@code server_version_num}, e.g. 170006 */
    public static TargetDialect of(int serverVersionNum) {
        return serverVersionNum >= 150000 ? MERGE : ON_CONFLICT;
    }
}
