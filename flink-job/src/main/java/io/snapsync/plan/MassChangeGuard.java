package io.snapsync.plan;

import io.snapsync.fault.NotRetryable;
import java.io.Serializable;

/**
 * Refuses a change set that looks like broken input rather than a day's changes: an empty snapshot
 * where the previous one had rows, or more deletes/updates than the configured share of the previous
 * snapshot. Checked by the committer before the target table is touched; {@code --allow-mass-change}
 * lifts it for one run.
 */
public record MassChangeGuard(double maxDeleteShare, double maxUpdateShare, boolean allowed) implements Serializable {

    public static final MassChangeGuard OFF = new MassChangeGuard(1.0, 1.0, true);

    /** @param previousRows rows of the version diffed against, or -1 on a first run (nothing to protect) */
    public void check(String table, long previousRows, long snapshotRows, long updated, long deleted) {
        if (allowed || previousRows <= 0) {
            return;
        }
        String how = " (allow it once with --allow-mass-change, or raise max-delete-share / max-update-share)";
        if (snapshotRows == 0) {
            throw new MassChangeException("refusing to empty " + table + ": the source snapshot has no rows but the previous one had "
                    + previousRows + how);
        }
        if (deleted > maxDeleteShare * previousRows) {
            throw new MassChangeException(String.format("refusing to delete %d of %d rows (%.1f%%) of %s: more than max-delete-share %.1f%%%s",
                    deleted, previousRows, 100.0 * deleted / previousRows, table, 100 * maxDeleteShare, how));
        }
        if (updated > maxUpdateShare * previousRows) {
            throw new MassChangeException(String.format("refusing to update %d of %d rows (%.1f%%) of %s: more than max-update-share %.1f%%%s",
                    updated, previousRows, 100.0 * updated / previousRows, table, 100 * maxUpdateShare, how));
        }
    }

    /** The run would change more than it is allowed to. */
    public static final class MassChangeException extends NotRetryable {
        public MassChangeException(String message) {
            super(message);
        }
    }
}
