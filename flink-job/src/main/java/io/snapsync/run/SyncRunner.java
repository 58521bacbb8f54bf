package io.snapsync.run;

import io.snapsync.pipeline.SyncPipeline;
import io.snapsync.plan.TablePlanner;
import io.snapsync.commit.CommitOutcome;
import io.snapsync.commit.SyncCommitter;
import io.snapsync.targetdb.TableLock;
import io.snapsync.config.ConfigException;
import io.snapsync.config.SyncConfig;
import io.snapsync.fault.CommitHook;
import io.snapsync.plan.TablePlan;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.task.Attempts;
import io.snapsync.task.Errors;
import io.snapsync.task.Progress;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one daily sync as ONE Flink job: plans every table here (JDBC, holding each table's lock), builds
 * one job with an independent subgraph and committer per table and a final report operator
 * ({@link RunReporter}), and submits it once. Everything correctness needs happens inside the job; an
 * attached client only reads the report back. A table that fails does not stop the others.
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
        StreamExecutionEnvironment env = FlinkSetup.environment(flinkConf, parallelism);
        // a local run's MiniCluster starts while the tables are planned; closed below unless the job took it
        try (EarlyMiniCluster early = EarlyMiniCluster.startFor(env, parallelism)) {
            if (early != null) {
                env = FlinkSetup.configure(early.environment(Thread.currentThread().getContextClassLoader()), parallelism);
            }
            return run(tables, env, report, started);
        }
    }

    private RunReport run(List<SyncConfig.Table> tables, StreamExecutionEnvironment env, RunReport report, Instant started) {
        int attempts = config.jobOrDefaults().restartAttempts() == null ? 2 : config.jobOrDefaults().restartAttempts();
        Attempts.configure(env, attempts);
        // the locks stay held (by this JVM's connections) until the job ends, see Locks
        Locks locks = new Locks();
        List<TablePlan> plans = planAll(tables, report, locks);
        long planEnded = System.currentTimeMillis();
        buildJob(env, plans, report, planEnded);

        JobClient client;
        try {
            client = env.executeAsync(jobName(tables, report.runId));
        } catch (Exception e) {
            locks.close();
            throw new IllegalStateException("could not submit the run's job: " + Errors.describe(e), e);
        }
        report.jobId = client.getJobID().toString();
        LOG.info("run {}: job {} submitted with {} table(s)", report.runId, report.jobId, plans.size());
        if (!env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
            // detached (application mode, REST): main returns now; this JVM runs on (a JobManager) and keeps the locks until the job ends
            JobEnd.of(client, env.getConfiguration()).whenComplete((r, e) -> locks.close());
            warmUp(config.target().endpoint());
            report.status = "submitted";
            return report;
        }
        try {
            JobExecutionResult done = awaitShowingProgress(client, plans, started);
            List<String> json = done.getAccumulatorResult(RunReporter.REPORT_ACCUMULATOR);
            if (json == null || json.size() != 1) {
                throw new IllegalStateException("the job ended without a report");
            }
            return RunReport.parse(json.get(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for job " + report.jobId, e);
        } catch (Exception e) {
            return stored(report.runId).orElseGet(() -> jobFailed(report, plans, e));
        } finally {
            locks.close();
        }
    }

    /** Plans every table in turn, each with its report entry; a table whose planning fails is in the report, not the job. */
    private List<TablePlan> planAll(List<SyncConfig.Table> tables, RunReport report, Locks locks) {
        List<TablePlan> plans = new ArrayList<>();
        for (SyncConfig.Table table : tables) {
            TableReport r = new TableReport();
            r.name = table.name();
            r.runId = report.runId;
            report.tables.add(r);
            plan(table, r, locks).ifPresent(plans::add);
        }
        return plans;
    }

    /** The run's one job: a subgraph per planned table, their outcomes into one report operator. */
    private void buildJob(StreamExecutionEnvironment env, List<TablePlan> plans, RunReport report, long planEnded) {
        String planned;
        try {
            planned = report.toJson();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        DataStream<CommitOutcome> outcomes = noOutcomes(env);
        // at most job.concurrent-tables tables read their source at once (see io.snapsync.gate)
        io.snapsync.gate.ReadGate gate = io.snapsync.gate.ReadGate.of(report.runId, config.jobOrDefaults().concurrentTablesOrDefault(),
                plans.size());
        for (TablePlan plan : plans) {
            outcomes = outcomes.union(SyncPipeline.build(env, plan, hook, gate,
                    io.snapsync.cache.Compaction.of(config.cache().compactAt(), config.cache().compactLayers())));
        }
        outcomes.transform("report", TypeInformation.of(Void.class), new RunReporter(planned, planEnded, config.cache().uri(),
                        config.target().endpoint(), config.target().controlSchemaOrDefault(), dryRun))
                .setParallelism(1).setMaxParallelism(1)
                .sinkTo(new DiscardingSink<>()).name("end").setParallelism(1);
    }

    /**
     * Waits for the job, showing its progress: a line redrawn every 2 s on a terminal, a log line every
     * 30 s otherwise (so logs and CI output stay short).
     */
    private static JobExecutionResult awaitShowingProgress(JobClient client, List<TablePlan> plans, Instant started)
            throws Exception {
        boolean terminal = System.console() != null;
        long every = terminal ? 2 : 30;
        Progress progress = new Progress(plans.stream().map(p -> new Progress.Table(p.name(), p.source().expectedRows())).toList());
        CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
        boolean drawn = false;
        while (true) {
            try {
                JobExecutionResult r = result.get(every, TimeUnit.SECONDS);
                if (drawn) {
                    System.err.print("\r\033[K"); // clear the progress line before the results are printed
                }
                return r;
            } catch (TimeoutException running) {
                Map<String, Object> acc;
                try {
                    acc = client.getAccumulators().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    continue; // progress is best effort
                }
                String line = progress.line(acc, Duration.between(started, Instant.now()));
                if (terminal) {
                    System.err.print("\r\033[K" + line);
                    System.err.flush();
                    drawn = true;
                } else {
                    LOG.info("progress {}", line);
                }
            }
        }
    }

    /**
     * A REST submission closes main's class loader when main returns, so classes the lock release needs
     * later must be loaded now: opening and closing a connection loads the driver's close path.
     */
    private static void warmUp(io.snapsync.config.JdbcEndpoint target) {
        try (Connection c = target.connect("target")) {
            c.isValid(5);
        } catch (Exception e) {
            LOG.debug("warm-up connection failed", e);
        }
    }

    /** Takes the table's lock and plans it; a failure here fails only this table (its report says why). */
    private java.util.Optional<TablePlan> plan(SyncConfig.Table table, TableReport r, Locks locks) {
        long t0 = System.currentTimeMillis();
        TableLock lock = null;
        try {
            lock = TableLock.acquire(config.target().endpoint(), table.name(), r.runId);
            TablePlan plan = new TablePlanner(config, parallelismOf(), allowMassChange, dryRun)
                    .reconcile(reconcile).resync(resync).plan(table, r.runId);
            r.previousCacheVersion = plan.cache().previousVersion();
            r.reconcile = plan.mode() instanceof TablePlan.Reconcile rc ? rc.reason() : null;
            r.keyedDiff = SyncPipeline.keyedReason(plan);
            r.unloadSort = plan.source().unload() != null ? plan.source().unload().sortNote() : null;
            r.schemaChange = plan.target().schemaChange();
            r.schemaDdl = plan.target().schemaDdl().isEmpty() ? null : plan.target().schemaDdl();
            r.resync = plan.mode() instanceof TablePlan.Resync rs && !rs.firstLoad() ? rs.reason() : null;
            if (!dryRun && !table.acceptLossyColumnsOrEmpty().isEmpty()) {
                r.acceptedLossyColumns = new java.util.TreeMap<>(table.acceptLossyColumnsOrEmpty());
            }
            if (r.reconcile != null) {
                LOG.info("{}: {}", table.name(), r.reconcile);
            }
            r.planMillis = System.currentTimeMillis() - t0;
            locks.add(lock);
            return java.util.Optional.of(plan);
        } catch (Exception e) {
            r.status = "failed";
            r.error = Errors.describe(e);
            r.planMillis = System.currentTimeMillis() - t0;
            LOG.error("{}: sync failed: {}", table.name(), r.error);
            LOG.debug("{}: failure detail", table.name(), e);
            if (lock != null) {
                Locks.closeQuietly(lock);
            }
            return java.util.Optional.empty();
        }
    }

    private int parallelismOf() {
        return config.jobOrDefaults().parallelism() != null ? config.jobOrDefaults().parallelism()
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** The report the job recorded in the control schema (it failed the job after writing it). */
    private java.util.Optional<RunReport> stored(String runId) {
        if (dryRun) {
            return java.util.Optional.empty();
        }
        try (Connection c = TablePlanner.connect(config.target().endpoint(), "target")) {
            java.util.Optional<String> json = new io.snapsync.targetdb.ControlTable(config.target().controlSchemaOrDefault()).readRun(c, runId);
            return json.isPresent() ? java.util.Optional.of(RunReport.parse(json.get())) : java.util.Optional.empty();
        } catch (Exception e) {
            LOG.warn("run {}: could not read its report from the target: {}", runId, Errors.describe(e));
            return java.util.Optional.empty();
        }
    }

    /**
     * The job failed before its report was written (a failure Flink retried until its restarts ran out):
     * every planned table failed. Dropping their staging tables here is a courtesy; the next run of each
     * table removes leftovers anyway.
     */
    private RunReport jobFailed(RunReport report, List<TablePlan> plans, Exception e) {
        String error = Errors.describe(e);
        for (TableReport t : report.tables) {
            if (t.status == null) {
                t.status = "failed";
                t.error = error;
                LOG.error("{}: sync failed: {}", t.name, error);
            }
        }
        LOG.debug("run {}: failure detail", report.runId, e);
        for (TablePlan plan : plans) {
            if (!plan.dryRun()) {
                dropStaging(plan);
            }
            io.snapsync.unload.Unloads.deleteQuietly(plan.source().unload()); // else the next run of the table removes them
        }
        report.status = "failed";
        report.finishedAt = Instant.now().toString();
        report.totalMillis = Instant.now().toEpochMilli() - Instant.parse(report.startedAt).toEpochMilli();
        return report;
    }

    /** "snapsync orders,items 20261124T013000Z-3f9a1c": the tables as the web UI's job list shows them. */
    static String jobName(List<SyncConfig.Table> tables, String runId) {
        String names = String.join(",", tables.stream().map(SyncConfig.Table::name).toList());
        return "snapsync " + (names.length() > 80 ? names.substring(0, 77) + "..." : names) + " " + runId;
    }

    /** A bounded stream with no element: the report operator's input when no table got past planning. */
    private static DataStream<CommitOutcome> noOutcomes(StreamExecutionEnvironment env) {
        // (fromData with an empty list fails at run time in Flink 2.2; one filtered-out element is an empty bounded stream)
        return env.fromSequence(0, 0).filter(x -> false).name("no table").setParallelism(1)
                .map(x -> new CommitOutcome()).returns(CommitOutcome.class).name("no table").setParallelism(1);
    }

    /** The table locks of one run, released together when its job ends (or by the death of this JVM). */
    static final class Locks {
        private final List<TableLock> held = new ArrayList<>();

        synchronized void add(TableLock lock) {
            held.add(lock);
        }

        synchronized void close() {
            held.forEach(Locks::closeQuietly);
            held.clear();
        }

        static void closeQuietly(TableLock lock) {
            try {
                lock.close();
            } catch (Throwable e) { // also a class the closed user class loader cannot load any more
                LOG.warn("could not release a table lock (ending the session releases it): {}", e.toString());
            }
        }
    }

    /** The target transaction either committed (and dropped these) or never happened: they are garbage now. */
    private static void dropStaging(TablePlan plan) {
        try (Connection c = plan.target().endpoint().connect()) {
            StagingTables.drop(c, plan.target().staging().upserts(), plan.target().staging().deletes());
            if (plan.mode() instanceof TablePlan.Resync rs) {
                StagingTables.drop(c, rs.tables()); // unless it was swapped in (then it has the live name)
            }
        } catch (Exception e) {
            LOG.warn("could not drop staging tables of run {}: {}", plan.runId(), e.getMessage());
        }
    }
}
