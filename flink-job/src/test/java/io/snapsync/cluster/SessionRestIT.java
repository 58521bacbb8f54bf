package io.snapsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * (b) A session cluster driven through its REST API, as the web UI's submit does: the cluster jar uploaded
 * once (/jars/upload), then run (/jars/:id/run, main runs detached inside the JobManager) on day 1, day 2
 * and day 3, all on the same TaskManager with restart-attempts 0 (nothing hides behind a retry). Day 3 has
 * bad data in table b: b fails alone, a commits, the job ends FAILED; the cluster stays up throughout.
 */
class SessionRestIT extends SessionClusterTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void restRunsTwiceOnOneTaskManagerThenBadDataFailsOnlyItsTable() throws Exception {
        try (TwoTables t = new TwoTables(pg, Files.createDirectories(tmp.resolve("data")))) {
            String jar = cluster.uploadJar(cluster.home.resolve("usrlib").resolve("snapsync.jar"));

            String day1 = run(jar, t);
            assertThat(cluster.awaitJob(day1, Duration.ofMinutes(4))).as("%s", cluster.logs()).isEqualTo("FINISHED");
            t.awaitLocksReleased(); // held by main's connections in the JobManager until the job ended
            assertThat(t.inSync("a")).isTrue();
            assertThat(t.inSync("b")).isTrue();

            t.day2();
            String day2 = run(jar, t);
            assertThat(cluster.awaitJob(day2, Duration.ofMinutes(4))).as("%s", cluster.logs()).isEqualTo("FINISHED");
            t.awaitLocksReleased();
            assertThat(t.inSync("a")).isTrue();
            assertThat(t.inSync("b")).isTrue();
            JsonNode r2 = JSON.readTree(t.lastReport());
            assertThat(r2.get("jobId").asText()).isEqualTo(day2);
            assertThat(r2.get("status").asText()).isEqualTo("committed");

            List<String> bBefore = TwoTables.rows(t.target, "b");
            t.badDataInB();
            String day3 = run(jar, t);
            assertThat(cluster.awaitJob(day3, Duration.ofMinutes(4))).as("a table failed: the job fails").isEqualTo("FAILED");
            assertThat(t.inSync("a")).as("a committed in the failed job").isTrue();
            assertThat(TwoTables.rows(t.target, "b")).as("b untouched").isEqualTo(bBefore);
            JsonNode r3 = JSON.readTree(t.lastReport());
            assertThat(r3.get("jobId").asText()).isEqualTo(day3);
            assertThat(r3.get("tables").get(0).get("status").asText()).isEqualTo("committed");
            assertThat(r3.get("tables").get(1).get("status").asText()).isEqualTo("failed");
            assertThat(r3.get("tables").get(1).get("error").asText()).contains("(id=5)");
            assertThat(cluster.get("/jobs/" + day3 + "/exceptions").toString()).contains("table b failed");
            assertThat(t.stagingTables()).isZero();
            assertThat(cluster.get("/jobs/overview").get("jobs")).as("one job per run").hasSize(3);
            assertThat(cluster.alive()).as("%s", cluster.logs()).isTrue();
        }
    }

    private static String run(String jar, TwoTables t) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("entryClass", "io.snapsync.cli.Main",
                "programArgsList", List.of("sync", "--config", t.config.toString())));
        return cluster.post("/jars/" + jar + "/run", body).get("jobid").asText();
    }
}
