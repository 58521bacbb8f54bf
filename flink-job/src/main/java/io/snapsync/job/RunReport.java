package io.snapsync.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code --report} file: {@code {"tables":[...], ...}}. */
public class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String runId;
    public String startedAt;
    public long totalMillis;
    public List<TableReport> tables = new ArrayList<>();

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
}
