package io.snapsync.targetdb;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.schema.TableName;
import io.snapsync.targetdb.TargetCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The control table in the target database: per synced table, the cache version the target matches.
 * It is written in the same transaction as the MERGE, so it can never name a version the target does
 * not have. {@code sync_history} keeps one row per committed run.
 */
public final class ControlTable {
    private final String schema;

    public ControlTable(String schema) {
        this.schema = schema;
    }

    public String state() {
        return quote(schema) + "." + quote("sync_state");
    }

    public String history() {
        return quote(schema) + "." + quote("sync_history");
    }

    /** One row per run: its report (the JSON of {@code --report}), written by the run's job when it ends. */
    public String runs() {
        return quote(schema) + "." + quote("sync_runs");
    }

    /** Records a run's report; only where the control tables exist (a run that planned nothing creates none). */
    public boolean writeRun(Connection c, String runId, Instant startedAt, Instant finishedAt, String status, String report)
            throws SQLException {
        if (!TargetCatalog.exists(c, new TableName(schema, "sync_state"))) {
            return false;
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + runs() + " (run_id text PRIMARY KEY, started_at timestamptz NOT NULL, "
                    + "finished_at timestamptz NOT NULL, status text NOT NULL, report text NOT NULL)");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + runs() + " (run_id, started_at, finished_at, status, report) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, "
                + "status = EXCLUDED.status, report = EXCLUDED.report")) {
            ps.setString(1, runId);
            ps.setTimestamp(2, Timestamp.from(startedAt));
            ps.setTimestamp(3, Timestamp.from(finishedAt));
            ps.setString(4, status);
            ps.setString(5, report);
            ps.executeUpdate();
        }
        return true;
    }

    /** A run's report by run id, or the newest run's when {@code runId} is null. */
    public Optional<String> readRun(Connection c, String runId) throws SQLException {
        if (!TargetCatalog.exists(c, new TableName(schema, "sync_runs"))) {
            return Optional.empty();
        }
        List<String> reports = runId == null
                ? TargetCatalog.rows(c, "SELECT report FROM " + runs() + " ORDER BY finished_at DESC, run_id DESC LIMIT 1",
                        rs -> rs.getString(1))
                : TargetCatalog.rows(c, "SELECT report FROM " + runs() + " WHERE run_id = ?", rs -> rs.getString(1), runId);
        return reports.stream().findFirst();
    }

    /** One row per table whose change set is being applied in several transactions (chunks). */
    public String pending() {
        return quote(schema) + "." + quote("sync_pending");
    }

    /** A chunked apply that began and did not finish: the target may be ahead of the cache it names. */
    public record Pending(String table, String runId, String cacheVersion, Instant startedAt) {}

    /** The committed state of one table. */
    public record State(
            String table, String targetTable, String runId, String cacheVersion, String cacheUri, long rowCount,
            String schemaFingerprint, long inserted, long updated, long deleted, Instant committedAt, String sourceTable) {}

    public void ensureExists(Connection c) throws SQLException {
        String cols = "table_name text NOT NULL, target_table text NOT NULL, run_id text NOT NULL, "
                + "cache_version text NOT NULL, cache_uri text NOT NULL, row_count bigint NOT NULL, "
                + "schema_fingerprint text NOT NULL, inserted bigint NOT NULL, updated bigint NOT NULL, "
                + "deleted bigint NOT NULL, committed_at timestamptz NOT NULL";
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
            s.execute("CREATE TABLE IF NOT EXISTS " + state() + " (" + cols + ", PRIMARY KEY (table_name))");
            s.execute("CREATE TABLE IF NOT EXISTS " + history() + " (" + cols + ", PRIMARY KEY (table_name, run_id))");
            // added later: control tables of older versions gain it (NULL: not recorded)
            s.execute("ALTER TABLE " + state() + " ADD COLUMN IF NOT EXISTS source_table text");
            s.execute("ALTER TABLE " + history() + " ADD COLUMN IF NOT EXISTS source_table text");
            s.execute("CREATE TABLE IF NOT EXISTS " + pending() + " (table_name text PRIMARY KEY, run_id text NOT NULL, "
                    + "cache_version text NOT NULL, started_at timestamptz NOT NULL)");
        }
    }

    /** The unfinished chunked apply of a table, if any (a table created by an older snapsync has none). */
    public Optional<Pending> readPending(Connection c, String table) throws SQLException {
        if (!TargetCatalog.exists(c, new TableName(schema, "sync_pending"))) {
            return Optional.empty();
        }
        return TargetCatalog.rows(c, "SELECT table_name, run_id, cache_version, started_at FROM " + pending() + " WHERE table_name = ?",
                rs -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()), table)
                .stream().findFirst();
    }

    public void writePending(Connection c, Pending p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + pending() + " (table_name, run_id, cache_version, started_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET run_id = EXCLUDED.run_id, "
                + "cache_version = EXCLUDED.cache_version, started_at = EXCLUDED.started_at")) {
            ps.setString(1, p.table());
            ps.setString(2, p.runId());
            ps.setString(3, p.cacheVersion());
            ps.setTimestamp(4, Timestamp.from(p.startedAt()));
            ps.executeUpdate();
        }
    }

    public void clearPending(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + pending() + " WHERE table_name = ?")) {
            ps.setString(1, table);
            ps.executeUpdate();
        }
    }

    public Optional<State> read(Connection c, String table, boolean forUpdate) throws SQLException {
        return TargetCatalog.rows(c, "SELECT table_name, target_table, run_id, cache_version, cache_uri, "
                + "row_count, schema_fingerprint, inserted, updated, deleted, committed_at, "
                + "to_jsonb(s) ->> 'source_table' FROM " + state() + " s" // the column may not exist yet (read only)
                + " WHERE table_name = ?" + (forUpdate ? " FOR UPDATE" : ""),
                rs -> new State(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6), rs.getString(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                        rs.getTimestamp(11).toInstant(), rs.getString(12)), table).stream().findFirst();
    }

    /** The cache versions of every committed run of {@code table}, in no particular order. */
    public List<String> committedVersions(Connection c, String table) throws SQLException {
        return TargetCatalog.rows(c, "SELECT cache_version FROM " + history() + " WHERE table_name = ?", rs -> rs.getString(1), table);
    }

    /** The cache versions of the newest {@code keep} (at least one) committed runs of {@code table}, newest first. */
    public List<String> newestVersions(Connection c, String table, int keep) throws SQLException {
        return TargetCatalog.rows(c, "SELECT cache_version FROM " + history()
                + " WHERE table_name = ? ORDER BY committed_at DESC, run_id DESC LIMIT ?", rs -> rs.getString(1), table, Math.max(1, keep));
    }

    public void write(Connection c, State st) throws SQLException {
        String cols = "table_name, target_table, run_id, cache_version, cache_uri, row_count, schema_fingerprint, "
                + "inserted, updated, deleted, committed_at, source_table";
        String params = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + state() + " (" + cols + ") VALUES (" + params
                + ") ON CONFLICT (table_name) DO UPDATE SET target_table = EXCLUDED.target_table, run_id = EXCLUDED.run_id, "
                + "cache_version = EXCLUDED.cache_version, cache_uri = EXCLUDED.cache_uri, row_count = EXCLUDED.row_count, "
                + "schema_fingerprint = EXCLUDED.schema_fingerprint, inserted = EXCLUDED.inserted, "
                + "updated = EXCLUDED.updated, deleted = EXCLUDED.deleted, committed_at = EXCLUDED.committed_at, "
                + "source_table = EXCLUDED.source_table")) {
            bind(ps, st);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + history() + " (" + cols + ") VALUES (" + params + ")")) {
            bind(ps, st);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, State st) throws SQLException {
        ps.setString(1, st.table());
        ps.setString(2, st.targetTable());
        ps.setString(3, st.runId());
        ps.setString(4, st.cacheVersion());
        ps.setString(5, st.cacheUri());
        ps.setLong(6, st.rowCount());
        ps.setString(7, st.schemaFingerprint());
        ps.setLong(8, st.inserted());
        ps.setLong(9, st.updated());
        ps.setLong(10, st.deleted());
        ps.setTimestamp(11, Timestamp.from(st.committedAt()));
        ps.setString(12, st.sourceTable());
    }
}
