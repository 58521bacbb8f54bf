package io.snapsync.job;

import io.snapsync.commit.CommitHook;
import io.snapsync.commit.CommitOutcome;
import io.snapsync.commit.TableLock;
import io.snapsync.config.ConfigException;
import io.snapsync.config.SyncConfig;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import io.snapsync.commit.SyncCommitter;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one daily sync: for each table in turn, plan, run its Flink job, collect the committer's
 * outcome. A table that fails does not stop the others; the report says which committed.
 */
public final class SyncRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRunner.class);

    private final SyncConfig config;
    private final CommitHook hook;
    private final boolean allowMassChange;
    private final boolean dryRun;
    private boolean reconcile;
    private boolean resync;

    public SyncRunner(SyncConfig config) {
        this(config, CommitHook.NONE, false);
    }

    public SyncRunner(SyncConfig config, CommitHook hook, boolean allowMassChange) {
        this(config, hook, allowMassChange, false);
    }

    public SyncRunner(SyncConfig config, CommitHook hook, boolean allowMassChange, boolean dryRun) {
        this.config = config;
        this.hook = hook;
        this.allowMassChange = allowMassChange;
        this.dryRun = dryRun;
    }

    /** Diff against the live target tables instead of the cache (repairs drift, adopts filled tables). */
    public SyncRunner reconcile(boolean value) {
        this.reconcile = value;
        return this;
    }

    /** Load the whole snapshot into a new table and swap it in for the live one (see commit.ShadowSwap). */
    public SyncRunner resync(boolean value) {
        this.resync = value;
        return this;
    }

    public RunReport run(String onlyTable) {
        List<SyncConfig.Table> tables = config.tables().stream()
                .filter(t -> onlyTable == null || t.name().equals(onlyTable)).toList();
        if (tables.isEmpty()) {
            throw new ConfigException("no table named '" + onlyTable + "' in the config");
        }
        int parallelism = config.jobOrDefaults().parallelism() != null ? config.jobOrDefaults().parallelism()
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        Configuration flinkConf = FlinkSetup.configuration(config, parallelism);
        FlinkSetup.initializeFileSystems(flinkConf);

        Instant started = Instant.now();
        RunReport report = new RunReport();
        report.runId = RunIds.next(started);
        report.startedAt = started.toString();
        for (SyncConfig.Table table : tables) {
            report.tables.add(runTable(table, report.runId, flinkConf, parallelism));
        }
        report.totalMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
        return report;
    }

    private TableReport runTable(SyncConfig.Table table, String runId, Configuration flinkConf, int parallelism) {
        TableReport r = new TableReport();
        r.name = table.name();
        r.runId = runId;
        long t0 = System.currentTimeMillis();
        TablePlan plan = null;
        try (TableLock lock = TableLock.acquire(config.target().endpoint(), table.name(), runId)) {
            plan = new TablePlanner(config, parallelism, allowMassChange, dryRun).reconcile(reconcile).resync(resync).plan(table, runId);
            r.previousCacheVersion = plan.previousVersion();
            r.reconcile = plan.reconcileReason();
            r.schemaChange = plan.schemaChange();
            r.schemaDdl = plan.schemaDdl().isEmpty() ? null : plan.schemaDdl();
            r.resync = plan.resyncReason();
            if (plan.reconcile()) {
                LOG.info("{}: {}", table.name(), plan.reconcileReason());
            }
            r.planMillis = System.currentTimeMillis() - t0;
            long t1 = System.currentTimeMillis();
            StreamExecutionEnvironment env = FlinkSetup.environment(flinkConf, parallelism);
            SyncPipeline.build(env, plan, hook).sinkTo(new DiscardingSink<>()).name("outcome").setParallelism(1);
            JobExecutionResult result = env.execute("snapsync " + table.name() + " " + runId);
            List<CommitOutcome> outcomes = result.getAccumulatorResult(SyncCommitter.OUTCOME_ACCUMULATOR);
            if (outcomes == null) {
                outcomes = List.of();
            }
            r.jobMillis = System.currentTimeMillis() - t1;
            if (outcomes.size() != 1) {
                throw new IllegalStateException("the committer reported " + outcomes.size() + " outcomes, expected 1");
            }
            CommitOutcome o = outcomes.get(0);
            r.status = dryRun ? "dry-run" : "committed";
            if (dryRun) {
                r.samples = o.samples == null || o.samples.isEmpty() ? List.of() : List.of(o.samples.split("\n"));
                r.wouldBeRefused = o.guardViolation;
            }
            r.cacheVersion = o.cacheVersion;
            r.snapshotRows = o.snapshotRows;
            r.inserted = o.inserted;
            r.updated = o.updated;
            r.deleted = o.deleted;
            r.appliedUpserts = o.appliedUpserts;
            r.appliedDeletes = o.appliedDeletes;
            r.alreadyCommitted = o.alreadyCommitted ? true : null;
            r.chunks = o.chunks > 0 ? o.chunks : null;
            r.duplicateKeys = o.duplicateKeys > 0 ? o.duplicateKeys : null;
            r.nullKeyRows = o.nullKeyRows > 0 ? o.nullKeyRows : null;
            r.nulFixedRows = o.nulFixedRows > 0 ? o.nulFixedRows : null;
            r.issueSamples = o.issueSamples == null || o.issueSamples.isEmpty() ? null : List.of(o.issueSamples.split("\n"));
            r.resyncNotes = o.resyncNotes == null ? null : List.of(o.resyncNotes.split("\n"));
            r.commitMillis = o.commitMillis;
            LOG.info("{}: committed cache version {}: {} rows, +{} ~{} -{}", table.name(), o.cacheVersion, o.snapshotRows,
                    o.inserted, o.updated, o.deleted);
        } catch (Exception e) {
            r.status = "failed";
            r.error = Errors.describe(e);
            LOG.error("{}: sync failed: {}", table.name(), r.error);
            LOG.debug("{}: failure detail", table.name(), e);
            if (plan != null && !plan.dryRun()) {
                dropStaging(plan);
            }
            if (plan != null) {
                io.snapsync.unload.Unloads.deleteQuietly(plan.unload()); // else the next run of the table removes them
            }
        }
        return r;
    }

    /** The target transaction either committed (and dropped these) or never happened: they are garbage now. */
    private static void dropStaging(TablePlan plan) {
        try (Connection c = plan.target().connect()) {
            StagingTables.drop(c, plan.upsertStaging(), plan.deleteStaging());
            if (plan.resync()) {
                StagingTables.drop(c, plan.shadowTable()); // unless it was swapped in (then it has the live name)
            }
        } catch (Exception e) {
            LOG.warn("could not drop staging tables of run {}: {}", plan.runId(), e.getMessage());
        }
    }
}
