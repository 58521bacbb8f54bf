package io.snapsync.targetdb;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.schema.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexes of an empty target that a first load drops and builds again after inserting every row, inside the
 * load's one transaction: building an index from the loaded rows (one sort) costs far less than maintaining it row
 * by row, and a rollback (any failure before COMMIT) brings the dropped indexes back unchanged.
 *
 * <p>Only an index that its own definition restores exactly is taken: PostgreSQL's text of it ({@code
 * pg_get_indexdef}, or {@code pg_get_constraintdef} for a key or exclusion constraint, recreated under the same
 * name). Left as it is (and maintained row by row, as before): an index with a comment, on a non-default
 * tablespace, with per-column statistics targets, that is the replica identity or the clustering index, is not
 * valid, is a partition of a partitioned index, or that a foreign key relies on.
 */
public final class DeferredIndexes {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredIndexes.class);
    /** One index to drop and rebuild: its name and, for a constraint's index, the constraint's name and definition. */
    public record Index(String name, String constraintName, String constraintDef, String indexDef) {
        String drop(TableName table) {
            return constraintName != null
                    ? "ALTER TABLE " + table.quoted() + " DROP CONSTRAINT " + quote(constraintName)
                    : "DROP INDEX " + new TableName(table.schema(), name).quoted();
        }

        String create(TableName table) {
            return constraintName != null
                    ? "ALTER TABLE " + table.quoted() + " ADD CONSTRAINT " + quote(constraintName) + " " + constraintDef
                    : indexDef;
        }
    }

    private DeferredIndexes() {}

    private static final String REBUILDABLE = "SELECT ic.relname, con.conname, pg_get_constraintdef(con.oid), "
            + "pg_get_indexdef(i.indexrelid) "
            + "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            + "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid "
            + "AND con.contype IN ('p', 'u', 'x') "
            + "WHERE i.indrelid = to_regclass(?) AND i.indisvalid AND i.indisready AND i.indislive "
            + "AND NOT i.indisreplident AND NOT i.indisclustered AND ic.reltablespace = 0 "
            + "AND obj_description(i.indexrelid, 'pg_class') IS NULL "
            + "AND (con.oid IS NULL OR obj_description(con.oid, 'pg_constraint') IS NULL) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid OR h.inhparent = i.indexrelid) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid) "
            + "ORDER BY (con.contype IS NOT DISTINCT FROM 'p') DESC, ic.relname";

    /** The target's indexes a load into it, empty, may drop and rebuild (see the class comment). */
    public static List<Index> rebuildable(Connection c, TableName table) throws SQLException {
        return TargetCatalog.rows(c, REBUILDABLE,
                rs -> new Index(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), table.quoted());
    }

    /** How long the first load waits for the exclusive lock before it leaves the service's queries alone. */
    public static final String LOCK_TIMEOUT = "2s";

    /**
     * Locks the table against every other session until the transaction ends and says whether it holds no rows.
     * Dropping its indexes needs this lock anyway; taking it first means no row can arrive after the check. The
     * lock is waited for at most {@link #LOCK_TIMEOUT}: a waiting ACCESS EXCLUSIVE request queues every later query
     * of the table behind it, so when a session (a long report, an idle transaction) holds the table, the load
     * takes the MERGE path instead (false), which readers never wait for.
     */
    public static boolean lockEmpty(Connection c, TableName table) throws SQLException {
        String previousTimeout;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('lock_timeout')")) {
            rs.next();
            previousTimeout = rs.getString(1);
        }
        setLockTimeout(c, LOCK_TIMEOUT);
        Savepoint beforeLock = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE " + table.quoted() + " IN ACCESS EXCLUSIVE MODE");
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(beforeLock);
            setLockTimeout(c, previousTimeout);
            LOG.info("{} is in use by another session (no exclusive lock within {}): the first load takes the MERGE path",
                    table, LOCK_TIMEOUT);
            return false;
        }
        c.releaseSavepoint(beforeLock);
        setLockTimeout(c, previousTimeout);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table.quoted() + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private static void setLockTimeout(Connection c, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, true)")) {
            ps.setString(1, value);
            ps.execute();
        }
    }

    public static void drop(Connection c, TableName table, List<Index> indexes) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (Index ix : indexes) {
                s.execute(ix.drop(table));
            }
        }
    }

    /** Builds them again under their own names and definitions (the primary key first). */
    public static void create(Connection c, TableName table, List<Index> indexes) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (Index ix : indexes) {
                s.execute(ix.create(table));
            }
        }
    }
}
