package io.snapsync.plan;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.config.PlanException;
import io.snapsync.config.TablePolicies;
import io.snapsync.plan.SchemaChange;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TargetColumn;
import io.snapsync.targetdb.TargetCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what a schema change means for a run, per {@code schema-evolution}: refuse it with the exact
 * statements a person could run (fail), or plan them for the commit transaction (auto). Incompatible
 * changes are never applied in place.
 */
final class SchemaEvolution {
    private SchemaEvolution() {}

    /** The DDL for the commit transaction; throws a PlanException when the run must not go on. */
    static List<String> plan(SchemaChange change, String table, String previousVersion, TableName target, TablePolicies policies,
                             List<TargetColumn> targetColumns, Connection c) throws SQLException {
        Map<String, TargetColumn> byName = new HashMap<>();
        targetColumns.forEach(t -> byName.put(t.name(), t));
        String what = "the source schema of " + table + " changed since cache version " + previousVersion + ": " + change.describe();
        if (!change.compatible()) {
            throw new PlanException(what + "; this cannot be applied in place: run `snapsync resync` (or set schema-evolution: "
                    + "resync) to rebuild the table from the source and swap it in, or alter target table " + target
                    + " to match and run `snapsync reconcile`");
        }
        List<String> ddl = change.targetDdl(target, policies.onColumnDropped(), byName);
        if (policies.schemaEvolution() != TablePolicies.SchemaEvolution.AUTO) {
            throw new PlanException(what + (ddl.isEmpty() ? "; the target needs no change"
                    : "; the target needs: " + String.join("; ", ddl)) + " (set schema-evolution: auto to apply this)");
        }
        if (policies.onColumnDropped() == TablePolicies.DroppedColumns.KEEP) {
            for (Column dropped : change.dropped()) {
                if (byName.containsKey(dropped.name()) && TargetCatalog.notNullWithoutDefault(c, target, dropped.name())) {
                    throw new PlanException(what + "; target column " + quote(dropped.name()) + " is kept (on-column-dropped: keep) "
                            + "but is NOT NULL without a default, so new rows could not be inserted: run ALTER TABLE "
                            + target.quoted() + " ALTER COLUMN " + quote(dropped.name()) + " DROP NOT NULL, or set on-column-dropped: drop");
                }
            }
        }
        return ddl;
    }
}
