package io.snapsync.plan;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.cache.CacheIntegrity;
import io.snapsync.cache.CacheLayout;
import io.snapsync.cache.CacheManifest;
import io.snapsync.cache.CacheProbe;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.config.JdbcEndpoint;
import io.snapsync.config.PlanException;
import io.snapsync.config.SyncConfig;
import io.snapsync.plan.MassChangeGuard;
import io.snapsync.plan.SchemaChange;
import io.snapsync.plan.TablePlan;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetCompatibility;
import io.snapsync.schema.TypeMapping;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitPlanner;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.TargetCatalog;
import io.snapsync.targetdb.TargetDialect;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.fs.Path;

/**
 * Everything decided before the Flink job starts, in order: read the source schema, check the target
 * table and its key, find the cache version the target matches, plan the source splits, and create
 * this run's staging tables. Every check here happens before any row of the target is touched.
 */
public final class TablePlanner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TablePlanner.class);
    private final SyncConfig config;
    private final int parallelism;
    private final boolean allowMassChange;
    private final boolean dryRun;
    private boolean reconcile;
    private boolean resync;

    public TablePlanner(SyncConfig config, int parallelism, boolean allowMassChange, boolean dryRun) {
        this.config = config;
        this.parallelism = parallelism;
        this.allowMassChange = allowMassChange;
        this.dryRun = dryRun;
    }

    /** Plan a reconcile: diff the source against the live target table instead of the cache. */
    public TablePlanner reconcile(boolean value) {
        this.reconcile = value;
        return this;
    }

    /** Plan a resync: load the whole snapshot into a new table and swap it in for the live one (see ResyncPlanner). */
    public TablePlanner resync(boolean value) {
        this.resync = value;
        return this;
    }

    /**
     * The resync plan for this table: the whole snapshot into a shadow table swapped in for the live one.
     * Callable from anywhere in {@link #plan} before the staging tables are created, e.g. when a schema
     * change cannot be applied in place.
     */
    public TablePlan planResync(Connection target, SyncConfig.Table table, String runId, TableSchema schema, SourceQuery query,
                                long expectedRows, String reason) throws SQLException, IOException {
        return ResyncPlanner.plan(target, config, parallelism, guard(table), dryRun, table, runId, schema, query, expectedRows, reason);
    }

    public TablePlan plan(SyncConfig.Table table, String runId) throws SQLException, IOException {
        TablePlan plan = planRun(table, runId);
        return config.unload(table) ? unload(plan) : plan;
    }

    /**
     * {@code extract: unload}: after every check has passed, one UNLOAD writes the snapshot to S3 (one statement, one
     * consistent snapshot); the run reads those files and checks their rows against the manifest's count. If the
     * UNLOAD fails, the staging (and shadow) tables just created are dropped again.
     */
    private TablePlan unload(TablePlan plan) throws SQLException, IOException {
        try (Connection c = connect(plan.source(), "source")) {
            return plan.withUnload(io.snapsync.unload.Unloads.run(c, config.source().unload(), plan.name(), plan.sourceTable(),
                    plan.schema(), plan.runId()));
        } catch (SQLException | IOException | RuntimeException e) {
            if (!plan.dryRun()) {
                try (Connection t = plan.target().connect()) {
                    StagingTables.drop(t, plan.upsertStaging(), plan.deleteStaging());
                    if (plan.resync()) {
                        StagingTables.drop(t, plan.shadowTable());
                    }
                } catch (SQLException ignored) {
                    // the next run of the table removes them
                }
            }
            throw e;
        }
    }

    private TablePlan planRun(SyncConfig.Table table, String runId) throws SQLException, IOException {
        io.snapsync.cache.HadoopClasses.require(); // the job's Parquet needs it: say so before touching anything
        JdbcEndpoint source = config.source().endpoint();
        JdbcEndpoint target = config.target().endpoint();
        TableName sourceTable = TableName.parse(table.source());
        TableName targetTable = TableName.parse(table.target());

        TableSchema schema;
        SourceQuery query;
        long expectedRows;
        int splits = table.splits() != null ? table.splits()
                : config.jobOrDefaults().splits() != null ? config.jobOrDefaults().splits() : 4 * parallelism;
        try (Connection c = connect(source, "source")) {
            schema = readSourceSchema(c, sourceTable, table.primaryKey());
            // extract: unload reads files, not split queries, and counts rows by UNLOAD's manifest
            boolean unload = config.unload(table);
            query = unload ? SplitPlanner.single(schema, sourceTable) : planSplits(c, schema, sourceTable, splits);
            expectedRows = config.source().verifyCountOrDefault() && !unload ? count(c, sourceTable) : -1;
        }

        ControlTable control = new ControlTable(config.target().controlSchemaOrDefault());
        CacheLayout layout = new CacheLayout(config.cache().uri());
        if (!dryRun) {
            try {
                CacheProbe.requireWritable(layout, table.name(), runId);
            } catch (CacheProbe.CacheLocationException e) {
                throw new PlanException(e.getMessage()); // before anything is written to the target
            }
        }
        try (Connection c = connect(target, "target")) {
            if (!reconcile && !resync && TargetCatalog.exists(c, TableName.parse(control.state()))) {
                // before anything is created: a target other than the one the cache describes would get only the day's changes
                Optional<ControlTable.State> recorded = control.read(c, table.name(), false);
                if (recorded.isPresent()) {
                    Optional<String> moved = ControlRowCheck.movedTarget(recorded.get(), targetTable);
                    if (moved.isPresent()) {
                        throw new PlanException(moved.get());
                    }
                    String sourceNote = ControlRowCheck.movedSource(recorded.get(), sourceTable);
                    if (sourceNote != null) {
                        LOG.info("{}", sourceNote);
                    }
                }
            }
            // resync: asked for, or a schema change under schema-evolution: resync (a plan of its own, see ResyncPlanner)
            String resyncReason = ResyncPlanner.reason(c, config, table, schema, layout, resync);
            if (resyncReason != null) {
                return planResync(c, table, runId, schema, query, expectedRows, resyncReason);
            }
            if (!TargetCatalog.exists(c, targetTable)) {
                if (dryRun) {
                    throw new PlanException("target table " + targetTable + " does not exist (a dry run creates nothing)");
                }
                if (!table.createTargetOrDefault()) {
                    throw new PlanException("target table " + targetTable + " does not exist (create-target is false)");
                }
                createTarget(c, targetTable, schema);
            }
            Map<String, String> targetTypes = readTargetColumns(c, targetTable);
            List<String> missing = schema.columnNames().stream().filter(n -> !targetTypes.containsKey(n)).toList();
            if (!missing.isEmpty() && !TargetCatalog.exists(c, TableName.parse(control.state()))) {
                // no cache version yet, so no schema change can add them: refuse before the control schema is created
                throw new PlanException("target table " + targetTable + " lacks source column(s) " + missing);
            }
            checkTargetKey(c, targetTable, schema.keyColumns());
            List<String> compareAsText = schema.columnNames().stream().filter(n -> "json".equals(targetTypes.get(n))).toList();
            TargetDialect dialect = TargetCatalog.dialect(c);

            Optional<ControlTable.State> state;
            if (dryRun) {
                // read-only: no control tables created, no leftovers removed
                state = TargetCatalog.exists(c, TableName.parse(control.state())) ? control.read(c, table.name(), false) : Optional.empty();
            } else {
                control.ensureExists(c);
                Leftovers.clean(c, config.target().stagingSchemaOrDefault(), control, layout, table.name(),
                        config.cache().keepVersionsOrDefault(), targetTable);
                state = control.read(c, table.name(), false);
            }
            String previousVersion = null;
            List<String> previousFiles = List.of();
            long previousRows = -1;
            SourceQuery targetQuery = null;
            TableSchema previousSchema = null;
            List<String> schemaDdl = List.of();
            String schemaChange = null;
            List<String> addedColumns = List.of();
            List<String> retypedColumns = List.of();
            List<String> relaxedColumns = List.of();
            String reconcileReason = reconcile ? "reconcile: diffing the source against the live target table" : null;
            Optional<ControlTable.Pending> pending = control.readPending(c, table.name());
            if (reconcileReason == null && pending.isPresent()) {
                // some chunks of that run committed, so for some keys the target is ahead of the cache it names:
                // only the live table itself can say what it holds now
                reconcileReason = "run " + pending.get().runId() + " applied part of its change set in chunks and did not finish; "
                        + "diffing the source against the live target table";
            }
            if (reconcileReason == null && state.isEmpty() && hasRows(c, targetTable)) {
                // a first run into a filled table (a moved target, a renamed table entry, a table filled by hand) would
                // upsert the snapshot and keep every row the source does not have
                reconcileReason = "no control row for " + table.name() + " but target table " + targetTable
                        + " already holds rows; diffing the source against the live target table";
            }
            if (reconcileReason != null) {
                // the cache is not read at all (it may be lost or lag the target); the control row still guards
                // against a concurrent commit
                previousVersion = state.map(ControlTable.State::cacheVersion).orElse(null);
                previousRows = count(c, targetTable);
                targetQuery = planSplits(c, schema, targetTable, splits);
            } else if (state.isPresent()) {
                ControlTable.State st = state.get();
                previousVersion = st.cacheVersion();
                if (!sameUri(st.cacheUri(), config.cache().uri())) {
                    throw new PlanException("the target was last synced with cache " + st.cacheUri() + " but cache.uri is now "
                            + config.cache().uri() + "; copy the cache or resync the table");
                }
                CacheManifest m;
                try {
                    m = CacheManifest.read(layout.manifest(table.name(), previousVersion));
                } catch (java.io.FileNotFoundException e) {
                    throw new PlanException(e.getMessage() + ": the cache version the target matches is lost; "
                            + "run `snapsync reconcile` to diff against the live target and write a fresh cache");
                }
                catch (IOException e) {
                    throw new PlanException("the cache is damaged: manifest " + layout.manifest(table.name(), previousVersion)
                            + " cannot be read (" + e.getMessage() + "); run `snapsync reconcile` to diff against the live target "
                            + "and write a fresh cache");
                }
                try {
                    // before the target is touched: a version that lost a file would never delete that file's rows
                    CacheIntegrity.verify(layout, m, table.name(), previousVersion, st.rowCount(), st.schemaFingerprint());
                } catch (CacheIntegrity.DamagedException e) {
                    throw new PlanException(e.getMessage());
                }
                TableSchema cachedSchema = new TableSchema(m.columns(), m.keyColumns());
                boolean sameEncoding = m.schemaFingerprint().equals(schema.fingerprint());
                // nullability is not in the fingerprint (it does not change hashes) but a column that became
                // nullable needs its NOT NULL dropped in the target before a NULL can arrive
                if (!sameEncoding || !SchemaChange.between(cachedSchema, schema).relaxed().isEmpty()) {
                    previousSchema = sameEncoding ? null : cachedSchema; // re-hash the old cache only if encodings differ
                    SchemaChange change = SchemaChange.between(cachedSchema, schema);
                    schemaDdl = SchemaEvolution.plan(change, table.name(), previousVersion, targetTable, config.policies(table),
                            TargetCatalog.columnLimits(c, targetTable), c);
                    schemaChange = change.describe();
                    addedColumns = change.added().stream().map(Column::name).toList();
                    retypedColumns = change.widened().stream().map(Column::name).toList();
                    relaxedColumns = change.relaxed().stream().map(Column::name).toList();
                }
                previousRows = m.rowCount();
                Path dir = layout.versionDir(table.name(), previousVersion);
                previousFiles = m.files().stream().map(f -> new Path(dir, f.name()).toString()).toList();
            }

            List<String> stillMissing = new ArrayList<>(missing);
            stillMissing.removeAll(addedColumns);
            if (!stillMissing.isEmpty()) {
                throw new PlanException("target table " + targetTable + " lacks source column(s) " + stillMissing);
            }
            // columns the commit adds or retypes are staged with the source's type, and need no limit check
            List<String> sourceTyped = new ArrayList<>(retypedColumns);
            sourceTyped.addAll(missing);
            List<String> relaxed = relaxedColumns;
            List<io.snapsync.schema.TargetColumn> limits = TargetCatalog.columnLimits(c, targetTable).stream()
                    .filter(t -> !sourceTyped.contains(t.name()))
                    .map(t -> relaxed.contains(t.name()) ? new io.snapsync.schema.TargetColumn(t.name(), t.baseType(), t.length(), t.precision(), t.scale(), false) : t)
                    .toList();

            compareAsText = checkTargetTypes(c, table, targetTable, schema, sourceTyped, compareAsText);

            StagingTables.Pair staging = StagingTables.Pair.of(config.target().stagingSchemaOrDefault(), table.name(), runId);
            TableName upserts = staging.upserts();
            TableName deletes = staging.deletes();
            if (!dryRun) {
                staging.create(c, targetTable, schema, sourceTyped);
            }

            return new TablePlan(table.name(), source, sourceTable, target, targetTable, schema, runId,
                    previousVersion, previousFiles, config.cache().uri(), upserts, deletes,
                    config.target().controlSchemaOrDefault(), dialect, compareAsText, parallelism, query,
                    config.source().fetchSizeOrDefault(), config.cache().compressionOrDefault(), config.cache().rowGroupBytes(),
                    expectedRows, previousRows, guard(table), dryRun, config.policies(table), targetQuery, reconcileReason,
                    limits, previousSchema, schemaDdl, schemaChange);
        }
    }

    /** file:///x and file:///x/ name the same cache (a directory's URI gains the slash once it exists). */
    static boolean sameUri(String a, String b) {
        return a.replaceAll("/+$", "").equals(b.replaceAll("/+$", ""));
    }

    private MassChangeGuard guard(SyncConfig.Table t) {
        SyncConfig.Job j = config.jobOrDefaults();
        return new MassChangeGuard(t.maxDeleteShare() != null ? t.maxDeleteShare() : j.maxDeleteShareOrDefault(),
                t.maxUpdateShare() != null ? t.maxUpdateShare() : j.maxUpdateShareOrDefault(), allowMassChange);
    }

    public static Connection connect(JdbcEndpoint e, String role) throws PlanException {
        try {
            return e.connect(role);
        } catch (SQLException ex) {
            throw new PlanException(ex.getMessage());
        }
    }

    static TableSchema readSourceSchema(Connection c, TableName table, List<String> key) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table.quoted() + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                try {
                    columns.add(TypeMapping.map(md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i),
                            md.getPrecision(i), md.getScale(i), md.isNullable(i) != ResultSetMetaData.columnNoNulls));
                } catch (TypeMapping.UnsupportedTypeException e) {
                    throw new PlanException("source table " + table + ": " + e.getMessage()); // before the target is created
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                throw new PlanException("source table " + table + " does not exist");
            }
            throw e;
        }
        List<String> names = columns.stream().map(Column::name).toList();
        List<String> unknown = key.stream().filter(k -> !names.contains(k)).toList();
        if (!unknown.isEmpty()) {
            throw new PlanException("primary-key column(s) " + unknown + " not found in source table " + table + " (columns: " + names + ")");
        }
        return new TableSchema(columns, key);
    }

    static boolean hasRows(Connection c, TableName table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table.quoted() + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static long count(Connection c, TableName table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.quoted())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static SourceQuery planSplits(Connection c, TableSchema schema, TableName table, int splits) throws SQLException {
        if (splits <= 1) {
            return SplitPlanner.single(schema, table);
        }
        Column first = schema.keyColumnList().get(0);
        if (first.type() == ColumnType.INTEGER) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT min(" + quote(first.name()) + "), max(" + quote(first.name()) + ") FROM " + table.quoted())) {
                rs.next();
                long min = rs.getLong(1);
                if (rs.wasNull()) {
                    return SplitPlanner.single(schema, table); // empty table (or only NULL keys)
                }
                return SplitPlanner.byRange(schema, table, first.name(), min, rs.getLong(2), splits);
            }
        }
        return SplitPlanner.byHash(schema, table, SourceDialect.forUrl(c.getMetaData().getURL()), splits);
    }

    private static void createTarget(Connection c, TableName table, TableSchema schema) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
            s.execute(TargetCatalog.createTableSql(table, schema, true));
        }
    }

    /** Column name to PostgreSQL type name (format_type) of the target table. */
    static Map<String, String> readTargetColumns(Connection c, TableName table) throws SQLException {
        Map<String, String> types = TargetCatalog.columnTypes(c, table);
        if (types.isEmpty()) {
            throw new PlanException("target table " + table + " does not exist");
        }
        return types;
    }

    /**
     * Refuses a target column that cannot hold every source value unchanged with the same equality (see
     * {@link TargetCompatibility}) unless the table accepts it by name; returns the columns the MERGE compares
     * as text (json, and types storing exactly but comparing otherwise, such as citext).
     */
    static List<String> checkTargetTypes(Connection c, SyncConfig.Table table, TableName targetTable, TableSchema schema,
                                         List<String> sourceTyped, List<String> compareAsText) throws SQLException {
        Map<String, String> accepted = table.acceptLossyColumnsOrEmpty();
        List<String> unknown = accepted.keySet().stream().filter(n -> !schema.columnNames().contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new PlanException("table " + table.name() + ": accept-lossy-columns names " + unknown
                    + ", not column(s) of the source (columns: " + schema.columnNames() + ")");
        }
        List<String> asText = new ArrayList<>(compareAsText);
        for (TargetCompatibility.Target t : TargetCatalog.compatibilityColumns(c, targetTable)) {
            Column sc = schema.columns().stream().filter(x -> x.name().equals(t.name())).findFirst().orElse(null);
            if (sc == null || sourceTyped.contains(t.name())) {
                continue; // a target-only column, or one the commit adds or retypes to the source's type
            }
            TargetCompatibility.Result r = TargetCompatibility.check(sc, t);
            if (r.verdict() == TargetCompatibility.Verdict.AS_TEXT && schema.keyColumns().contains(t.name())) {
                r = new TargetCompatibility.Result(TargetCompatibility.Verdict.LOSSY, t.baseType()
                        + " compares differently from the source, and a key compared so would match other rows");
            }
            if (r.verdict() == TargetCompatibility.Verdict.LOSSY) {
                if (!accepted.containsKey(t.name())) {
                    throw new PlanException(TargetCompatibility.refusal(table.name(), targetTable, sc, t, r.reason()));
                }
                LOG.warn("{}: column {} accepted as lossy ({}): {}", table.name(), t.name(), accepted.get(t.name()), r.reason());
            }
            if (r.verdict() == TargetCompatibility.Verdict.AS_TEXT && !asText.contains(t.name())) {
                asText.add(t.name());
            }
        }
        return List.copyOf(asText);
    }

    /** MERGE and ON CONFLICT both need the key to be the target's primary key or a unique index. */
    static void checkTargetKey(Connection c, TableName table, List<String> key) throws SQLException {
        List<List<String>> uniques = TargetCatalog.uniqueKeys(c, table);
        boolean ok = uniques.stream().anyMatch(u -> new HashSet<>(u).equals(new HashSet<>(key)));
        if (!ok) {
            throw new PlanException("primary-key " + key + " is not the primary key or a unique index of target table " + table
                    + (uniques.isEmpty() ? " (it has none)" : " (its unique keys: " + uniques + ")"));
        }
    }
}
