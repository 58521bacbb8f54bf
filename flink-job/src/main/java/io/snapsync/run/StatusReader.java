package io.snapsync.run;

import io.snapsync.cache.CacheLayout;
import io.snapsync.config.SyncConfig;
import io.snapsync.plan.Leftovers;
import io.snapsync.plan.TablePlanner;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.TargetCatalog;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** {@code snapsync status}: per table, the last committed run and what failed runs left behind. */
public final class StatusReader {
    private StatusReader() {}

    /** One table's state. */
    /**
     * @param unfinishedApply a chunked apply that began and did not finish (the next run reconciles)
     * @param leftoverShadowTables resync shadow tables of runs that died before their swap
     */
    public record TableStatus(String table, Optional<ControlTable.State> committed, List<String> leftoverStagingTables,
                              List<String> uncommittedCacheVersions, Optional<ControlTable.Pending> unfinishedApply,
                              List<String> leftoverShadowTables) {}

    /** Reads only: a target that was never synced has no control tables, and gets none. */
    public static List<TableStatus> read(SyncConfig config) throws SQLException, IOException {
        ControlTable control = new ControlTable(config.target().controlSchemaOrDefault());
        CacheLayout layout = new CacheLayout(config.cache().uri());
        List<TableStatus> out = new ArrayList<>();
        try (Connection c = TablePlanner.connect(config.target().endpoint(), "target")) {
            boolean synced = TargetCatalog.exists(c, io.snapsync.schema.TableName.parse(control.state()));
            for (SyncConfig.Table t : config.tables()) {
                Optional<ControlTable.State> st = synced ? control.read(c, t.name(), false) : Optional.empty();
                List<String> committed = synced ? control.committedVersions(c, t.name()) : List.of();
                out.add(new TableStatus(t.name(), st, StagingTables.ofTable(c, config.target().stagingSchemaOrDefault(), t.name()),
                        uncommittedVersions(layout, t.name(), committed), control.readPending(c, t.name()),
                        Leftovers.shadowTables(c, io.snapsync.schema.TableName.parse(t.target()))));
            }
        }
        return out;
    }

    /** The newest run's report, as its job recorded it in the control schema. */
    public static Optional<RunReport> lastRun(SyncConfig config) throws SQLException, IOException {
        ControlTable control = new ControlTable(config.target().controlSchemaOrDefault());
        try (Connection c = TablePlanner.connect(config.target().endpoint(), "target")) {
            Optional<String> json = control.readRun(c, null);
            return json.isPresent() ? Optional.of(RunReport.parse(json.get())) : Optional.empty();
        }
    }

    private static List<String> uncommittedVersions(CacheLayout layout, String table, List<String> committed) throws IOException {
        Path dir = layout.tableDir(table);
        FileSystem fs = dir.getFileSystem();
        List<String> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus f : fs.listStatus(dir)) {
            String name = f.getPath().getName();
            if (name.startsWith(CacheLayout.VERSION_PREFIX) && !committed.contains(name.substring(CacheLayout.VERSION_PREFIX.length()))) {
                out.add(name.substring(CacheLayout.VERSION_PREFIX.length()));
            }
        }
        out.sort(null);
        return out;
    }
}
