package io.snapsync.plan;

import io.snapsync.cache.CacheLayout;
import io.snapsync.schema.TableName;
import io.snapsync.targetdb.ControlTable;
import io.snapsync.targetdb.ShadowNames;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.TargetCatalog;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what dead runs of a table left behind: their staging tables, and cache versions that no
 * committed run names. Keeps the newest {@code keep} committed versions for rollback. Only called
 * while holding the table's lock, so no live run's files or tables can be touched.
 */
public final class Leftovers {
    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

    private Leftovers() {}

    /** What was removed. */
    public record Cleaned(List<String> stagingTables, List<String> cacheVersions) {}

    public static Cleaned clean(Connection c, String stagingSchema, ControlTable control, CacheLayout layout, String table,
                                int keep) throws SQLException, IOException {
        List<String> dropped = new ArrayList<>();
        for (String t : StagingTables.ofTable(c, stagingSchema, table)) {
            StagingTables.drop(c, new io.snapsync.schema.TableName(stagingSchema, t));
            dropped.add(t);
        }
        List<String> keepVersions = new ArrayList<>(newestCommitted(c, control, table, keep));
        // a kept version that is a change layer reads older versions' directories (its base, older layers): kept too
        boolean referencesKnown = true;
        for (String v : List.copyOf(keepVersions)) {
            try {
                for (String r : io.snapsync.cache.CacheManifest.read(layout.manifest(table, v)).referencedVersions()) {
                    if (!keepVersions.contains(r)) {
                        keepVersions.add(r);
                    }
                }
            } catch (java.io.FileNotFoundException e) {
                // a kept version without a manifest references nothing (the planner reports it lost)
            } catch (IOException e) {
                referencesKnown = false; // unreadable: what it references is unknown, so nothing is deleted this run
                LOG.warn("{}: cache version {}'s manifest cannot be read ({}); no old cache versions removed", table, v, e.getMessage());
            }
        }
        List<String> deleted = new ArrayList<>();
        Path dir = layout.tableDir(table);
        FileSystem fs = dir.getFileSystem();
        if (referencesKnown && fs.exists(dir)) {
            for (FileStatus f : fs.listStatus(dir)) {
                String name = f.getPath().getName();
                if (name.startsWith(CacheLayout.VERSION_PREFIX)
                        && !keepVersions.contains(name.substring(CacheLayout.VERSION_PREFIX.length()))) {
                    fs.delete(f.getPath(), true);
                    deleted.add(name.substring(CacheLayout.VERSION_PREFIX.length()));
                }
            }
        }
        if (!dropped.isEmpty() || !deleted.isEmpty()) {
            LOG.info("{}: removed leftovers: staging tables {}, cache versions {}", table, dropped, deleted);
        }
        return new Cleaned(dropped, deleted);
    }

    /** Also drops the resync shadow tables dead runs left next to {@code target} (see {@link ShadowNames}). */
    public static Cleaned clean(Connection c, String stagingSchema, ControlTable control, CacheLayout layout, String table,
                                int keep, TableName target) throws SQLException, IOException {
        Cleaned cleaned = clean(c, stagingSchema, control, layout, table, keep);
        List<String> shadows = shadowTables(c, target);
        for (String t : shadows) {
            StagingTables.drop(c, new TableName(target.schema(), t));
        }
        if (!shadows.isEmpty()) {
            LOG.info("{}: removed shadow tables of dead resync runs: {}", table, shadows);
        }
        List<String> dropped = new ArrayList<>(cleaned.stagingTables());
        dropped.addAll(shadows);
        return new Cleaned(dropped, cleaned.cacheVersions());
    }

    /** Shadow tables of {@code target} from any run (only dead ones exist while the table's lock is held). */
    public static List<String> shadowTables(Connection c, TableName target) throws SQLException {
        List<String> names = new ArrayList<>();
        for (String t : TargetCatalog.tablesStartingWith(c, target.schema(), ShadowNames.PREFIX)) {
            if (ShadowNames.isShadowOf(target, t)) {
                names.add(t);
            }
        }
        return names;
    }

    /** The cache versions of the newest {@code keep} committed runs (the current one first). */
    static List<String> newestCommitted(Connection c, ControlTable control, String table, int keep) throws SQLException {
        List<String> v = new ArrayList<>(control.newestVersions(c, table, keep));
        // the control row's version is kept whatever the history says
        control.read(c, table, false).ifPresent(s -> {
            if (!v.contains(s.cacheVersion())) {
                v.add(s.cacheVersion());
            }
        });
        return v;
    }
}
