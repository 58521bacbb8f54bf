package io.snapsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.config.RuntimeProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (d) The Managed Service for Apache Flink entry: application mode with NO program arguments, the config
 * taken from the runtime properties (the JSON MSF writes to /etc/flink/application_properties.json, here
 * pointed at with SNAPSYNC_RUNTIME_PROPERTIES), the YAML inline in property group "snapsync". Day 1 and
 * day 2, each one job, FINISHED, both tables equal to the source, the JobManager still up.
 */
class ManagedFlinkIT extends ClusterTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void noArgumentsConfigFromRuntimePropertiesDayOneAndTwo() throws Exception {
        try (TwoTables t = new TwoTables(pg, tmp)) {
            Path props = tmp.resolve("application_properties.json");
            JSON.writeValue(props.toFile(), List.of(Map.of("PropertyGroupId", RuntimeProperties.GROUP,
                    "PropertyMap", Map.of("config", Files.readString(t.config), "command", "sync"))));
            Files.delete(t.config); // only the runtime properties hold the config

            runDay(t, props, "day1");
            t.day2();
            JsonNode day2 = runDay(t, props, "day2");
            assertThat(day2.get("tables").get(1).get("deleted").asLong()).isEqualTo(100);
        }
    }

    private JsonNode runDay(TwoTables t, Path props, String day) throws Exception {
        try (FlinkCluster c = FlinkCluster.application(tmp.resolve(day), Map.of("execution.shutdown-on-application-finish", "false"),
                Map.of(RuntimeProperties.FILE_ENV, props.toString()), "io.snapsync.cli.Main", List.of())) {
            c.awaitTaskManager();
            String[] job = c.awaitOnlyJob(Duration.ofMinutes(4));
            assertThat(job[1]).as("%s", c.logs()).isEqualTo("FINISHED");
            assertThat(t.inSync("a")).as("a == source after %s", day).isTrue();
            assertThat(t.inSync("b")).as("b == source after %s", day).isTrue();
            JsonNode report = JSON.readTree(t.lastReport());
            assertThat(report.get("jobId").asText()).isEqualTo(job[0]);
            assertThat(report.get("status").asText()).isEqualTo("committed");
            Thread.sleep(1000);
            assertThat(c.alive()).as("%s", c.logs()).isTrue();
            return report;
        }
    }
}
