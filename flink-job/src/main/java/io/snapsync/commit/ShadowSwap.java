package io.snapsync.commit;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.fault.CommitHook;
import io.snapsync.plan.TablePlan;
import io.snapsync.result.WriteResult;
import io.snapsync.schema.TableName;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.targetdb.MergeSql;
import io.snapsync.targetdb.ShadowNames;
import io.snapsync.targetdb.SwapLoad;
import io.snapsync.targetdb.TableDefinition;
import io.snapsync.targetdb.TargetCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit of a resync, or of a first load by swap: the whole snapshot goes into a new (shadow) table, which replaces
 * the live table by renames. The live table is not touched, nor locked, until the last, short transaction. A first
 * load keeps the live table's definition whole (anything that cannot be rebuilt fails the run), and when the live table
 * is busy or received rows meanwhile, its rows are MERGEd into it instead of swapped.
 *
 * <pre>
 * (job)          the writers COPY the rows into the shadow, each attempt in one transaction that also records
 *                it in the run's parts table (targetdb.SwapLoad)
 * build (txn 1)  every reported attempt is in the parts table with its rows; rows of committed attempts that
 *                did not report are deleted (by xmin); indexes and constraints a retried committer built are
 *                dropped; recreate the live table's key constraints, indexes,
 *                check and foreign-key constraints, defaults, NOT NULLs, comments, owner and grants;
 *                ANALYZE; COMMIT
 * swap (txn 2)   lock the control row; still names the version this run planned against?; LOCK the live
 *                table (short lock_timeout, retried, so the service's queries are never queued for long);
 *                its definition unchanged since txn 1?; hand its owned sequences to the shadow; DROP it;
 *                rename shadow -> live and its indexes/constraints to the original names; control row :=
 *                this run's cache version and schema fingerprint; history row; COMMIT
 * </pre>
 *
 * A failure before the swap commits leaves the live table exactly as it was; the shadow left behind is
 * dropped by the next run of the table (see {@code Leftovers}).
 */
public final class ShadowSwap {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowSwap.class);
    /** How long the swap waits for the live table's lock before letting the service's queries through again. */
    static final String LOCK_TIMEOUT = "2s";
    static final int LOCK_ATTEMPTS = 30;
    private static final Pattern PRIVILEGE = Pattern.compile("[A-Z]+( [A-Z]+)*");

    private final TablePlan plan;
    /** The new table the snapshot was loaded into, swapped in for the live one. */
    private final TableName shadowTable;
    private final CommitHook hook;
    private final List<String> notes = new ArrayList<>();
    /** Shadow index/constraint temporary name -> original name, renamed after the swap. */
    private final List<Rename> renames = new ArrayList<>();

    private record Rename(String temporary, String original, boolean constraint) {}

    /** The writers loaded the shadow themselves (a first load by swap, see targetdb.SwapLoad); else they staged the rows. */
    private final TablePlan.Resync resync;

    public ShadowSwap(TablePlan plan, TablePlan.Resync resync, CommitHook hook) {
        this.plan = plan;
        this.shadowTable = resync.shadowTable();
        this.resync = resync;
        this.hook = hook;
    }

    /**
     * Builds the shadow from the reported upsert attempts and swaps it in; fills the outcome's applied
     * counts and notes. A run already committed (a retried committer) changes nothing.
     */
    public void commit(CommitOutcome o, Collection<WriteResult.StagedPart> upserts) throws Exception {
        ControlTable control = new ControlTable(plan.target().controlSchema());
        TableDefinition live;
        try (Connection c = plan.target().endpoint().connect()) {
            c.setAutoCommit(false);
            if (alreadyCommitted(c, control)) {
                o.alreadyCommitted = true;
                c.rollback();
                return;
            }
            c.rollback();
            live = TableDefinition.read(c, plan.target().table());
            requireNoBlockers(live);
            o.appliedUpserts = loaded(c, upserts);
            define(c, live);
            c.commit();
        }
        hook.at(CommitHook.Point.SHADOW_BUILT);
        if (!swap(o, control, live)) {
            mergeIntoLive(o, control);
        }
        o.appliedDeletes = 0;
        o.resyncNotes = notes.isEmpty() ? null : new java.util.ArrayList<>(notes);
    }

    /**
     * The writers' COPYs put the rows in the shadow. Every reported attempt must be recorded there with
     * its row count; a committed attempt that did not report (its task died after the COPY committed and was retried) has
     * its rows removed by their transaction id. Then the shadow holds exactly the reported rows. Its indexes and
     * constraints are dropped: a retried committer whose definition transaction committed builds them again.
     */
    private long loaded(Connection c, Collection<WriteResult.StagedPart> upserts) throws Exception {
        java.util.Map<List<Integer>, SwapLoad.Part> committed = SwapLoad.committedParts(c, resync.parts());
        long rows = 0;
        for (WriteResult.StagedPart r : upserts) {
            SwapLoad.Part p = committed.remove(List.of(r.subtask(), r.attempt()));
            if (r.rows() > 0 && (p == null || p.rows() != r.rows())) {
                throw new IllegalStateException(what() + " of " + plan.name() + ": subtask " + r.subtask() + " attempt " + r.attempt()
                        + " reported " + r.rows() + " rows, the new table records " + (p == null ? "none" : p.rows() + " rows")
                        + " from it; " + plan.target().table() + " is unchanged, rerun");
            }
            rows += r.rows();
        }
        List<SwapLoad.Part> unreported = committed.values().stream().filter(p -> p.rows() > 0).toList();
        if (!unreported.isEmpty()) {
            long expected = unreported.stream().mapToLong(SwapLoad.Part::rows).sum();
            long deleted = SwapLoad.deleteUnreported(c, shadowTable, resync.parts(), unreported);
            if (deleted != expected) {
                throw new IllegalStateException(what() + " of " + plan.name() + ": removing the rows of attempts that did not report "
                        + unreported + " deleted " + deleted + " rows, expected " + expected + "; " + plan.target().table()
                        + " is unchanged, rerun");
            }
            LOG.info("{}: removed {} rows of attempts that committed but did not report: {}", plan.name(), deleted, unreported);
        }
        SwapLoad.dropDefinition(c, shadowTable);
        LOG.info("{}: {} rows loaded into new table {}", plan.name(), rows, shadowTable);
        return rows;
    }

    private String what() {
        return resync.firstLoad() ? "first load" : "resync";
    }

    /** The live table's definition on the shadow: indexes and key constraints (built from the rows), constraints, columns, grants. */
    private void define(Connection c, TableDefinition live) throws Exception {
        TableName shadow = shadowTable;
        Set<String> columns = new HashSet<>(plan.schema().columnNames());
        try (Statement s = c.createStatement()) {
            carryColumns(c, s, live, columns);
            int n = 0;
            for (TableDefinition.Index ix : live.indexes()) {
                String tmp = ShadowNames.index(plan.target().table(), plan.runId(), n++);
                String sql = ix.isConstraint()
                        ? "ALTER TABLE " + shadow.quoted() + " ADD CONSTRAINT " + quote(tmp) + " " + ix.constraintDef()
                        : "CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX " + quote(tmp) + " ON " + shadow.quoted()
                          + " USING " + ix.tail();
                if (attempt(c, s, sql, (ix.isConstraint() ? "constraint " + ix.constraintName() : "index " + ix.name()))) {
                    renames.add(new Rename(tmp, ix.isConstraint() ? ix.constraintName() : ix.name(), ix.isConstraint()));
                }
            }
            requireUniqueKey(c, s, n);
            for (TableDefinition.Constraint k : live.constraints()) {
                attempt(c, s, "ALTER TABLE " + shadow.quoted() + " ADD CONSTRAINT " + quote(k.name()) + " " + k.definition(),
                        "constraint " + k.name());
            }
            if (live.comment() != null) {
                s.execute(serverFormatted(c, "COMMENT ON TABLE %s IS %L", shadow.quoted(), live.comment()));
            }
            carryOwnerAndGrants(c, s, live, columns);
            s.execute("ANALYZE " + shadow.quoted()); // the service's queries are planned with statistics from the start
        }
    }

    /** Defaults, NOT NULLs and comments of the live columns that still exist. */
    private void carryColumns(Connection c, Statement s, TableDefinition live, Set<String> columns) throws SQLException {
        String shadow = shadowTable.quoted();
        for (TableDefinition.ColumnInfo col : live.columns()) {
            if (!columns.contains(col.name())) {
                continue; // only a source column is in the shadow (the planner refused or allowed dropping the rest)
            }
            String alter = "ALTER TABLE " + shadow + " ALTER COLUMN " + quote(col.name());
            if (col.generated() != null && !col.generated().isEmpty()) {
                notes.add("generated column " + col.name() + " is a plain column now (its values come from the source)");
            } else if (col.identity() != null && !col.identity().isEmpty()) {
                notes.add("identity of column " + col.name() + " not kept (its values come from the source)");
            } else if (col.defaultExpr() != null) {
                attempt(c, s, alter + " SET DEFAULT " + col.defaultExpr(), "default of column " + col.name());
            }
            if (col.notNull()) {
                attempt(c, s, alter + " SET NOT NULL", "NOT NULL of column " + col.name());
            }
            if (col.comment() != null) {
                s.execute(serverFormatted(c, "COMMENT ON COLUMN %s IS %L", shadow + "." + quote(col.name()), col.comment()));
            }
        }
    }

    /**
     * Owner where allowed (the sync role must be a member of the owner's role), then every grant. If the
     * owner cannot be kept, the old owner's privileges are granted explicitly (they are part of the
     * effective ACL read from the live table), so the service keeps its access either way. Any privilege
     * the shadow still lacks fails the run here, before the swap.
     */
    private void carryOwnerAndGrants(Connection c, Statement s, TableDefinition live, Set<String> columns) throws SQLException {
        String shadow = shadowTable.quoted();
        if (live.owner() != null && !live.owner().equals(currentUser(c))) {
            attempt(c, s, "ALTER TABLE " + shadow + " OWNER TO " + quote(live.owner()), "owner " + live.owner());
        }
        List<TableDefinition.Grant> wanted = live.grants().stream()
                .filter(g -> g.column() == null || columns.contains(g.column())).toList();
        for (TableDefinition.Grant g : wanted) {
            if (!PRIVILEGE.matcher(g.privilege()).matches()) {
                throw new IllegalStateException("unexpected privilege name " + g.privilege() + " on " + plan.target().table());
            }
            s.execute("GRANT " + g.privilege() + (g.column() == null ? "" : " (" + quote(g.column()) + ")") + " ON TABLE " + shadow
                    + " TO " + (g.grantee() == null ? "PUBLIC" : quote(g.grantee())) + (g.grantable() ? " WITH GRANT OPTION" : ""));
        }
        // GRANT without the right to grant only warns; check that every privilege arrived
        List<TableDefinition.Grant> have = TableDefinition.grants(c, shadow);
        List<String> missing = wanted.stream().filter(w -> have.stream().noneMatch(h -> Objects.equals(h.column(), w.column())
                        && Objects.equals(h.grantee(), w.grantee()) && h.privilege().equals(w.privilege()) && (h.grantable() || !w.grantable())))
                .map(w -> w.privilege() + (w.column() == null ? "" : " (" + w.column() + ")") + " to "
                        + (w.grantee() == null ? "PUBLIC" : w.grantee())).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("resync of " + plan.name() + ": cannot give the new table the live table's privileges "
                    + missing + " (the sync role needs to own " + plan.target().table() + " or hold them WITH GRANT OPTION); "
                    + "the live table is unchanged");
        }
    }

    /** The configured key must be unique on the new table, as on the live one (MERGE needs it tomorrow). */
    private void requireUniqueKey(Connection c, Statement s, int n) throws SQLException {
        List<String> key = plan.schema().keyColumns();
        TargetCatalog.KeyIndex index = TargetCatalog.keyIndex(c, shadowTable, key);
        boolean hasPk = index.hasPrimaryKey();
        boolean keyUnique = index.keyUnique();
        if (!keyUnique) {
            String tmp = ShadowNames.index(plan.target().table(), plan.runId(), n);
            // a failure here (duplicate keys) fails the run: the new table must be syncable
            s.execute("ALTER TABLE " + shadowTable.quoted() + " ADD CONSTRAINT " + quote(tmp)
                    + (hasPk ? " UNIQUE (" : " PRIMARY KEY (") + quoteAll(key) + ")");
            // PostgreSQL's usual name, unless taken (index names are unique per schema)
            String name = plan.target().table().table() + (hasPk ? "_key" : "_pkey");
            TableName qualified = new TableName(plan.target().table().schema(), name);
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63 && !TargetCatalog.exists(c, qualified)) {
                renames.add(new Rename(tmp, name, true));
            }
        }
    }

    /**
     * Swaps the shadow in; false (nothing done) when a first load finds the live table busy or no longer empty: the
     * rows then go into it in place ({@link #mergeIntoLive}), which neither queues the service's queries nor replaces rows
     * that reached the table meanwhile.
     */
    private boolean swap(CommitOutcome o, ControlTable control, TableDefinition built) throws Exception {
        TableName live = plan.target().table();
        try (Connection c = plan.target().endpoint().connect()) {
            c.setAutoCommit(false);
            for (int attempt = 1; ; attempt++) {
                try (Statement s = c.createStatement()) {
                    if (alreadyCommitted(c, control)) {
                        o.alreadyCommitted = true;
                        c.rollback();
                        return true;
                    }
                    TableDefinition now = lockUnchanged(c, s, live, built);
                    if (resync.firstLoad() && TargetCatalog.hasRows(c, live)) {
                        c.rollback();
                        LOG.info("{}: rows reached {} during the first load: the loaded rows are merged into it instead", plan.name(), live);
                        return false;
                    }
                    handOverSequences(c, s, now);
                    if (now.exists()) {
                        s.execute("DROP TABLE " + live.quoted()); // no CASCADE: an unforeseen dependent fails the swap
                    }
                    renameIn(s, live);
                    hook.at(CommitHook.Point.IN_TRANSACTION);
                    writeState(c, control, o);
                    c.commit();
                    LOG.info("{}: swapped shadow table in as {} (attempt {})", plan.name(), live, attempt);
                    return true;
                } catch (SQLException e) {
                    c.rollback();
                    if (!"55P03".equals(e.getSQLState()) || attempt >= LOCK_ATTEMPTS) {
                        throw e;
                    }
                    if (resync.firstLoad()) {
                        LOG.info("{}: {} is in use by another session (no exclusive lock within {}): the loaded rows are merged "
                                + "into it instead", plan.name(), live, LOCK_TIMEOUT);
                        return false;
                    }
                    // the service holds the table (a long query): let its queue drain, try again
                    LOG.info("{}: {} is busy, swap attempt {} of {} waits", plan.name(), live, attempt, LOCK_ATTEMPTS);
                    Thread.sleep(1000);
                } catch (Exception e) {
                    c.rollback();
                    throw e;
                }
            }
        }
    }

    /**
     * A first load that could not swap: the loaded rows MERGEd into the live table and the control row written in one
     * transaction (the live table is entirely as before or loaded), the new table dropped with it.
     */
    private void mergeIntoLive(CommitOutcome o, ControlTable control) throws Exception {
        TableName live = plan.target().table();
        MergeSql sql = new MergeSql(live, plan.schema().columnNames(), plan.schema().keyColumns(), plan.target().compareAsText());
        try (Connection c = plan.target().endpoint().connect()) {
            c.setAutoCommit(false);
            if (alreadyCommitted(c, control)) {
                o.alreadyCommitted = true;
                c.rollback();
                return;
            }
            try (Statement s = c.createStatement()) {
                o.appliedUpserts = s.executeLargeUpdate(sql.upsertFrom(shadowTable, plan.target().dialect()));
                hook.at(CommitHook.Point.IN_TRANSACTION);
                s.execute("DROP TABLE " + shadowTable.quoted());
            }
            writeState(c, control, o);
            c.commit();
            LOG.info("{}: {} loaded rows merged into {}", plan.name(), o.appliedUpserts, live);
        }
    }

    private void writeState(Connection c, ControlTable control, CommitOutcome o) throws SQLException {
        control.write(c, new ControlTable.State(plan.name(), plan.target().table().toString(), plan.runId(), plan.cacheVersion(),
                plan.cache().uri(), o.cacheRows, plan.schema().fingerprint(), o.inserted, o.updated, o.deleted, Instant.now(),
                plan.source().table().toString()));
        control.clearPending(c, plan.name());
    }

    /**
     * Locks the live table (waiting at most {@link #LOCK_TIMEOUT}, so the service's queries are not queued behind the
     * swap for long) and returns its definition, which must be the one the shadow was built from.
     */
    private TableDefinition lockUnchanged(Connection c, Statement s, TableName live, TableDefinition built) throws Exception {
        s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
        if (built.exists()) {
            s.execute("LOCK TABLE " + live.quoted() + " IN ACCESS EXCLUSIVE MODE");
        }
        s.execute("SET LOCAL lock_timeout = 0");
        TableDefinition now = TableDefinition.read(c, live);
        requireNoBlockers(now);
        if (!now.equals(built)) {
            throw new IllegalStateException("resync of " + plan.name() + ": the definition of " + live
                    + " (indexes, constraints, defaults, grants) changed while the shadow table was built; "
                    + "the live table is unchanged, rerun");
        }
        return now;
    }

    /** The live table's owned sequences that the shadow's defaults use: handed over, or at least kept alive. */
    private void handOverSequences(Connection c, Statement s, TableDefinition now) throws SQLException {
        for (TableDefinition.OwnedSequence seq : now.sequences()) {
            if (plan.schema().indexOf(seq.column()) >= 0) {
                String name = new TableName(seq.schema(), seq.name()).quoted();
                if (!attempt(c, s, "ALTER SEQUENCE " + name + " OWNED BY " + shadowTable.quoted() + "." + quote(seq.column()),
                        "ownership of sequence " + seq.name() + " by column " + seq.column() + " (the sequence is kept)")) {
                    s.execute("ALTER SEQUENCE " + name + " OWNED BY NONE");
                }
            }
        }
    }

    /** The shadow takes the live table's name, its indexes and constraints their original names. */
    private void renameIn(Statement s, TableName live) throws SQLException {
        s.execute("ALTER TABLE " + shadowTable.quoted() + " RENAME TO " + quote(live.table()));
        for (Rename r : renames) {
            s.execute(r.constraint()
                    ? "ALTER TABLE " + live.quoted() + " RENAME CONSTRAINT " + quote(r.temporary()) + " TO " + quote(r.original())
                    : "ALTER INDEX " + new TableName(live.schema(), r.temporary()).quoted() + " RENAME TO " + quote(r.original()));
        }
    }

    private void requireNoBlockers(TableDefinition live) {
        if (!live.blockers().isEmpty()) {
            throw new IllegalStateException(TableDefinition.blockerMessage(plan.name(), plan.target().table(), live.blockers()));
        }
    }

    private boolean alreadyCommitted(Connection c, ControlTable control) throws SQLException {
        Optional<ControlTable.State> state = control.read(c, plan.name(), true);
        if (state.isPresent() && state.get().runId().equals(plan.runId())) {
            LOG.info("run {} of {} is already committed", plan.runId(), plan.name());
            return true;
        }
        String current = state.map(ControlTable.State::cacheVersion).orElse(null);
        if (!Objects.equals(current, plan.cache().previousVersion())) {
            throw new IllegalStateException("the target moved while this run was reading: the control table names cache version "
                    + current + ", this run planned against " + plan.cache().previousVersion() + "; nothing applied, rerun");
        }
        return false;
    }

    /** Runs {@code sql} in a savepoint; a failure becomes a note (what was not kept, and why) instead of failing the run. */
    private boolean attempt(Connection c, Statement s, String sql, String what) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            s.execute(sql);
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            c.rollback(sp);
            String why = e.getMessage() == null ? e.getSQLState() : e.getMessage().replaceAll("\\s+", " ");
            if (resync.firstLoad()) {
                // a first load keeps the empty table's definition whole, or fails (as loading it in place would)
                throw new IllegalStateException("first load of " + plan.name() + ": " + what + " of " + plan.target().table()
                        + " cannot be built on the loaded rows: " + why + "; " + plan.target().table() + " is unchanged");
            }
            notes.add(what + " not kept: " + why);
            LOG.warn("{}: {} not kept on the new table: {}", plan.name(), what, why);
            return false;
        }
    }

    /** A statement with a literal (comments take no parameters): the server quotes the value with %L. */
    private static String serverFormatted(Connection c, String format, String identifier, String literal) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT format(?, ?::text, ?::text)")) {
            ps.setString(1, format);
            ps.setString(2, identifier);
            ps.setString(3, literal);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
