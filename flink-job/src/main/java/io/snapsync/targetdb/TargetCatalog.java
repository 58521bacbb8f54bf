package io.snapsync.targetdb;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.schema.Column;
import io.snapsync.schema.CopyFormat;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import io.snapsync.schema.TargetCompatibility;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the planner, the committer and the status reader ask the target PostgreSQL's catalog: whether a table
 * exists, its columns (their types, the limits they put on values, what the compatibility check reads), its
 * unique keys, a schema's tables by prefix, the server's version; and the CREATE TABLE a source schema asks for.
 * Table names are bound as {@code to_regclass} of the quoted name and values bound, never put into the query.
 */
public final class TargetCatalog {
    private TargetCatalog() {}

    public static boolean exists(Connection c, TableName table) throws SQLException {
        return rows(c, "SELECT to_regclass(?) IS NOT NULL", rs -> rs.getBoolean(1), table.quoted()).get(0);
    }

    /** Column name to PostgreSQL type name ({@code format_type} without modifiers); empty when the table does not exist. */
    public static Map<String, String> columnTypes(Connection c, TableName table) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        for (String[] col : rows(c, "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a "
                + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, table.quoted())) {
            types.put(col[0], col[1]);
        }
        return types;
    }

    /** The columns with the limits their declared types put on values (domains resolved to their base type). */
    public static List<TargetColumn> columnLimits(Connection c, TableName table) throws SQLException {
        return rows(c, "SELECT a.attname, "
                + "format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL), "
                + "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped",
                rs -> TargetColumn.of(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getBoolean(4)), table.quoted());
    }

    /** The columns as {@link TargetCompatibility} judges them: declared and base type, modifier, kind, collation. */
    public static List<TargetCompatibility.Target> compatibilityColumns(Connection c, TableName table) throws SQLException {
        return rows(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                + "CASE WHEN bt.typnamespace = 'pg_catalog'::regnamespace THEN format_type(bt.oid, NULL) ELSE bt.typname::text END, "
                + "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, bt.typtype, bt.typcategory = 'A', "
                + "COALESCE(co.collisdeterministic, true) "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END "
                + "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
                + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped",
                rs -> new TargetCompatibility.Target(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getString(5).charAt(0), rs.getBoolean(6), rs.getBoolean(7)), table.quoted());
    }

    /** The columns' exact types as declared (no domain resolved), by name: what a binary COPY must write (see CopyFormat). */
    public static Map<String, CopyFormat.Staged> stagedTypes(Connection c, TableName table) throws SQLException {
        Map<String, CopyFormat.Staged> types = new LinkedHashMap<>();
        for (Object[] col : rows(c, "SELECT a.attname, a.atttypid::int8, format_type(a.atttypid, a.atttypmod), t.typtype "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped",
                rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)}, table.quoted())) {
            types.put((String) col[0], new CopyFormat.Staged((Long) col[1], (String) col[2], ((String) col[3]).charAt(0)));
        }
        return types;
    }

    /** The column lists of the primary key and every unique index without predicate or expression, in key order. */
    public static List<List<String>> uniqueKeys(Connection c, TableName table) throws SQLException {
        return rows(c, "SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_index i "
                + "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                + "WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL "
                + "GROUP BY i.indexrelid", rs -> {
                    Array a = rs.getArray(1);
                    return Arrays.asList((String[]) a.getArray());
                }, table.quoted());
    }

    /** Whether a table has a primary key, and whether a unique index (no predicate, no expression) covers exactly its key. */
    public record KeyIndex(boolean hasPrimaryKey, boolean keyUnique) {}

    public static KeyIndex keyIndex(Connection c, TableName table, List<String> key) throws SQLException {
        return rows(c, "SELECT bool_or(i.indisprimary), coalesce(bool_or(i.indisunique "
                + "AND i.indpred IS NULL AND i.indexprs IS NULL AND (SELECT array_agg(a.attname::text ORDER BY a.attname) "
                + "FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)) = ?::text[] "
                + "AND cardinality(i.indkey::int2[]) = ?), false) FROM pg_index i WHERE i.indrelid = to_regclass(?)",
                rs -> new KeyIndex(rs.getBoolean(1), rs.getBoolean(2)),
                c.createArrayOf("text", key.stream().sorted().toArray()), key.size(), table.quoted()).get(0);
    }

    /** Whether a new row must name {@code column}: NOT NULL and no default (false when there is no such column). */
    public static boolean notNullWithoutDefault(Connection c, TableName table, String column) throws SQLException {
        List<Boolean> r = rows(c, "SELECT a.attnotnull AND NOT a.atthasdef FROM pg_attribute a "
                + "WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped",
                rs -> rs.getBoolean(1), table.quoted(), column);
        return !r.isEmpty() && r.get(0);
    }

    /** The tables of {@code schema} whose names start with {@code prefix}, by name. */
    public static List<String> tablesStartingWith(Connection c, String schema, String prefix) throws SQLException {
        return rows(c, "SELECT tablename FROM pg_tables WHERE schemaname = ? AND starts_with(tablename, ?) ORDER BY 1",
                rs -> rs.getString(1), schema, prefix);
    }

    /** Whether {@code table} holds any row. */
    public static boolean hasRows(Connection c, TableName table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table.quoted() + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** {@code server_version_num}, e.g. 170006. */
    public static int serverVersion(Connection c) throws SQLException {
        return rows(c, "SHOW server_version_num", rs -> Integer.parseInt(rs.getString(1))).get(0);
    }

    /** MERGE or ON CONFLICT, by the server's version. */
    public static TargetDialect dialect(Connection c) throws SQLException {
        return TargetDialect.of(serverVersion(c));
    }

    /**
     * The table as the source describes it: faithful types, NOT NULL where the source has it or the column is
     * part of the key; with the key as primary key (a new target), or without (a resync's shadow, which gets its
     * keys and indexes after the load).
     */
    public static String createTableSql(TableName table, TableSchema schema, boolean primaryKey) {
        List<String> defs = new ArrayList<>();
        for (Column col : schema.columns()) {
            boolean notNull = !col.nullable() || schema.keyColumns().contains(col.name());
            defs.add(quote(col.name()) + " " + col.sqlType() + (notNull ? " NOT NULL" : ""));
        }
        if (primaryKey) {
            defs.add("PRIMARY KEY (" + quoteAll(schema.keyColumns()) + ")");
        }
        return "CREATE TABLE " + table.quoted() + " (" + String.join(", ", defs) + ")";
    }

    /** Reads one result row. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * The prepare, bind, loop every read of this package needs (catalog, control tables, table definition, locks),
     * written once; a small helper rather than a JDBC library in the cluster jar for a few dozen queries.
     */
    static <T> List<T> rows(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
            return out;
        }
    }
}
