package io.snapsync.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code --report} file: {@code {"tables":[...], ...}}. */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String runId;
    /** The run's one Flink job. */
    public String jobId;
    public String startedAt;
    public String finishedAt;
    public long totalMillis;
    /** "committed" (every table), "failed" (some table), "dry-run", or "submitted" (detached: the job writes the report). */
    public String status;
    /** Where the job wrote this report beside the cache (absent for dry runs and when no table got as far as planning). */
    public String reportUri;
    public List<TableReport> tables = new ArrayList<>();

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean allCommitted() {
        return !tables.isEmpty() && tables.stream().allMatch(t -> "committed".equals(t.status) || "dry-run".equals(t.status));
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), this);
    }

    public String toJson() throws IOException {
        return JSON.writeValueAsString(this);
    }

    public static RunReport parse(String json) throws IOException {
        return JSON.readValue(json, RunReport.class);
    }

    public boolean anyFailed() {
        return tables.stream().anyMatch(t -> "failed".equals(t.status));
    }
}
