package io.snapsync.plan;

import io.snapsync.schema.TableName;
import io.snapsync.targetdb.ControlTable;
import java.util.Optional;

/**
 * Compares the control row (what the cache and the target were built for) with this run's config. The
 * diff is only right if the target table is the one the cache describes: a run into another target
 * would apply only the day's changes to it. The cache URI is checked where the cache is read
 * ({@link TablePlanner}); the key and columns through the schema fingerprint ({@code SchemaChange}); the
 * target database is implicit (the control row lives in it: another database has no row, or its own).
 * The source table may change (a renamed Redshift table): the diff against the cache is still exactly
 * what the target needs, and the mass-change guard stops a wrong table; it is only reported.
 */
public final class ControlRowCheck {
    private ControlRowCheck() {}

    /** Why this run must not diff against the cache, or empty if the control row matches the config. */
    public static Optional<String> movedTarget(ControlTable.State st, TableName target) {
        if (st.targetTable() == null || st.targetTable().equals(target.toString())) {
            return Optional.empty();
        }
        return Optional.of("table " + st.table() + " was last synced into " + st.targetTable() + " (cache version "
                + st.cacheVersion() + " describes that table) but target is now " + target + "; run `snapsync reconcile` to "
                + "adopt " + target + " (diffs the source against it and records it), or `snapsync resync`, or set target back to "
                + st.targetTable());
    }

    /** A note when the source table differs from the one last synced (null when it does not, or was not recorded). */
    public static String movedSource(ControlTable.State st, TableName source) {
        if (st.sourceTable() == null || st.sourceTable().equals(source.toString())) {
            return null;
        }
        return "the source of " + st.table() + " changed from " + st.sourceTable() + " to " + source
                + ": diffing it against the cache of what the target holds";
    }
}
