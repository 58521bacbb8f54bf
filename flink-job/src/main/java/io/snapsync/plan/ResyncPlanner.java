package io.snapsync.plan;

import io.snapsync.cache.CacheLayout;
import io.snapsync.cache.CacheManifest;
import io.snapsync.config.PlanException;
import io.snapsync.config.SyncConfig;
import io.snapsync.config.TablePolicies;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import io.snapsync.source.SourceQuery;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.targetdb.ShadowNames;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.TableDefinition;
import io.snapsync.targetdb.TargetCatalog;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans a resync: the whole snapshot is loaded into a new (shadow) table in the target's schema, built
 * from the source schema, and swapped in for the live table by the committer ({@code commit.ShadowSwap}). Like
 * a first load, it diffs against no cache (every row is an insert) and writes a fresh cache version.
 *
 * <p>Everything that would make the swap impossible is refused here, before the Flink job runs: views,
 * foreign keys and other dependents the new table could not take over, and live columns the source no
 * longer has (dropped only with {@code on-column-dropped: drop}).
 */
final class ResyncPlanner {
    private ResyncPlanner() {}

    /**
     * Why this run must resync, or null: asked for ({@code snapsync resync}), or the source schema differs
     * from the committed cache version's and the table's {@code schema-evolution} is {@code resync}.
     */
    static String reason(Connection c, SyncConfig config, SyncConfig.Table table, TableSchema schema, CacheLayout layout,
                         boolean requested) throws SQLException, IOException {
        if (requested) {
            return "resync requested: the whole snapshot is loaded into a new table that replaces " + table.target();
        }
        if (config.policies(table).schemaEvolution() != TablePolicies.SchemaEvolution.RESYNC) {
            return null;
        }
        ControlTable control = new ControlTable(config.target().controlSchemaOrDefault());
        if (!TargetCatalog.exists(c, TableName.parse(control.state()))) {
            return null;
        }
        Optional<ControlTable.State> state = control.read(c, table.name(), false);
        if (state.isEmpty()) {
            return null;
        }
        CacheManifest m;
        try {
            m = CacheManifest.read(layout.manifest(table.name(), state.get().cacheVersion()));
        } catch (FileNotFoundException e) {
            return null; // the regular plan says the cache is lost and what to do
        }
        if (m.schemaFingerprint().equals(schema.fingerprint())) {
            return null;
        }
        return "the source schema changed since cache version " + state.get().cacheVersion() + " (columns now: "
                + schema.columns().stream().map(Column::describe).toList() + "); schema-evolution: resync loads it into a new table";
    }

    /**
     * Refuses a live table the swap cannot replace (dependents it would break, columns whose values would be lost);
     * returns its row count, for the mass-change guard (which refuses to replace it with nothing).
     */
    private static long checkLive(Connection c, SyncConfig.Table table, TableName targetTable, TableSchema schema,
                                  TablePolicies policies) throws SQLException {
        TableDefinition live = TableDefinition.read(c, targetTable);
        if (!live.blockers().isEmpty()) {
            throw new PlanException(TableDefinition.blockerMessage(table.name(), targetTable, live.blockers()));
        }
        List<String> extra = live.columns().stream().map(TableDefinition.ColumnInfo::name)
                .filter(n -> schema.indexOf(n) < 0).toList();
        if (!extra.isEmpty() && policies.onColumnDropped() != TablePolicies.DroppedColumns.DROP) {
            throw new PlanException("cannot resync " + table.name() + ": target table " + targetTable + " has column(s) " + extra
                    + " the source lacks; the new table has the source's columns only, so their values would be lost "
                    + "(set on-column-dropped: drop to allow it)");
        }
        return TablePlanner.count(c, targetTable);
    }

    /** The shadow table's column limits and types, as PostgreSQL made them from the source schema. */
    private record Shadow(List<TargetColumn> limits, Map<String, String> types) {}

