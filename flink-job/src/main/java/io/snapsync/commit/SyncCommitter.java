package io.snapsync.commit;

import io.snapsync.cache.CacheLayout;
import io.snapsync.cache.CacheManifest;
import io.snapsync.cache.SortedCacheReader;
import io.snapsync.diff.DataIssues;
import io.snapsync.fault.CommitHook;
import io.snapsync.plan.MassChangeGuard;
import io.snapsync.plan.TablePlan;
import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import io.snapsync.row.BadDataException;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.targetdb.DeferredIndexes;
import io.snapsync.targetdb.MergeSql;
import io.snapsync.targetdb.StagingTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single committer (parallelism 1). It receives one {@link WriteResult} from every subtask of
 * every writer; when its input ends, every writer has finished. Then:
 *
 * <ol>
 *   <li>check that a result arrived from each writer subtask (else fail: nothing is applied);
 *   <li>write the new cache version's manifest (the version is still unused: no control row names it);
 *   <li>in ONE target transaction: lock the control row, check the target still matches the version
 *       this run diffed against, DELETE removed keys, MERGE upserts, point the control row at the new
 *       cache version, commit;
 *   <li>drop the staging tables (a leftover is harmless and is cleaned up by a later run).
 * </ol>
 *
 * A retried committer that finds its own run id in the control row has nothing left to do.
 */
