package io.snapsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.snapsync.testing.GateLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (a) Application mode as the Flink Kubernetes Operator runs it: StandaloneApplicationClusterEntryPoint
 * with the job id fixed ({@code $internal.pipeline.job-id}), main run detached inside the JobManager,
 * the JobManager kept after the job ends (the operator observes the final state). Day 1, then day 2 on a
 * new cluster with the same job id: each run is one job, FINISHED, both tables equal to the source, the
 * report in the control schema, and the JobManager still up (main never calls System.exit). With
 * {@code job.concurrent-tables: 1} the two tables' source reads take turns, as the JobManager's log of the read
 * gate shows (the enumerators there, the readers in the TaskManager's JVM).
 */
class ApplicationModeIT extends ClusterTestBase {
    static final String JOB_ID = "5a5a5a5a000000000000000000000001";

    @TempDir
    Path tmp;

    @Test
    void eachDayIsOneJobWithTheFixedIdAndTheJobManagerSurvives() throws Exception {
        try (TwoTables t = new TwoTables(pg, tmp, ", concurrent-tables: 1")) {
            JsonNode day1 = runDay(t, "day1");
            assertThat(day1.get("tables").get(0).get("inserted").asLong()).isEqualTo(3000);
            assertThat(day1.get("tables").get(1).get("inserted").asLong()).isEqualTo(2000);

            t.day2();
            JsonNode day2 = runDay(t, "day2");
            assertThat(day2.get("tables").get(0).get("updated").asLong()).isPositive();
            assertThat(day2.get("tables").get(1).get("deleted").asLong()).isEqualTo(100);
            assertThat(t.stagingTables()).isZero();
        }
    }

    private JsonNode runDay(TwoTables t, String day) throws Exception {
        try (FlinkCluster c = FlinkCluster.application(tmp.resolve(day), Map.of(
                        "$internal.pipeline.job-id", JOB_ID,
                        "execution.shutdown-on-application-finish", "false"),
                "io.snapsync.cli.Main", List.of("sync", "--config", t.config.toString()))) {
            c.awaitTaskManager();
            assertThat(c.awaitJob(JOB_ID, Duration.ofMinutes(4))).as("%s", c.logs()).isEqualTo("FINISHED");
            assertThat(c.get("/jobs/overview").get("jobs")).as("one job per run").hasSize(1);
            assertThat(t.inSync("a")).as("a == source after %s", day).isTrue();
            assertThat(t.inSync("b")).as("b == source after %s", day).isTrue();
            String gate = c.log("jobmanager.log");
            assertThat(GateLog.reads(gate)).as("each table's read began and ended once: %s", c.logs()).isEqualTo(Map.of("a", "1/1", "b", "1/1"));
            assertThat(GateLog.tablesReadingAtOnce(gate)).isEqualTo(1);
            JsonNode report = new ObjectMapper().readTree(t.lastReport());
            assertThat(report.get("status").asText()).isEqualTo("committed");
            assertThat(report.get("jobId").asText()).isEqualTo(JOB_ID);
            Thread.sleep(1000); // a System.exit in main would end the JobManager by now
            assertThat(c.alive()).as("the JobManager outlives the job: %s", c.logs()).isTrue();
            return report;
        }
    }
}
