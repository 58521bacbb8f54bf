package io.snapsync.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a table's writers COPY its rows: PostgreSQL's binary format when every staged column's exact type (as the
 * staging or load table declares it) is one whose wire form is written straight from the canonical value and read by
 * the server into the same stored value as the text form; otherwise the text format, for the whole table. Decided
 * once per table at plan time (pure: from the source columns and the catalog's types).
 *
 * <p>Why binary: PostgreSQL's COPY parses no digits, dates or escapes (about a quarter of its COPY CPU, which the
 * target's cores pay) and the JVM formats none. Why only on exact pairs: where the text path leans on the server's
 * parser to convert (a real into double precision, a date into timestamptz through the session time zone, an enum
 * label, a domain's checks), the binary form would have to reproduce that conversion; those tables keep the text path.
 *
 * @param upserts the wire form of each synced column, in schema order (null: text)
 * @param deletes the wire form of each key column, in key order (null: text)
 * @param textReason why the table takes the text format; null when binary
 */
public record CopyFormat(List<Wire> upserts, List<Wire> deletes, String textReason) implements Serializable {

    /** The binary form of one column: the type whose {@code *_recv} reads it. */
    public enum Wire {
        BOOL, INT2, INT4, INT8, NUMERIC, FLOAT4, FLOAT8,
        /** text, varchar, bpchar, json: the UTF-8 bytes (the server applies the typmod as for text). */
        TEXT,
        BYTEA,
        /** int4 days since 2000-01-01; {@code ±infinity} as INT32_MAX/MIN. */
        DATE,
        /** A DATE value into a timestamp column: the day's midnight in int8 microseconds since 2000-01-01. */
        DATE_AS_TIMESTAMP,
        /** timestamp and timestamptz: int8 microseconds since 2000-01-01 (UTC), {@code ±infinity} as INT64_MAX/MIN. */
        TIMESTAMP,
        TIME,
        /** int8 microseconds of the day, int4 zone in seconds west of UTC (the canonical offset is east: negated). */
        TIMETZ,
        /** version byte 1, then the text. */
        JSONB,
        /** 16 bytes, from the canonical text form. */
        UUID
    }

    /**
     * A staged column's type as the catalog declares it.
     *
     * @param oid {@code atttypid}: built-in types have fixed OIDs, so a user type of the same name is never taken for one
     * @param declared {@code format_type} with the modifier, for messages
     * @param kind {@code typtype}: b base, d domain, e enum, ...
     */
    public record Staged(long oid, String declared, char kind) implements Serializable {}

    public static CopyFormat text(String reason) {
        return new CopyFormat(null, null, reason);
    }

    public boolean binary() {
        return textReason == null;
    }

    // pg_type OIDs of the built-in types (fixed in PostgreSQL's catalog since 7.x; user types get OIDs >= 16384)
    private static final long BOOL = 16;
    private static final long BYTEA = 17;
    private static final long INT8 = 20;
    private static final long INT2 = 21;
    private static final long INT4 = 23;
    private static final long TEXT = 25;
    private static final long JSON = 114;
    private static final long FLOAT4 = 700;
    private static final long FLOAT8 = 701;
    private static final long BPCHAR = 1042;
    private static final long VARCHAR = 1043;
    private static final long DATE = 1082;
    private static final long TIME = 1083;
    private static final long TIMESTAMP = 1114;
    private static final long TIMESTAMPTZ = 1184;
    private static final long TIMETZ = 1266;
    private static final long NUMERIC = 1700;
    private static final long UUID = 2950;
    private static final long JSONB = 3802;

    /**
     * @param upsertTable the columns of the table the upserts are COPYed into (staging, or a first load's or resync's
     *     new table), by name
     * @param deleteTable the columns of the deletes' staging table, by name
     */
    public static CopyFormat choose(TableSchema schema, Map<String, Staged> upsertTable, Map<String, Staged> deleteTable) {
        List<Wire> upserts = new ArrayList<>();
        for (Column c : schema.columns()) {
            Staged t = upsertTable.get(c.name());
            Wire w = t == null ? null : exact(c, t.oid());
            if (w == null) {
                return text(why(c, t));
            }
            upserts.add(w);
        }
        List<Wire> deletes = new ArrayList<>();
        for (Column c : schema.keyColumnList()) {
            Staged t = deleteTable.get(c.name());
            Wire w = t == null ? null : exact(c, t.oid());
            if (w == null) {
                return text(why(c, t));
            }
            deletes.add(w);
        }
        return new CopyFormat(List.copyOf(upserts), List.copyOf(deletes), null);
    }

    /** Why a column keeps the table in the text format. */
    private static String why(Column c, Staged t) {
        if (t == null) {
            return "column " + Identifiers.quote(c.name()) + " is not in the staged table's catalog";
        }
        String what = t.kind() == 'd' ? "a domain" : t.kind() == 'e' ? "an enum"
                : converts(c, t.oid()) ? "which its text form converts to (the binary form would not round the same)"
                : "a type the binary encoder does not write";
        return "column " + Identifiers.quote(c.name()) + " " + c.sqlType() + " is staged as " + t.declared() + ", " + what;
    }

    private static Wire exact(Column c, long oid) {
        return switch (c.type()) {
            case BOOLEAN -> oid == BOOL ? Wire.BOOL : null;
            case INTEGER -> oid == INT2 ? Wire.INT2 : oid == INT4 ? Wire.INT4 : oid == INT8 ? Wire.INT8 : oid == NUMERIC ? Wire.NUMERIC : null;
            case DECIMAL -> oid == NUMERIC ? Wire.NUMERIC : null;
            // the text path writes a real source's value as Float.toString and a double's as Double.toString: the
            // same value only where the column's width is the source's (a real into double precision reads "0.1"
            // as 0.1, not as the float's 0.100000001490116...; a double into real would be rounded twice)
            case FLOAT -> oid == FLOAT8 && c.width() == 8 ? Wire.FLOAT8 : oid == FLOAT4 && c.width() == 4 ? Wire.FLOAT4 : null;
            case TEXT -> oid == TEXT || oid == VARCHAR || oid == BPCHAR ? Wire.TEXT
                    : oid == UUID && c.sqlType().equals("uuid") ? Wire.UUID : null;
            case JSON -> oid == JSON || oid == TEXT ? Wire.TEXT : oid == JSONB ? Wire.JSONB : null;
            case BYTES -> oid == BYTEA ? Wire.BYTEA : null;
            case DATE -> oid == DATE ? Wire.DATE : oid == TIMESTAMP ? Wire.DATE_AS_TIMESTAMP : null;
            case TIMESTAMP -> oid == TIMESTAMP ? Wire.TIMESTAMP : null;
            case TIMESTAMPTZ -> oid == TIMESTAMPTZ ? Wire.TIMESTAMP : null;
            case TIME -> oid == TIME ? Wire.TIME : null;
            case TIMETZ -> oid == TIMETZ ? Wire.TIMETZ : null;
        };
    }

    /** A built-in type of the column's family that the text path converts into (e.g. real for a double). */
    private static boolean converts(Column c, long oid) {
        return switch (c.type()) {
            case FLOAT -> oid == FLOAT4 || oid == FLOAT8;
            default -> false;
        };
    }
}