public final class SyncCommitter extends AbstractStreamOperator<CommitOutcome>
        implements OneInputStreamOperator<WriteResult, CommitOutcome>, BoundedOneInput {
    private static final Logger LOG = LoggerFactory.getLogger(SyncCommitter.class);

    private final TablePlan plan;
    private final int writerParallelism;
    private final CommitHook hook;
    private transient StageResults results;

    /** The previous version's manifest when this run's cache files are a change layer over it; null: a full base. */
    private final CacheManifest layerOn;

    public SyncCommitter(TablePlan plan, int writerParallelism, CommitHook hook) {
        this(plan, writerParallelism, hook, null);
    }

    public SyncCommitter(TablePlan plan, int writerParallelism, CommitHook hook, CacheManifest layerOn) {
        this.layerOn = layerOn;
        this.plan = plan;
        this.writerParallelism = writerParallelism;
        this.hook = hook;
    }

    @Override
    public void open() throws Exception {
        super.open();
        results = new StageResults();
    }

    @Override
    public void processElement(StreamRecord<WriteResult> record) {
        results.add(record.getValue());
    }

    /**
     * Emits the table's outcome: committed, or failed with the reason (bad data, a refused guard, a
     * commit error on the last attempt; staging dropped). Only a failure that Flink may still retry is
     * thrown: a failed table must not stop the other tables of the run's one job.
     */
    @Override
    public void endInput() throws Exception {
        CommitOutcome o;
        try {
            o = commit();
        } catch (Exception e) {
            if (!io.snapsync.task.Attempts.endsTable(getRuntimeContext(), e)) {
                throw e;
            }
            o = failed(io.snapsync.task.Errors.describe(e));
            LOG.debug("{}: failure detail", plan.name(), e);
        }
        getRuntimeContext().getIntCounter("snapsync.done." + plan.name()).add(1); // the CLI's progress line
        output.collect(new StreamRecord<>(o));
    }

    private CommitOutcome failed(String error) {
        LOG.error("{}: sync failed: {}", plan.name(), error);
        CommitOutcome o = new CommitOutcome();
        o.table = plan.name();
        o.runId = plan.runId();
        o.previousVersion = plan.cache().previousVersion();
        o.error = error;
        if (!plan.dryRun()) {
            // the target transaction either committed (and dropped these) or never happened: they are garbage now
            try (Connection c = plan.target().endpoint().connect()) {
                StagingTables.drop(c, plan.target().staging().upserts(), plan.target().staging().deletes());
                if (plan.mode() instanceof TablePlan.Resync r) {
                    StagingTables.drop(c, r.tables()); // unless it was swapped in (then it has the live name)
                }
            } catch (Exception e) {
                LOG.warn("could not drop staging tables of run {} (a later run removes them): {}", plan.runId(), e.getMessage());
            }
        }
        io.snapsync.unload.Unloads.deleteQuietly(plan.source().unload()); // the table failed: its unloaded files are garbage
        return o;
    }

    private CommitOutcome commit() throws Exception {
        results.requireComplete(writerParallelism);
        Optional<String> gaveUp = results.failure();
        if (gaveUp.isPresent()) {
            return failed(gaveUp.get()); // a writer or the source gave up on this table: nothing is applied
        }
        long started = System.currentTimeMillis();
        CommitOutcome o = counted();
        DataIssues issues = DataIssues.sum(results.issues());
        String refusal = issues.refusal(plan.name(), plan.policies());
        if (refusal != null && !plan.dryRun()) {
            // bad data, not a transient fault: a retried committer would refuse the same way
            throw new BadDataException(refusal);
        }
        checkRowsRead(o, issues);
        if (plan.dryRun()) {
            dryRunVerdict(o, refusal);
        } else {
            plan.guard().check(plan.name(), plan.cache().previousRows(), o.cacheRows, o.updated, o.deleted);
            writeManifest(o);
            apply(o);
        }
        io.snapsync.unload.Unloads.deleteQuietly(plan.source().unload()); // read (and committed): the unloaded files are garbage now
        o.commitMillis = System.currentTimeMillis() - started;
        return o;
    }

    /** The outcome with what the writers counted: cache rows, inserts, updates, deletes. */
    private CommitOutcome counted() {
        CommitOutcome o = new CommitOutcome();
        o.table = plan.name();
        o.runId = plan.runId();
        o.cacheVersion = plan.cacheVersion();
        o.previousVersion = plan.cache().previousVersion();
        for (WriteResult.CacheFile r : results.cacheFiles()) {
            o.cacheRows += r.rows();
        }
        for (WriteResult.StagedPart r : results.staged(Stage.UPSERTS)) {
            o.inserted += r.inserted();
            o.updated += r.updated();
        }
        for (WriteResult.StagedPart r : results.staged(Stage.DELETES)) {
            o.deleted += r.rows();
        }
        return o;
    }

    /** Source rows read = cache rows - entries carried over + rows left out; they must be what the source had at the start. */
    private void checkRowsRead(CommitOutcome o, DataIssues issues) {
        o.duplicateKeys = issues.duplicateKeys();
        o.nullKeyRows = issues.nullKeyRows();
        o.nulFixedRows = issues.nulFixedRows();
        o.issueSamples = new ArrayList<>(issues.samples());
        long read = o.cacheRows - issues.carriedEntries() + issues.droppedRows();
        o.snapshotRows = read;
        if (plan.source().expectedRows() >= 0 && plan.source().expectedRows() != read) {
            // a lost or doubled split must never reach the target: it would delete or corrupt rows silently
            throw new IllegalStateException("read " + read + " source rows but the source had " + plan.source().expectedRows()
                    + " when the run started (did the source change during the sync?); nothing applied");
        }
    }

    /** Dry run: sample keys and what the guard and the data policies would have refused; nothing is written. */
    private void dryRunVerdict(CommitOutcome o, String refusal) {
        o.samples = new ArrayList<>();
        results.staged(Stage.UPSERTS).forEach(r -> o.samples.addAll(r.samples()));
        results.staged(Stage.DELETES).forEach(r -> o.samples.addAll(r.samples()));
        try {
            plan.guard().check(plan.name(), plan.cache().previousRows(), o.cacheRows, o.updated, o.deleted);
        } catch (MassChangeGuard.MassChangeException e) {
            o.guardViolation = e.getMessage();
        }
        if (refusal != null) {
            o.guardViolation = o.guardViolation == null ? refusal : refusal + "; " + o.guardViolation;
        }
    }

    /** The new cache version's manifest; unused until the control row names the version. */
    private void writeManifest(CommitOutcome o) throws Exception {
        List<CacheManifest.FileEntry> files = new ArrayList<>();
        boolean filesSorted = true;
        // a change layer: the new files are layer top+1 over the previous version's files, which stay where they are
        Integer layer = layerOn == null ? null : layerOn.topLayer() + 1;
        for (WriteResult.CacheFile r : results.cacheFiles()) {
            if (r.file() != null) {
                files.add(new CacheManifest.FileEntry(r.file(), layer == null ? r.rows() : r.fileRows(), r.bytes(), r.checksum(),
                        SortedCacheReader.encodeKey(r.firstKey()), SortedCacheReader.encodeKey(r.lastKey()), null, layer));
                filesSorted &= r.sorted();
            }
        }
        // the next run may merge this version range by range only if each file ascends and no two overlap
        boolean sorted = filesSorted && SortedCacheReader.disjoint(files, plan.schema());
        if (layerOn != null) {
            sorted &= layerOn.isSorted();
            List<CacheManifest.FileEntry> all = new ArrayList<>();
            for (CacheManifest.FileEntry f : layerOn.files()) {
                all.add(f.referencedFrom(layerOn.version()));
            }
            all.addAll(files);
            files = all;
        }
        Path manifest = new CacheLayout(plan.cache().uri()).manifest(plan.name(), plan.cacheVersion());
        new CacheManifest(CacheManifest.FORMAT, plan.name(), plan.cacheVersion(), o.cacheRows,
                plan.schema().fingerprint(), plan.schema().columns(), plan.schema().keyColumns(), files,
                Instant.now().toString(), sorted).write(manifest);
        hook.at(CommitHook.Point.CACHE_WRITTEN);
    }

    /** The change set into the target by the plan's strategy: shadow swap (resync), chunks, or one transaction. */
    private void apply(CommitOutcome o) throws Exception {
        ControlTable control = new ControlTable(plan.target().controlSchema());
        MergeSql sql = new MergeSql(plan.target().table(), plan.schema().columnNames(), plan.schema().keyColumns(), plan.target().compareAsText());
        long staged = results.staged(Stage.UPSERTS).stream().mapToLong(WriteResult.StagedPart::rows).sum()
                + results.staged(Stage.DELETES).stream().mapToLong(WriteResult.StagedPart::rows).sum();
        int chunkRows = plan.policies().applyChunkRows();
        if (plan.mode() instanceof TablePlan.Resync r) {
            // the whole snapshot into a new table, swapped in for the live one by renames
            new ShadowSwap(plan, r, hook).commit(o, results.staged(Stage.UPSERTS));
        } else if (chunkRows > 0 && staged > chunkRows) {
            applyInChunks(o, control, sql, chunkRows);
        } else {
            applyInOneTransaction(o, control, sql);
        }
        hook.at(CommitHook.Point.COMMITTED);
        LOG.info("{}: committed cache version {}: {} rows, +{} ~{} -{}", plan.name(), o.cacheVersion, o.snapshotRows,
                o.inserted, o.updated, o.deleted);
        dropStaging();
    }

    /** DELETE, MERGE and the control row in one transaction: the target is entirely old or entirely new. */
    private void applyInOneTransaction(CommitOutcome o, ControlTable control, MergeSql sql) throws Exception {
        try (Connection c = plan.target().endpoint().connect()) {
            c.setAutoCommit(false);
            if (checkControlRow(c, control, o)) {
                c.rollback();
                return;
            }
            alterTarget(c);
            if (firstLoad(o) && DeferredIndexes.lockEmpty(c, plan.target().table())) {
                loadEmptyTarget(c, o, sql);
            } else {
                // deletes first: a key whose bytes changed but not under the target's equality (jsonb {"a": 1.0} to
                // {"a": 1.00}, a case change under an accepted citext key) is a delete of the old and an upsert of the new;
                // a MERGE first would match the old row and the DELETE then remove it (JsonKeysEndToEndTest)
                o.appliedDeletes = execute(c, sql.delete(plan.target().staging().deletes(), false), results.stagedNonEmpty(Stage.DELETES));
                requireNoKeyTextCollision(c, sql, false); // after the deletes: a refusal rolls them back with the rest
                hook.at(CommitHook.Point.IN_TRANSACTION);
                o.appliedUpserts = execute(c, sql.upsert(plan.target().staging().upserts(), plan.target().dialect(), false), results.stagedNonEmpty(Stage.UPSERTS));
            }
            writeControlRow(c, control, o);
            c.commit();
        }
    }

    /** A first run (no cache version, the target empty when planned) whose change set is inserts only. */
    private boolean firstLoad(CommitOutcome o) {
        return plan.mode() instanceof TablePlan.Diff && plan.cache().previousVersion() == null && o.deleted == 0 && o.updated == 0
                && o.inserted > 0;
    }

    /**
     * The first load into a target found empty under an exclusive lock: its rebuildable indexes are dropped, every
     * staged row is INSERTed (no MERGE join: nothing to match), and the indexes are built again from the loaded rows,
     * all in this one transaction, so a failure anywhere before COMMIT leaves the target empty with its indexes.
     */
    private void loadEmptyTarget(Connection c, CommitOutcome o, MergeSql sql) throws Exception {
        List<DeferredIndexes.Index> deferred = DeferredIndexes.rebuildable(c, plan.target().table());
        DeferredIndexes.drop(c, plan.target().table(), deferred);
        o.appliedDeletes = 0;
        o.appliedUpserts = execute(c, sql.insert(plan.target().staging().upserts()), results.stagedNonEmpty(Stage.UPSERTS));
        hook.at(CommitHook.Point.IN_TRANSACTION);
        DeferredIndexes.create(c, plan.target().table(), deferred);
        LOG.info("{}: first load into the empty target: {} rows inserted, {} of its indexes built after the load", plan.name(),
                o.appliedUpserts, deferred.size());
    }

    /**
     * The change set in many transactions: first mark the table as having an apply in progress
     * ({@code sync_pending}: a later run that finds it reconciles against the live target, because
     * the target may be ahead of its cache), then the chunks, then the control row in its own
     * transaction, which also clears the mark.
     */
    private void applyInChunks(CommitOutcome o, ControlTable control, MergeSql sql, int chunkRows) throws Exception {
        try (Connection c = plan.target().endpoint().connect()) {
            c.setAutoCommit(false);
            if (checkControlRow(c, control, o)) {
                c.rollback();
                return;
            }
            alterTarget(c);
            control.writePending(c, new ControlTable.Pending(plan.name(), plan.runId(), plan.cacheVersion(), Instant.now()));
            c.commit();
            c.setAutoCommit(true);
            StagingTables.indexForChunks(c, plan.target().staging().deletes());
            StagingTables.indexForChunks(c, plan.target().staging().upserts());
            c.setAutoCommit(false);
            List<ChunkedApply.Chunk> deletes = ChunkedApply.plan(results.stagedNonEmpty(Stage.DELETES), chunkRows);
            List<ChunkedApply.Chunk> upserts = ChunkedApply.plan(results.stagedNonEmpty(Stage.UPSERTS), chunkRows);
            LOG.info("{}: applying {} deletes and {} upserts in {} transactions of at most {} rows", plan.name(), o.deleted,
                    o.inserted + o.updated, deletes.size() + upserts.size(), chunkRows);
            Duration pause = plan.policies().applyChunkPause();
            // every delete chunk before any upsert chunk, as in one transaction (see applyInOneTransaction)
            o.appliedDeletes = ChunkedApply.run(c, sql.delete(plan.target().staging().deletes(), true), deletes, pause, hook);
            // after the delete chunks (see requireNoKeyTextCollision): a refusal leaves them applied and the table marked as
            // having an unfinished apply, as a failure between chunks does; the next run reconciles
            requireNoKeyTextCollision(c, sql, true);
            o.appliedUpserts = ChunkedApply.run(c, sql.upsert(plan.target().staging().upserts(), plan.target().dialect(), true), upserts, pause, hook);
            o.chunks = deletes.size() + upserts.size();
            if (checkControlRow(c, control, o)) {
                throw new IllegalStateException("run " + plan.runId() + " was committed by another attempt while applying chunks");
            }
            writeControlRow(c, control, o);
            c.commit();
        }
    }

    /** Schema evolution: the planned DDL, inside the transaction that applies the data (never half-migrated). */
    private void alterTarget(Connection c) throws Exception {
        try (java.sql.Statement s = c.createStatement()) {
            for (String ddl : plan.target().schemaDdl()) {
                LOG.info("{}: {}", plan.name(), ddl);
                s.execute(ddl);
            }
        }
    }

    /**
     * Locks the control row and checks the target still matches the version this run diffed against.
     * Returns true when this run is already committed (a retried committer has nothing to do).
     */
    private boolean checkControlRow(Connection c, ControlTable control, CommitOutcome o) throws Exception {
        Optional<ControlTable.State> state = control.read(c, plan.name(), true);
        if (state.isPresent() && state.get().runId().equals(plan.runId())) {
            LOG.info("run {} of {} is already committed", plan.runId(), plan.name());
            o.alreadyCommitted = true;
            return true;
        }
        String current = state.map(ControlTable.State::cacheVersion).orElse(null);
        if (!Objects.equals(current, plan.cache().previousVersion())) {
            throw new IllegalStateException("the target moved while this run was diffing: the control table names cache version "
                    + current + ", this run diffed against " + plan.cache().previousVersion() + "; nothing applied, rerun");
        }
        return false;
    }

    private void writeControlRow(Connection c, ControlTable control, CommitOutcome o) throws Exception {
        control.write(c, new ControlTable.State(plan.name(), plan.target().table().toString(), plan.runId(),
                plan.cacheVersion(), plan.cache().uri(), o.cacheRows, plan.schema().fingerprint(),
                o.inserted, o.updated, o.deleted, Instant.now(), plan.source().table().toString()));
        control.clearPending(c, plan.name());
    }

    /**
     * Fails the table when a staged upsert's JSON key is equal under the target's key equality (jsonb's {@code =}) to a
     * target row or to another staged upsert, while snapsync (comparing json keys by their text) holds them two keys: two
     * source rows would silently be one target row (see {@link MergeSql#keyTextCollisions}). Run after the deletes, so that
     * a change of a key's text alone (the old text a staged delete, gone by then) is no collision; in one transaction the
     * refusal rolls them back with the rest. Only JSON key columns: every other key type's
     * canonical bytes are equal exactly when the target's equality holds (a target key comparing otherwise, citext or a
     * nondeterministic collation, is refused unless accepted as lossy).
     */
    private void requireNoKeyTextCollision(Connection c, MergeSql sql, boolean chunked) throws Exception {
        List<String> jsonKeys = plan.schema().keyColumnList().stream().filter(k -> k.type() == io.snapsync.schema.ColumnType.JSON)
                .map(io.snapsync.schema.Column::name).toList();
        List<WriteResult.StagedPart> upserts = results.stagedNonEmpty(Stage.UPSERTS);
        if (jsonKeys.isEmpty() || upserts.isEmpty()) {
            return;
        }
        List<String> pairs = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.keyTextCollisions(plan.target().staging().upserts(), jsonKeys))) {
            for (int i = 1; i <= 3; i += 2) {
                ps.setArray(i, c.createArrayOf("int4", upserts.stream().map(WriteResult.StagedPart::subtask).toArray(Integer[]::new)));
                ps.setArray(i + 1, c.createArrayOf("int4", upserts.stream().map(WriteResult.StagedPart::attempt).toArray(Integer[]::new)));
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder t = new StringBuilder();
                    StringBuilder s = new StringBuilder();
                    for (int i = 0; i < jsonKeys.size(); i++) {
                        String sep = i == 0 ? "" : ", ";
                        // the columns: the first key's texts, then the staged one's (see MergeSql#keyTextCollisions)
                        t.append(sep).append(jsonKeys.get(i)).append('=').append(rs.getString(i + 1));
                        s.append(sep).append(jsonKeys.get(i)).append('=').append(rs.getString(jsonKeys.size() + i + 1));
                    }
                    pairs.add("(" + s + ") and (" + t + ")");
                }
            }
        }
        if (!pairs.isEmpty()) {
            throw new KeyTextCollisionException("table " + plan.name() + ": the source holds keys that are distinct as text (as snapsync "
                    + "compares json keys) but one key under the target's key equality (jsonb's =): " + String.join("; ", pairs)
                    + "; applied as is, two source rows would become one target row, so "
                    + (chunked ? "no upsert is applied (the delete chunks were; the next run reconciles)" : "nothing is applied")
                    + ". Make the source key unique under jsonb's = (e.g. a unique index on it) or its values' text consistent");
        }
    }

    /** A change set that would merge two source keys into one target row: no retry reads other keys. */
    static final class KeyTextCollisionException extends io.snapsync.fault.NotRetryable {
        KeyTextCollisionException(String message) {
            super(message);
        }
    }

    private static long execute(Connection c, String sql, List<WriteResult.StagedPart> staged) throws Exception {
        if (staged.isEmpty()) {
            return 0;
        }
        Integer[] parts = staged.stream().map(WriteResult.StagedPart::subtask).toArray(Integer[]::new);
        Integer[] tries = staged.stream().map(WriteResult.StagedPart::attempt).toArray(Integer[]::new);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("int4", parts));
            ps.setArray(2, c.createArrayOf("int4", tries));
            return ps.executeLargeUpdate();
        }
    }

    private void dropStaging() {
        try (Connection c = plan.target().endpoint().connect()) {
            StagingTables.drop(c, plan.target().staging().upserts(), plan.target().staging().deletes());
            if (plan.mode() instanceof TablePlan.Resync r && r.parts() != null) {
                StagingTables.drop(c, r.parts());
            }
        } catch (Exception e) {
            LOG.warn("could not drop staging tables of run {} (a later run removes them): {}", plan.runId(), e.getMessage());
        }
    }
}
