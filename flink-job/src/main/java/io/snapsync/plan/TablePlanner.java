package io.snapsync.plan;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.cache.CacheIntegrity;
import io.snapsync.cache.CacheLayout;
import io.snapsync.cache.CacheManifest;
import io.snapsync.cache.CacheProbe;
import io.snapsync.config.JdbcEndpoint;
import io.snapsync.config.PlanException;
import io.snapsync.config.SyncConfig;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.CopyFormat;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import io.snapsync.schema.TargetCompatibility;
import io.snapsync.schema.TypeMapping;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitPlanner;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.targetdb.ShadowNames;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.SwapLoad;
import io.snapsync.targetdb.TargetCatalog;
import io.snapsync.targetdb.TargetDialect;
import io.snapsync.unload.UnloadBuckets;
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
        try (Connection c = connect(plan.source().endpoint(), "source")) {
            String notBucketed = UnloadBuckets.whyNot(plan.schema());
            io.snapsync.unload.UnloadSnapshot u = io.snapsync.unload.Unloads.run(c, config.source().unload(), plan.name(), plan.source().table(),
                    plan.schema(), plan.runId(), notBucketed == null ? plan.source().query() : null, notBucketed);
            return plan.withUnload(u);
        } catch (SQLException | IOException | RuntimeException e) {
            if (!plan.dryRun()) {
                try (Connection t = plan.target().endpoint().connect()) {
                    StagingTables.drop(t, plan.target().staging().upserts(), plan.target().staging().deletes());
                    if (plan.mode() instanceof TablePlan.Resync r) {
                        StagingTables.drop(t, r.tables());
                    }
                } catch (SQLException ignored) {
                    // the next run of the table removes them
                }
            }
            throw e;
        }
    }

    /** The source side and the schema read from it. */
    private record SourceRead(TableSchema schema, TablePlan.Source source) {}

    /** What the source schema's change since the previous cache version asks of this run; {@link #NONE} when nothing changed. */
    private record Evolution(TableSchema previousSchema, List<String> ddl, String change, List<String> added,
                             List<String> retyped, List<String> relaxed) {
        static final Evolution NONE = new Evolution(null, List.of(), null, List.of(), List.of(), List.of());
    }

    /** What the run diffs against (the mode), the cache side of the plan, and the schema evolution the previous version calls for. */
    private record Basis(TablePlan.Mode mode, TablePlan.Cache cache, Evolution evolution, boolean layered) {
        Basis(TablePlan.Mode mode, TablePlan.Cache cache, Evolution evolution) {
            this(mode, cache, evolution, false);
        }
    }

    private TablePlan planRun(SyncConfig.Table table, String runId) throws SQLException, IOException {
        io.snapsync.cache.HadoopClasses.require(); // the job's Parquet needs it: say so before touching anything
        TableName targetTable = TableName.parse(table.target());
        int splits = table.splits() != null ? table.splits()
                : config.jobOrDefaults().splits() != null ? config.jobOrDefaults().splits() : 4 * parallelism;
        SourceRead read = readSource(table, splits);
        TableSchema schema = read.schema();
        ControlTable control = new ControlTable(config.target().controlSchemaOrDefault());
        CacheLayout layout = new CacheLayout(config.cache().uri());
        if (!dryRun) {
            requireWritable(layout, table.name(), runId); // before anything is written to the target
        }
        try (Connection c = connect(config.target().endpoint(), "target")) {
            if (!reconcile && !resync && TargetCatalog.exists(c, TableName.parse(control.state()))) {
                checkRecordedTables(c, control, table, targetTable, read.source().table());
            }
            // resync: asked for, or a schema change under schema-evolution: resync (a plan of its own, see ResyncPlanner)
            String resyncReason = ResyncPlanner.reason(c, config, table, schema, layout, resync);
            if (resyncReason != null) {
                return planResync(c, table, runId, schema, read.source().query(), read.source().expectedRows(), resyncReason);
            }
            requireTargetTable(c, table, targetTable, schema);
            Map<String, String> targetTypes = readTargetColumns(c, targetTable);
            List<String> missing = schema.columnNames().stream().filter(n -> !targetTypes.containsKey(n)).toList();
            if (!missing.isEmpty() && !TargetCatalog.exists(c, TableName.parse(control.state()))) {
                // no cache version yet, so no schema change can add them: refuse before the control schema is created
                throw new PlanException("target table " + targetTable + " lacks source column(s) " + missing);
            }
            checkTargetKey(c, targetTable, schema.keyColumns());
            List<String> compareAsText = schema.columnNames().stream().filter(n -> "json".equals(targetTypes.get(n))).toList();
            TargetDialect dialect = TargetCatalog.dialect(c);

            Basis basis = basis(c, control, layout, table, targetTable, schema, splits, read.source().query());
            Evolution evolution = basis.evolution();

            List<String> stillMissing = new ArrayList<>(missing);
            stillMissing.removeAll(evolution.added());
            if (!stillMissing.isEmpty()) {
                throw new PlanException("target table " + targetTable + " lacks source column(s) " + stillMissing);
            }
            // columns the commit adds or retypes are staged with the source's type, and need no limit check
            List<String> sourceTyped = new ArrayList<>(evolution.retyped());
            sourceTyped.addAll(missing);
            List<TargetColumn> limits = targetLimits(c, targetTable, sourceTyped, evolution.relaxed());
            compareAsText = checkTargetTypes(c, table, targetTable, schema, sourceTyped, compareAsText);

            StagingTables.Pair staging = StagingTables.Pair.of(config.target().stagingSchemaOrDefault(), table.name(), runId);
            if (!dryRun) {
                staging.create(c, targetTable, schema, sourceTyped);
            }
            TablePlan.Mode mode = firstLoadBySwap(c, table, targetTable, schema, basis, staging, runId);
            CopyFormat copy = dryRun ? CopyFormat.text("a dry run stages nothing")
                    : copyFormat(c, table.name(), schema, mode instanceof TablePlan.Resync r ? r.shadowTable() : staging.upserts(), staging.deletes());
            TablePlan.Target target = new TablePlan.Target(config.target().endpoint(), targetTable,
                    config.target().controlSchemaOrDefault(), dialect, staging, compareAsText, limits, evolution.ddl(),
                    evolution.change(), copy);
            return new TablePlan(table.name(), runId, schema, parallelism, dryRun, read.source(), target, basis.cache(),
                    config.policies(table), guard(table), mode);
        }
    }

    /**
     * The writers' COPY format (see {@link CopyFormat}), from the types of the tables they COPY into as PostgreSQL
     * declares them; logged once, with the reason when the table keeps the text format.
     */
    static CopyFormat copyFormat(Connection c, String table, TableSchema schema, TableName upsertInto, TableName deletes)
            throws SQLException {
        CopyFormat f = CopyFormat.choose(schema, TargetCatalog.stagedTypes(c, upsertInto), TargetCatalog.stagedTypes(c, deletes));
        if (f.binary()) {
            LOG.info("{}: the writers COPY in binary format (every staged column's type maps exactly)", table);
        } else {
            LOG.info("{}: the writers COPY in text format: {}", table, f.textReason());
        }
        return f;
    }

    /**
     * A first run into an empty target (not chunked, not a dry run) loads a new table shaped like the live one and swaps
     * it in (see {@code targetdb.SwapLoad}), when the live table's whole definition can be rebuilt on it; else the
     * basis' mode (the in-place first load, or whatever the basis says).
     */
    private TablePlan.Mode firstLoadBySwap(Connection c, SyncConfig.Table table, TableName targetTable, TableSchema schema,
                                           Basis basis, StagingTables.Pair staging, String runId) throws SQLException {
        if (dryRun || !(basis.mode() instanceof TablePlan.Diff) || basis.cache().previousVersion() != null
                || config.policies(table).applyChunkRows() > 0 || hasRows(c, targetTable)) {
            return basis.mode();
        }
        String whyNot = SwapLoad.whyNot(c, targetTable, schema.columnNames());
        if (whyNot != null) {
            LOG.info("{}: first load into {} in place: it cannot be replaced by a new table because {}", table.name(), targetTable, whyNot);
            return basis.mode();
        }
        TableName shadow = ShadowNames.shadow(targetTable, runId);
        TableName parts = SwapLoad.partsTable(staging);
        SwapLoad.create(c, targetTable, shadow, parts);
        return new TablePlan.Resync(shadow, "first load: the rows go into a new table shaped like the empty " + targetTable
                + ", which replaces it", true, parts);
    }

    /**
     * Reads the control row (outside a dry run after creating the control tables and removing dead runs' leftovers)
     * and decides what the run diffs against: the live target (reconcile), the cache version the row names, or nothing.
     */
    private Basis basis(Connection c, ControlTable control, CacheLayout layout, SyncConfig.Table table, TableName targetTable,
                        TableSchema schema, int splits, SourceQuery query) throws SQLException, IOException {
        Optional<ControlTable.State> state = controlRow(c, control, layout, table, targetTable);
        String reconcileReason = reconcileReason(c, control, table, targetTable, state);
        if (reconcileReason != null) {
            // the cache is not read at all (it may be lost or lag the target); the control row still guards
            // against a concurrent commit
            return new Basis(new TablePlan.Reconcile(planSplits(c, schema, targetTable, splits), reconcileReason),
                    cache(state.map(ControlTable.State::cacheVersion).orElse(null), List.of(), count(c, targetTable), null),
                    Evolution.NONE);
        }
        if (state.isEmpty()) {
            return new Basis(new TablePlan.Diff(), cache(null, List.of(), -1, null), Evolution.NONE); // a first run
        }
        Basis previous = previousCache(c, table, targetTable, layout, state.get(), schema);
        // extract: unload takes the ordered diff whenever the key's order is proven (in key-range buckets, or unloaded
        // whole as one bucket, each sorted externally)
        boolean keyed = config.unload(table) ? !io.snapsync.row.KeyOrder.supports(schema) : !query.ranged() || !io.snapsync.row.KeyOrder.supports(schema);
        if (previous.layered() && keyed) {
            // a base plus change layers is read only by the ordered diff (it merges the layers by key); the keyed
            // diff of this run (a key without a proven order, hash-bucket splits) takes the live target instead, as
            // reconcile does
            if (previous.evolution() != Evolution.NONE) {
                throw new PlanException("cache version " + state.get().cacheVersion() + " of " + table.name() + " is a base plus change "
                        + "layers, which only the ordered diff reads, and the source schema changed in a run that takes the "
                        + "keyed diff; run once with the previous extract/split settings, or `snapsync resync`");
            }
            String reason = "cache version " + state.get().cacheVersion() + " is a base plus change layers, which only the ordered "
                    + "diff reads; this run's keyed diff compares against the live target table";
            return new Basis(new TablePlan.Reconcile(planSplits(c, schema, targetTable, splits), reason),
                    cache(state.get().cacheVersion(), List.of(), count(c, targetTable), null), Evolution.NONE);
        }
        return previous;
    }

    private static void requireWritable(CacheLayout layout, String table, String runId) throws PlanException {
        try {
            CacheProbe.requireWritable(layout, table, runId);
        } catch (CacheProbe.CacheLocationException e) {
            throw new PlanException(e.getMessage());
        }
    }

    /** The source schema, its split queries and (unless disabled or unloading) its row count. */
    private SourceRead readSource(SyncConfig.Table table, int splits) throws SQLException {
        TableName sourceTable = TableName.parse(table.source());
        try (Connection c = connect(config.source().endpoint(), "source")) {
            TableSchema schema = readSourceSchema(c, sourceTable, table.primaryKey());
            // extract: unload reads files, not split queries, and counts rows by UNLOAD's manifest; bucketed, it writes
            // each of the JDBC path's range splits (planned alike, more of them for a large table) to a folder of its own
            boolean unload = config.unload(table);
            SourceQuery query = !unload ? planSplits(c, schema, sourceTable, splits)
                    : UnloadBuckets.whyNot(schema) != null ? SplitPlanner.single(schema, sourceTable)
                    : planSplits(c, schema, sourceTable, UnloadBuckets.count(splits, count(c, sourceTable), UnloadBuckets.rowBytes(schema)), true);
            long expectedRows = config.source().verifyCountOrDefault() && !unload ? count(c, sourceTable) : -1;
            return new SourceRead(schema, new TablePlan.Source(config.source().endpoint(), sourceTable, query,
                    config.source().fetchSizeOrDefault(), expectedRows, null));
        }
    }

    /** Before anything is created: a target other than the one the cache describes would get only the day's changes. */
    private static void checkRecordedTables(Connection c, ControlTable control, SyncConfig.Table table, TableName targetTable,
                                            TableName sourceTable) throws SQLException {
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

    /** Creates a missing target table from the source schema, unless a dry run or create-target: false refuses. */
    private void requireTargetTable(Connection c, SyncConfig.Table table, TableName targetTable, TableSchema schema)
            throws SQLException {
        if (!TargetCatalog.exists(c, targetTable)) {
            if (dryRun) {
                throw new PlanException("target table " + targetTable + " does not exist (a dry run creates nothing)");
            }
            if (!table.createTargetOrDefault()) {
                throw new PlanException("target table " + targetTable + " does not exist (create-target is false)");
            }
            createTarget(c, targetTable, schema);
        }
    }

    /** The table's control row. */
    private Optional<ControlTable.State> controlRow(Connection c, ControlTable control, CacheLayout layout, SyncConfig.Table table,
                                                    TableName targetTable) throws SQLException, IOException {
        if (dryRun) {
            // read-only: no control tables created, no leftovers removed
            return TargetCatalog.exists(c, TableName.parse(control.state())) ? control.read(c, table.name(), false) : Optional.empty();
        }
        control.ensureExists(c);
        Leftovers.clean(c, config.target().stagingSchemaOrDefault(), control, layout, table.name(),
                config.cache().keepVersionsOrDefault(), targetTable);
        return control.read(c, table.name(), false);
    }

    /** Why this run diffs against the live target instead of the cache, or null when it reads the cache. */
    private String reconcileReason(Connection c, ControlTable control, SyncConfig.Table table, TableName targetTable,
                                   Optional<ControlTable.State> state) throws SQLException {
        if (reconcile) {
            return "reconcile: diffing the source against the live target table";
        }
        Optional<ControlTable.Pending> pending = control.readPending(c, table.name());
        if (pending.isPresent()) {
            // some chunks of that run committed, so for some keys the target is ahead of the cache it names:
            // only the live table itself can say what it holds now
            return "run " + pending.get().runId() + " applied part of its change set in chunks and did not finish; "
                    + "diffing the source against the live target table";
        }
        if (state.isEmpty() && hasRows(c, targetTable)) {
            // a first run into a filled table (a moved target, a renamed table entry, a table filled by hand) would
            // upsert the snapshot and keep every row the source does not have
            return "no control row for " + table.name() + " but target table " + targetTable
                    + " already holds rows; diffing the source against the live target table";
        }
        return null;
    }

    private TablePlan.Cache cache(String previousVersion, List<String> previousFiles, long previousRows, TableSchema previousSchema) {
        return new TablePlan.Cache(config.cache().uri(), previousVersion, previousFiles, previousRows, previousSchema,
                config.cache().compressionOrDefault(), config.cache().rowGroupBytes());
    }

    /**
     * The cache version the control row names, checked whole before the target is touched (a version that lost a
     * file would never delete that file's rows), and the schema evolution it calls for.
     */
    private Basis previousCache(Connection c, SyncConfig.Table table, TableName targetTable, CacheLayout layout,
                                   ControlTable.State st, TableSchema schema) throws SQLException, IOException {
        String previousVersion = st.cacheVersion();
        if (!sameUri(st.cacheUri(), config.cache().uri())) {
            throw new PlanException("the target was last synced with cache " + st.cacheUri() + " but cache.uri is now "
                    + config.cache().uri() + "; copy the cache or resync the table");
        }
        CacheManifest m = readManifest(layout, table.name(), previousVersion);
        try {
            CacheIntegrity.verify(layout, m, table.name(), previousVersion, st.rowCount(), st.schemaFingerprint());
        } catch (CacheIntegrity.DamagedException e) {
            throw new PlanException(e.getMessage());
        }
        Evolution evolution = Evolution.NONE;
        TableSchema cachedSchema = new TableSchema(m.columns(), m.keyColumns());
        boolean sameEncoding = m.schemaFingerprint().equals(schema.fingerprint());
        // nullability is not in the fingerprint (it does not change hashes) but a column that became
        // nullable needs its NOT NULL dropped in the target before a NULL can arrive
        if (!sameEncoding || !SchemaChange.between(cachedSchema, schema).relaxed().isEmpty()) {
            SchemaChange change = SchemaChange.between(cachedSchema, schema);
            evolution = new Evolution(sameEncoding ? null : cachedSchema, // re-hash the old cache only if encodings differ
                    SchemaEvolution.plan(change, table.name(), previousVersion, targetTable, config.policies(table),
                            TargetCatalog.columnLimits(c, targetTable), c),
                    change.describe(),
                    change.added().stream().map(Column::name).toList(),
                    change.widened().stream().map(Column::name).toList(),
                    change.relaxed().stream().map(Column::name).toList());
        }
        // a layered version's base and older layers lie in older versions' directories
        List<String> files = m.files().stream()
                .map(f -> new Path(layout.versionDir(table.name(), f.versionOr(previousVersion)), f.name()).toString()).toList();
        return new Basis(new TablePlan.Diff(), cache(previousVersion, files, m.rowCount(), evolution.previousSchema()), evolution,
                m.isLayered());
    }

    private static CacheManifest readManifest(CacheLayout layout, String table, String version) throws PlanException {
        try {
            return CacheManifest.read(layout.manifest(table, version));
        } catch (java.io.FileNotFoundException e) {
            throw new PlanException(e.getMessage() + ": the cache version the target matches is lost; "
                    + "run `snapsync reconcile` to diff against the live target and write a fresh cache");
        } catch (IOException e) {
            throw new PlanException("the cache is damaged: manifest " + layout.manifest(table, version)
                    + " cannot be read (" + e.getMessage() + "); run `snapsync reconcile` to diff against the live target "
                    + "and write a fresh cache");
        }
    }

    /** The target's column limits, for the value checks before staging: not for columns the commit retypes or adds. */
    private static List<TargetColumn> targetLimits(Connection c, TableName targetTable, List<String> sourceTyped,
                                                   List<String> relaxed) throws SQLException {
        return TargetCatalog.columnLimits(c, targetTable).stream()
                .filter(t -> !sourceTyped.contains(t.name()))
                .map(t -> relaxed.contains(t.name()) ? new TargetColumn(t.name(), t.baseType(), t.length(), t.precision(), t.scale(), false) : t)
                .toList();
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
        return TargetCatalog.hasRows(c, table);
    }

    static long count(Connection c, TableName table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.quoted())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static SourceQuery planSplits(Connection c, TableSchema schema, TableName table, int splits) throws SQLException {
        return planSplits(c, schema, table, splits, false);
    }

    /**
     * The split queries of a read; for UNLOAD's buckets ({@code bucketed}), ranges whenever {@link SplitPlanner#bounds}
     * interpolates the first key column's type, whether or not the dialect's range predicate may bind its bounds: the
     * buckets are UNLOAD's CASE over literals (see unload.UnloadBuckets), never that predicate.
     */
    static SourceQuery planSplits(Connection c, TableSchema schema, TableName table, int splits, boolean bucketed) throws SQLException {
        if (splits <= 1) {
            return SplitPlanner.single(schema, table);
        }
        Column first = schema.keyColumnList().get(0);
        SourceDialect dialect = SourceDialect.forUrl(c.getMetaData().getURL());
        if (bucketed ? SplitPlanner.rangeable(first.type()) : SplitPlanner.rangeable(first.type(), dialect)) {
            String e = dialect.rangeExpression(first);
            Object[] extremes;
            try {
                // floats: bounds between the finite extremes (PostgreSQL's max is NaN when a NaN is there); the end splits
                // take -Infinity (first) and Infinity and NaN (last, as NaN compares >= every number)
                // bytes: PostgreSQL has no min(bytea); the first and last by ORDER BY (the key's index), as the reads sort
                extremes = first.type() == ColumnType.BYTES
                        ? new Object[] {
                            extremes(c, "SELECT " + e + " FROM " + table.quoted() + " WHERE " + e + " IS NOT NULL ORDER BY " + e + " ASC LIMIT 1",
                                    first, new Object[0], true)[0],
                            extremes(c, "SELECT " + e + " FROM " + table.quoted() + " WHERE " + e + " IS NOT NULL ORDER BY " + e + " DESC LIMIT 1",
                                    first, new Object[0], true)[0]}
                        : first.type() == ColumnType.FLOAT
                        ? extremes(c, "SELECT min(" + e + "), max(" + e + ") FROM " + table.quoted() + " WHERE " + e + " > ? AND " + e + " < ?",
                                first, new Object[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY})
                        : extremes(c, "SELECT min(" + e + "), max(" + e + ") FROM " + table.quoted(), first, new Object[0]);
            } catch (SQLException ex) {
                if (bucketed && (first.type() == ColumnType.FLOAT || first.type() == ColumnType.BYTES)) {
                    // UNLOAD's buckets on Redshift, whose binding of the infinities above (floats) and ORDER BY .. LIMIT 1 on
                    // VARBYTE (bytes) are not verified here: one bucket, as before these were bucketed
                    return SplitPlanner.single(schema, table);
                }
                if (first.type() != ColumnType.DECIMAL) {
                    throw ex;
                }
                // PostgreSQL's numeric NaN or Infinity (no BigDecimal holds them): the read refuses such a key with its
                // own message, whatever the splits
                return SplitPlanner.byHash(schema, table, dialect, splits);
            }
            if (extremes[0] == null) {
                return SplitPlanner.single(schema, table); // empty table (or only NULL keys; for floats, only NaN and infinities)
            }
            // +/-infinity (PostgreSQL's dates and timestamps) would stretch the interpolation: bound between the finite
            // extremes; the end splits, open below and above, still take the infinities
            if (infinite(extremes[0])) {
                extremes[0] = extremes(c, "SELECT min(" + e + ") FROM " + table.quoted() + " WHERE " + e + " > ?", first,
                        new Object[] {extremes[0]})[0];
            }
            if (infinite(extremes[1])) {
                extremes[1] = extremes(c, "SELECT max(" + e + ") FROM " + table.quoted() + " WHERE " + e + " < ?", first,
                        new Object[] {extremes[1]})[0];
            }
            List<java.io.Serializable> bounds = SplitPlanner.bounds(first, extremes[0], extremes[1], splits);
            return SplitPlanner.byBounds(schema, table, dialect, first, bounds);
        }
        return SplitPlanner.unsplit(schema, table, dialect, splits);
    }

    /** The columns of one row of a min/max query over the first key column, read as the Java type its bounds bind as. */
    private static Object[] extremes(Connection c, String sql, Column column, Object[] params) throws SQLException {
        return extremes(c, sql, column, params, false);
    }

    /** {@link #extremes}; {@code mayBeEmpty}: a query of no row (an ORDER BY .. LIMIT 1 over no value) gives nulls. */
    private static Object[] extremes(Connection c, String sql, Column column, Object[] params, boolean mayBeEmpty) throws SQLException {
        try (java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() && mayBeEmpty) {
                    return new Object[rs.getMetaData().getColumnCount()];
                }
                Object[] out = new Object[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < out.length; i++) {
                    if (column.type() == ColumnType.INTEGER) {
                        long v = rs.getLong(i + 1); // getObject(Long.class) refuses a smallint or integer column
                        out[i] = rs.wasNull() ? null : v;
                        continue;
                    }
                    if (column.type() == ColumnType.BYTES) {
                        out[i] = rs.getBytes(i + 1);
                        continue;
                    }
                    if (column.type() == ColumnType.FLOAT) {
                        // a REAL as float, widened exactly (as the row encoder reads it), not its text re-parsed as a double
                        double v = column.width() == 4 ? rs.getFloat(i + 1) : rs.getDouble(i + 1);
                        out[i] = rs.wasNull() ? null : v;
                        continue;
                    }
                    Class<?> type = switch (column.type()) {
                        case DECIMAL -> java.math.BigDecimal.class;
                        case DATE -> java.time.LocalDate.class;
                        case TIMESTAMP -> java.time.LocalDateTime.class;
                        case TIMESTAMPTZ -> java.time.OffsetDateTime.class;
                        case TIME -> java.time.LocalTime.class;
                        default -> String.class;
                    };
                    out[i] = rs.getObject(i + 1, type);
                }
                return out;
            }
        }
    }

    private static boolean infinite(Object v) {
        return java.time.LocalDate.MIN.equals(v) || java.time.LocalDate.MAX.equals(v) || java.time.LocalDateTime.MIN.equals(v)
                || java.time.LocalDateTime.MAX.equals(v) || java.time.OffsetDateTime.MIN.equals(v) || java.time.OffsetDateTime.MAX.equals(v);
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
