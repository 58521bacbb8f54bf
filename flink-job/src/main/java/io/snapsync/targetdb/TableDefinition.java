package io.snapsync.targetdb;

import io.snapsync.schema.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a resync carries from the live table to its shadow, read from the catalog: key constraints and
 * indexes, check and outgoing foreign-key constraints, column defaults and NOT NULLs, comments, owner,
 * table and column grants, and the sequences its columns own. Every definition is PostgreSQL's own text
 * ({@code pg_get_indexdef}, {@code pg_get_constraintdef}, {@code pg_get_expr}), so nothing is re-derived.
 *
 * <p>{@link #blockers()} lists what depends on the live table and cannot follow it to a new table
 * (views, rules, foreign keys pointing at it, triggers, row-level security, publication membership,
 * partitioning or inheritance): a resync refuses such a table before anything is swapped.
 *
 * <p>A record, so the definition read before building the shadow can be compared with the one read
 * under the swap's lock: if the live table's DDL changed in between, the swap is refused.
 */
public record TableDefinition(
        boolean exists,
        String owner,
        String comment,
        List<Index> indexes,
        List<Constraint> constraints,
        List<ColumnInfo> columns,
        List<Grant> grants,
        List<OwnedSequence> sequences,
        List<String> blockers) {

    /**
     * An index of the live table. Key constraints (primary key, unique, exclusion) are recreated from
     * {@code constraintDef}; plain indexes from their definition after {@code USING} ({@code tail}).
     */
    public record Index(String name, String constraintName, String constraintType, String constraintDef, boolean unique,
                        String tail) {
        public boolean isConstraint() {
            return constraintName != null;
        }
    }

    /** A check or outgoing foreign-key constraint: its name is per table, so it is kept as is. */
    public record Constraint(String name, String definition) {}

    /** A column's default expression (or null), NOT NULL, identity/generated marker and comment. */
    public record ColumnInfo(String name, String defaultExpr, boolean notNull, String identity, String generated,
                             String comment) {}

    /** One privilege of a grantee (null: PUBLIC) on the table, or on one column when {@code column} is set. */
    public record Grant(String column, String grantee, String privilege, boolean grantable) {}

    /** A sequence owned by a column (serial): it would be dropped with the old table unless handed over. */
    public record OwnedSequence(String schema, String name, String column) {}

    static final TableDefinition ABSENT = new TableDefinition(false, null, null, List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of());

    private record Relation(String kind, String owner, String comment, boolean rowSecurity) {}

    public static TableDefinition read(Connection c, TableName table) throws SQLException {
        String name = table.quoted();
        List<Relation> rel = TargetCatalog.rows(c, "SELECT c.relkind::text, pg_get_userbyid(c.relowner), "
                + "obj_description(c.oid, 'pg_class'), c.relrowsecurity FROM pg_class c WHERE c.oid = to_regclass(?)",
                rs -> new Relation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)), name);
        if (rel.isEmpty()) {
            return ABSENT;
        }
        Relation r = rel.get(0);
        List<String> blockers = new ArrayList<>();
        if (!"r".equals(r.kind())) {
            blockers.add("it is not a plain table (relkind " + r.kind() + ")");
        }
        if (r.rowSecurity()) {
            blockers.add("row-level security is enabled on it");
        }
        blockers.addAll(TargetCatalog.rows(c, BLOCKERS, rs -> rs.getString(1), Collections.nCopies(9, name).toArray()));
        return new TableDefinition(true, r.owner(), r.comment(), indexes(c, name), constraints(c, name),
                columns(c, name), grants(c, name), sequences(c, name), List.copyOf(blockers));
    }

    /** Dependents a table swap would break or silently lose; each row names one. */
    private static final String BLOCKERS = ""
            + "SELECT CASE v.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || v.oid::regclass::text "
            + "FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class "
            + "WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass "
            + "AND d.refobjid = to_regclass(?) AND v.oid <> d.refobjid "
            + "UNION SELECT 'rule ' || quote_ident(rulename) FROM pg_rewrite WHERE ev_class = to_regclass(?) AND rulename <> '_RETURN' "
            + "UNION SELECT 'foreign key ' || quote_ident(conname) || ' of ' || conrelid::regclass::text "
            + "FROM pg_constraint WHERE confrelid = to_regclass(?) AND contype = 'f' "
            + "UNION SELECT 'trigger ' || quote_ident(tgname) FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal "
            + "UNION SELECT 'row-level security policy ' || quote_ident(polname) FROM pg_policy WHERE polrelid = to_regclass(?) "
            + "UNION SELECT 'publication ' || quote_ident(p.pubname) FROM pg_publication_rel pr "
            + "JOIN pg_publication p ON p.oid = pr.prpubid WHERE pr.prrelid = to_regclass(?) "
            + "UNION SELECT 'table inheritance or partitioning' FROM pg_inherits "
            + "WHERE inhrelid = to_regclass(?) OR inhparent = to_regclass(?) "
            + "UNION SELECT 'an extended statistics object ' || quote_ident(stxname) FROM pg_statistic_ext WHERE stxrelid = to_regclass(?) "
            + "ORDER BY 1";

    private static List<Index> indexes(Connection c, String name) throws SQLException {
        // pg_get_indexdef(oid) always starts with exactly this prefix (quote_ident'ed, schema-qualified)
        return TargetCatalog.rows(c, "SELECT ic.relname, con.conname, con.contype::text, "
                + "pg_get_constraintdef(con.oid), i.indisunique, pg_get_indexdef(i.indexrelid), "
                + "format('CREATE %sINDEX %s ON %s USING ', CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END, "
                + "quote_ident(ic.relname), quote_ident(n.nspname) || '.' || quote_ident(t.relname)) "
                + "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = t.relnamespace "
                + "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid "
                + "AND con.contype IN ('p', 'u', 'x') "
                + "WHERE i.indrelid = to_regclass(?) ORDER BY (con.contype IS NOT DISTINCT FROM 'p') DESC, ic.relname", rs -> {
                    String def = rs.getString(6);
                    String prefix = rs.getString(7);
                    String tail = def.startsWith(prefix) ? def.substring(prefix.length()) : null;
                    if (rs.getString(2) == null && tail == null) {
                        throw new IllegalStateException("cannot read the definition of index " + rs.getString(1) + ": " + def);
                    }
                    return new Index(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5), tail);
                }, name);
    }

    private static List<Constraint> constraints(Connection c, String name) throws SQLException {
        // a foreign key to the table itself would keep pointing at the old table: it is a blocker instead
        return TargetCatalog.rows(c, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE conrelid = to_regclass(?) AND contype IN ('c', 'f') AND confrelid <> conrelid ORDER BY conname",
                rs -> new Constraint(rs.getString(1), rs.getString(2)), name);
    }

    private static List<ColumnInfo> columns(Connection c, String name) throws SQLException {
        return TargetCatalog.rows(c, "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid), a.attnotnull, "
                + "a.attidentity::text, a.attgenerated::text, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                + "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                rs -> new ColumnInfo(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)), name);
    }

    /** Effective privileges: a NULL ACL means the owner's defaults, which a new owner would not pass on. */
    public static List<Grant> grants(Connection c, String name) throws SQLException {
        return TargetCatalog.rows(c, "SELECT NULL::text, CASE WHEN a.grantee = 0 THEN NULL "
                + "ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable "
                + "FROM pg_class t, aclexplode(coalesce(t.relacl, acldefault('r', t.relowner))) a WHERE t.oid = to_regclass(?) "
                + "UNION SELECT at.attname, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, "
                + "a.privilege_type, a.is_grantable FROM pg_attribute at, aclexplode(at.attacl) a "
                + "WHERE at.attrelid = to_regclass(?) AND at.attnum > 0 AND NOT at.attisdropped AND at.attacl IS NOT NULL "
                + "ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3, 4",
                rs -> new Grant(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)), name, name);
    }

    private static List<OwnedSequence> sequences(Connection c, String name) throws SQLException {
        return TargetCatalog.rows(c, "SELECT sn.nspname, s.relname, a.attname FROM pg_depend d "
                + "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                + "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
                + "AND d.refobjid = to_regclass(?) AND d.deptype = 'a' ORDER BY 1, 2",
                rs -> new OwnedSequence(rs.getString(1), rs.getString(2), rs.getString(3)), name);
    }

    /** One message for the planner (early) and the swap (under the lock). */
    public static String blockerMessage(String table, TableName live, List<String> blockers) {
        return "cannot resync " + table + ": " + live + " cannot be replaced by a new table because of " + String.join(", ", blockers)
                + " (a swap would break or silently lose them; remove them, resync, and recreate them); the live table is unchanged";
    }
}
