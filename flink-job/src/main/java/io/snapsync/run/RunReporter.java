package io.snapsync.run;

import io.snapsync.commit.CommitOutcome;
import io.snapsync.config.JdbcEndpoint;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.task.Errors;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last operator of a run's one job (parallelism 1): receives every table's committer outcome,
 * completes the report that planning began (plan-time failures are already in it), writes it beside
 * the cache ({@code <cache>/_snapsync-runs/<run id>.json}) and into the control schema's
 * {@code sync_runs}, then fails the job when any table failed, so the job's final state says so
 * whoever launched it (CLI, operator, Managed Flink, REST) and whether or not anyone waits for it.
 */
public final class RunReporter extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<CommitOutcome, Void>, BoundedOneInput {
    private static final Logger LOG = LoggerFactory.getLogger(RunReporter.class);
    /** The finished report's JSON, for a client that waits for the job (dry runs have no other copy). */
    public static final String REPORT_ACCUMULATOR = "snapsync.report";
    public static final String RUNS_DIR = "_snapsync-runs";

    private final String plannedReport;
    private final long planEndedMillis;
    private final String cacheUri;
    private final JdbcEndpoint target;
    private final String controlSchema;
    private final boolean dryRun;
    private transient Map<String, CommitOutcome> outcomes;

    /**
     * @param plannedReport the report as planning left it (JSON): tables whose status is null were planned and
     *     get their committer's outcome; the others failed before the job
     */
    public RunReporter(String plannedReport, long planEndedMillis, String cacheUri, JdbcEndpoint target, String controlSchema,
                       boolean dryRun) {
        this.plannedReport = plannedReport;
        this.planEndedMillis = planEndedMillis;
        this.cacheUri = cacheUri;
        this.target = target;
        this.controlSchema = controlSchema;
        this.dryRun = dryRun;
    }

    public static Path reportPath(String cacheUri, String runId) {
        String root = cacheUri.endsWith("/") ? cacheUri.substring(0, cacheUri.length() - 1) : cacheUri;
        return new Path(root + "/" + RUNS_DIR + "/" + runId + ".json");
    }

    @Override
    public void open() throws Exception {
        super.open();
        outcomes = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<CommitOutcome> record) {
        outcomes.put(record.getValue().table, record.getValue());
    }

    @Override
    public void endInput() throws Exception {
        RunReport r = RunReport.parse(plannedReport);
        Instant now = Instant.now();
        r.jobId = getRuntimeContext().getJobInfo().getJobId().toString();
        boolean planned = false;
        for (TableReport t : r.tables) {
            if (t.status != null) {
                continue; // failed while planning
            }
            planned = true;
            t.jobMillis = now.toEpochMilli() - planEndedMillis;
            CommitOutcome o = outcomes.get(t.name);
            if (o == null) {
                t.status = "failed";
                t.error = "the committer reported no outcome";
            } else {
                t.apply(o, dryRun);
            }
        }
        r.finishedAt = now.toString();
        r.totalMillis = now.toEpochMilli() - Instant.parse(r.startedAt).toEpochMilli();
        r.status = r.anyFailed() ? "failed" : dryRun ? "dry-run" : "committed";
        if (!dryRun && planned) {
            // planning reached the cache and the target: both are writable (a dry run writes neither)
            Path file = reportPath(cacheUri, r.runId);
            r.reportUri = file.toString();
            try (OutputStream out = file.getFileSystem().create(file, FileSystem.WriteMode.OVERWRITE)) {
                out.write(r.toJson().getBytes(StandardCharsets.UTF_8));
            }
        }
        String json = r.toJson();
        if (!dryRun) {
            try (Connection c = target.connect("target")) {
                new ControlTable(controlSchema).writeRun(c, r.runId, Instant.parse(r.startedAt), now, r.status, json);
            } catch (Exception e) {
                if (planned) {
                    throw e; // transient: Flink retries this task, the writes above are idempotent
                }
                LOG.warn("run {}: could not record the report in the target: {}", r.runId, Errors.describe(e));
            }
        }
        getRuntimeContext().addAccumulator(REPORT_ACCUMULATOR, new ListAccumulator<String>());
        getRuntimeContext().<String, java.util.ArrayList<String>>getAccumulator(REPORT_ACCUMULATOR).add(json);
        for (TableReport t : r.tables) {
            LOG.info("run {}: table {}: {}{}", r.runId, t.name, t.status, t.error == null ? "" : ": " + t.error);
        }
        if (r.anyFailed() && !dryRun) {
            // no restart: the report is written and the committed tables stay committed
            throw new SuppressRestartsException(new RunFailedException("run " + r.runId + ": "
                    + r.tables.stream().filter(t -> "failed".equals(t.status)).map(t -> "table " + t.name + " failed: " + t.error)
                    .reduce((a, b) -> a + "; " + b).orElse("")));
        }
    }

    /** A table of the run failed; the job ends FAILED after the other tables committed. */
    public static final class RunFailedException extends RuntimeException {
        public RunFailedException(String message) {
            super(message);
        }
    }
}
