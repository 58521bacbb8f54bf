package io.snapsync.targetdb;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.schema.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loading a new table that the commit indexes and swaps in for the live one (see {@code commit.ShadowSwap}): a resync's
 * table built from the source schema, or a first load's shaped like the empty live table. The rows are written once, by
 * the writers' COPY, instead of COPY into staging and then INSERT, and the live table is locked only for the renames.
 *
 * <p>A first load takes this path only for a live table that a copy of its definition replaces exactly ({@link
 * #whyNot}); any other keeps the in-place first load. Each writer attempt COPYs in one transaction and records, in the same transaction, its part,
 * attempt, transaction id and row count in the run's parts table ({@link #recordPart}): the commit knows every attempt
 * whose rows are in the table, reported or not, and removes an unreported one's rows by their {@code xmin}.
 */
public final class SwapLoad {
    private SwapLoad() {}

    /** The table the writers record their committed attempts in: next to the run's staging tables. */
    public static TableName partsTable(StagingTables.Pair staging) {
        String u = staging.upserts().table();
        return new TableName(staging.upserts().schema(), u.substring(0, u.length() - 1) + "p");
    }

    private static final String TABLE_CHECK = "SELECT c.relpersistence = 'p', c.reltablespace = 0, c.reloptions IS NULL, "
            + "c.relreplident = 'd', coalesce((SELECT amname FROM pg_am WHERE oid = c.relam) = 'heap', false), "
            + "pg_has_role(c.relowner, 'MEMBER'), "
            + "NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            + "AND (a.attstattarget >= 0 OR a.attoptions IS NOT NULL OR a.attfdwoptions IS NOT NULL)), "
            + "NOT EXISTS (SELECT 1 FROM pg_class t WHERE t.oid = c.reltoastrelid AND t.reloptions IS NOT NULL), "
            + "NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisclustered) "
            + "FROM pg_class c WHERE c.oid = to_regclass(?)";

    private static final String[] TABLE_REASONS = {"it is unlogged or temporary", "it is in a non-default tablespace",
        "it has storage parameters", "its replica identity is not the default", "its access method is not heap",
        "the sync role is not a member of its owner's role", "a column has a statistics target or options",
        "its TOAST table has storage parameters", "it is clustered on an index"};

    /**
     * Null when the empty live table can be replaced by a new table built from its definition without losing any of
     * it; else why not (the first load then goes into the live table in place).
     *
     * @param columns the synced columns: the live table must have exactly these
     */
    public static String whyNot(Connection c, TableName live, List<String> columns) throws SQLException {
        TableDefinition def = TableDefinition.read(c, live);
        if (!def.exists()) {
            return "it does not exist";
        }
        if (!def.blockers().isEmpty()) {
            return "of " + String.join(", ", def.blockers());
        }
        for (TableDefinition.ColumnInfo col : def.columns()) {
            if (!columns.contains(col.name())) {
                return "column " + col.name() + " is not synced";
            }
            if ((col.identity() != null && !col.identity().isEmpty()) || (col.generated() != null && !col.generated().isEmpty())) {
                return "column " + col.name() + " is an identity or generated column";
            }
        }
        // the indexes the swap rebuilds must be exactly those their own definition restores (no comment, tablespace, ...)
        if (DeferredIndexes.rebuildable(c, live).size() != def.indexes().size()) {
            return "an index has a comment, a tablespace, statistics targets or another property its definition does not restore";
        }
        try (PreparedStatement ps = c.prepareStatement(TABLE_CHECK)) {
            ps.setString(1, live.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "it does not exist";
                }
                for (int i = 0; i < TABLE_REASONS.length; i++) {
                    if (!rs.getBoolean(i + 1)) {
                        return TABLE_REASONS[i];
                    }
                }
            }
        }
        return null;
    }

    /**
     * Creates the table the writers load (the live table's columns, types, collations, NOT NULLs and column storage;
     * indexes, constraints, defaults, comments and grants are added by the commit, after the rows) and the parts table.
     */
    public static void create(Connection c, TableName live, TableName shadow, TableName parts) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            String compression = TargetCatalog.serverVersion(c) >= 140000 ? " INCLUDING COMPRESSION" : "";
            s.execute("CREATE TABLE " + shadow.quoted() + " (LIKE " + live.quoted() + " INCLUDING STORAGE" + compression + ")");
            createParts(s, parts);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The run's parts table (logged, like the table it describes), in its own transaction or the caller's. */
    public static void createParts(Statement s, TableName parts) throws SQLException {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(parts.schema()));
        s.execute("CREATE TABLE " + parts.quoted() + " (part int NOT NULL, attempt int NOT NULL, xid bigint NOT NULL, "
                + "rows bigint NOT NULL, PRIMARY KEY (part, attempt))");
    }

    /** In the writer's COPY transaction, before its commit: this attempt's rows are in the table. */
    public static void recordPart(Connection c, TableName parts, int part, int attempt, long rows) throws SQLException {
        // xmin is the 32-bit transaction id: the low half of txid_current()'s epoch-extended one
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + parts.quoted()
                + " (part, attempt, xid, rows) VALUES (?, ?, txid_current() % 4294967296, ?)")) {
            ps.setInt(1, part);
            ps.setInt(2, attempt);
            ps.setLong(3, rows);
            ps.executeUpdate();
        }
    }

    /** A committed attempt: its transaction id (as {@code xmin} shows it) and rows. */
    public record Part(int part, int attempt, long xid, long rows) {}

    public static Map<List<Integer>, Part> committedParts(Connection c, TableName parts) throws SQLException {
        Map<List<Integer>, Part> out = new HashMap<>();
        for (Part p : TargetCatalog.rows(c, "SELECT part, attempt, xid, rows FROM " + parts.quoted(),
                rs -> new Part(rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getLong(4)))) {
            out.put(List.of(p.part(), p.attempt()), p);
        }
        return out;
    }

    /** Deletes the rows of committed attempts that did not report (a task that died after its COPY committed, and retried). */
    public static long deleteUnreported(Connection c, TableName table, TableName parts, List<Part> unreported) throws SQLException {
        List<Long> xids = new ArrayList<>();
        for (Part p : unreported) {
            xids.add(p.xid());
        }
        long deleted;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.quoted() + " WHERE (xmin::text)::bigint = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("int8", xids.toArray()));
            deleted = ps.executeLargeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + parts.quoted() + " WHERE xid = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("int8", xids.toArray()));
            ps.executeUpdate();
        }
        return deleted;
    }

    /** Drops every index and constraint of the loaded table (a retried commit builds its definition again). */
    public static void dropDefinition(Connection c, TableName table) throws SQLException {
        List<String> constraints = TargetCatalog.rows(c, "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(?) "
                + "AND contype IN ('p', 'u', 'x', 'c', 'f') ORDER BY contype = 'f' DESC", rs -> rs.getString(1), table.quoted());
        List<String> indexes;
        try (Statement s = c.createStatement()) {
            for (String k : constraints) {
                s.execute("ALTER TABLE " + table.quoted() + " DROP CONSTRAINT IF EXISTS " + quote(k));
            }
            indexes = TargetCatalog.rows(c, "SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                    + "WHERE i.indrelid = to_regclass(?)", rs -> rs.getString(1), table.quoted());
            for (String ix : indexes) {
                s.execute("DROP INDEX IF EXISTS " + new TableName(table.schema(), ix).quoted());
            }
        }
    }
}
