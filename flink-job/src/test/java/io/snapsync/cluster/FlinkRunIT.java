package io.snapsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * (c) {@code flink run} attached against a session cluster (CliFrontend in its own JVM, main in that
 * client): the exit code and the {@code --report} file are the run's outcome, read back from what the job
 * recorded. Day 1 and day 2 exit 0 with both tables equal to the source; day 3 (bad data in b) exits
 * non-zero with b failed and a committed; the cluster stays up.
 */
class FlinkRunIT extends SessionClusterTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void flinkRunExitsWithTheRunsOutcomeAndWritesItsReport() throws Exception {
        try (TwoTables t = new TwoTables(pg, Files.createDirectories(tmp.resolve("data")))) {
            Path report = tmp.resolve("report.json");
            FlinkCluster.Result day1 = flinkRun(t, report);
            assertThat(day1.exitCode()).as(day1.output()).isZero();
            assertThat(JSON.readTree(report.toFile()).get("status").asText()).isEqualTo("committed");
            assertThat(t.inSync("a")).isTrue();
            assertThat(t.inSync("b")).isTrue();

            t.day2();
            FlinkCluster.Result day2 = flinkRun(t, report);
            assertThat(day2.exitCode()).as(day2.output()).isZero();
            JsonNode r2 = JSON.readTree(report.toFile());
            assertThat(r2.get("tables").get(1).get("deleted").asLong()).isEqualTo(100);
            assertThat(t.inSync("a")).isTrue();
            assertThat(t.inSync("b")).isTrue();

            t.badDataInB();
            FlinkCluster.Result day3 = flinkRun(t, report);
            assertThat(day3.exitCode()).as(day3.output()).isNotZero();
            assertThat(day3.output()).contains("table b failed");
            JsonNode r3 = JSON.readTree(report.toFile());
            assertThat(r3.get("status").asText()).isEqualTo("failed");
            assertThat(r3.get("tables").get(0).get("status").asText()).isEqualTo("committed");
            assertThat(r3.get("tables").get(1).get("status").asText()).isEqualTo("failed");
            assertThat(cluster.get("/jobs/" + r3.get("jobId").asText()).get("state").asText()).isEqualTo("FAILED");
            assertThat(t.inSync("a")).isTrue();
            assertThat(cluster.alive()).as("%s", cluster.logs()).isTrue();
        }
    }

    private static FlinkCluster.Result flinkRun(TwoTables t, Path report) throws Exception {
        return cluster.flinkRun(List.of(cluster.home.resolve("usrlib").resolve("snapsync.jar").toString(),
                "sync", "--config", t.config.toString(), "--report", report.toString()));
    }
}