    /**
     * Creates the shadow now, so a type the target cannot hold fails before the job runs, and the staging tables copy
     * its (new) column types; a dry run creates it in a transaction it rolls back.
     */
    private static Shadow createShadow(Connection c, String table, TableName shadow, TableName parts, TableSchema schema,
                                       boolean createSchema, boolean dryRun) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (createSchema) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + io.snapsync.schema.Identifiers.quote(shadow.schema()));
            }
            s.execute(TargetCatalog.createTableSql(shadow, schema, false));
            Shadow created = new Shadow(TargetCatalog.columnLimits(c, shadow), TablePlanner.readTargetColumns(c, shadow));
            io.snapsync.targetdb.SwapLoad.createParts(s, parts);
            if (dryRun) {
                c.rollback();
            } else {
                c.commit();
            }
            return created;
        } catch (SQLException e) {
            c.rollback();
            throw new PlanException("cannot resync " + table + ": cannot create the new table " + shadow + " from the source schema: "
                    + e.getMessage());
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static TablePlan plan(Connection c, SyncConfig config, int parallelism, MassChangeGuard guard, boolean dryRun,
                          SyncConfig.Table table, String runId, TableSchema schema, SourceQuery query, long expectedRows,
                          String reason) throws SQLException, IOException {
        TableName sourceTable = TableName.parse(table.source());
        TableName targetTable = TableName.parse(table.target());
        ControlTable control = new ControlTable(config.target().controlSchemaOrDefault());
        CacheLayout layout = new CacheLayout(config.cache().uri());
        TablePolicies policies = config.policies(table);

        boolean liveExists = TargetCatalog.exists(c, targetTable);
        if (!liveExists && !dryRun && !table.createTargetOrDefault()) {
            throw new PlanException("target table " + targetTable + " does not exist (create-target is false)");
        }
        long previousRows = liveExists ? checkLive(c, table, targetTable, schema, policies) : -1;

        Optional<ControlTable.State> state;
        if (dryRun) {
            state = TargetCatalog.exists(c, TableName.parse(control.state())) ? control.read(c, table.name(), false) : Optional.empty();
        } else {
            control.ensureExists(c);
            Leftovers.clean(c, config.target().stagingSchemaOrDefault(), control, layout, table.name(),
                    config.cache().keepVersionsOrDefault(), targetTable);
            state = control.read(c, table.name(), false);
        }

        TableName shadow = ShadowNames.shadow(targetTable, runId);
        StagingTables.Pair staging = StagingTables.Pair.of(config.target().stagingSchemaOrDefault(), table.name(), runId);
        TableName parts = io.snapsync.targetdb.SwapLoad.partsTable(staging);
        Shadow created = createShadow(c, table.name(), shadow, parts, schema, !liveExists, dryRun);
        List<TargetColumn> limits = created.limits();
        Map<String, String> types = created.types();

        io.snapsync.schema.CopyFormat copy = io.snapsync.schema.CopyFormat.text("a dry run stages nothing");
        if (!dryRun) {
            staging.create(c, shadow, schema, List.of());
            copy = TablePlanner.copyFormat(c, table.name(), schema, shadow, staging.deletes());
        }
        List<String> compareAsText = schema.columnNames().stream().filter(n -> "json".equals(types.get(n))).toList();
        TablePlan.Source source = new TablePlan.Source(config.source().endpoint(), sourceTable, query,
                config.source().fetchSizeOrDefault(), expectedRows, null);
        TablePlan.Target target = new TablePlan.Target(config.target().endpoint(), targetTable, config.target().controlSchemaOrDefault(),
                TargetCatalog.dialect(c), staging, compareAsText, limits, List.of(), null, copy);
        // like a first load: no cache version is read (every row is an insert)
        TablePlan.Cache cache = new TablePlan.Cache(config.cache().uri(), state.map(ControlTable.State::cacheVersion).orElse(null),
                List.of(), previousRows, null, config.cache().compressionOrDefault(), config.cache().rowGroupBytes());
        return new TablePlan(table.name(), runId, schema, parallelism, dryRun, source, target, cache, policies, guard,
                new TablePlan.Resync(shadow, reason, false, parts));
    }
}
