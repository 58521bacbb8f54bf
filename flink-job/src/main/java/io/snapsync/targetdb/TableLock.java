package io.snapsync.targetdb;

import io.snapsync.config.JdbcEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Keeps two runs of the same table from overlapping: a session-level PostgreSQL advisory lock in the
 * target database, held by the driver from planning until the table's run ends (a crashed driver's
 * session ends and releases it). Different tables have different locks and may run at once.
 */
public final class TableLock implements AutoCloseable {
    /** "SNAP": the advisory lock class of snapsync, so its locks are recognisable in pg_locks. */
    static final int LOCK_CLASS = 0x534E4150;

    private final Connection connection;

    private final String table;

    private TableLock(Connection connection, String table) {
        this.connection = connection;
        this.table = table;
    }

    /** Takes the table's lock or fails at once, naming the session that holds it. */
    public static TableLock acquire(JdbcEndpoint target, String table, String runId) throws SQLException {
        Connection c = target.connect("target");
        try {
            // the run is visible to whoever is refused the lock
            TargetCatalog.rows(c, "SELECT set_config('application_name', ?, false)", rs -> rs.getString(1), "snapsync run " + runId);
            if (TargetCatalog.rows(c, "SELECT pg_try_advisory_lock(?, hashtext(?))", rs -> rs.getBoolean(1), LOCK_CLASS, table).get(0)) {
                return new TableLock(c, table);
            }
            throw new AlreadyRunningException("table " + table + " is already being synced by " + holder(c, table)
                    + "; two runs of one table cannot overlap");
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static String holder(Connection c, String table) throws SQLException {
        List<String> holders = TargetCatalog.rows(c, "SELECT a.application_name, a.pid, a.client_addr, a.backend_start "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                + "AND l.classid = ?::bigint::oid AND l.objid = (hashtext(?)::bigint & 4294967295)::oid",
                rs -> "'" + rs.getString(1) + "' (pid " + rs.getInt(2) + ", client " + rs.getString(3) + ", connected "
                        + rs.getTimestamp(4).toInstant() + ")", LOCK_CLASS, table);
        return holders.isEmpty() ? "another session (it has just released the lock: retry)" : holders.get(0);
    }

    @Override
    public void close() throws SQLException {
        // Release explicitly before closing: closing only sends Terminate, and the server drops a session's
        // locks when its backend exits, a moment later, so a run started right after could be refused.
        // (If this fails, or the driver dies, ending the session still releases the lock.)
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setString(2, table);
            ps.execute();
        } catch (SQLException ignored) {
            // the connection is gone: so is the lock
        } finally {
            connection.close();
        }
    }

    /** Another run holds the table. */
    public static final class AlreadyRunningException extends SQLException {
        public AlreadyRunningException(String message) {
            super(message);
        }
    }
}
