package io.snapsync.schema;

import java.sql.Types;
import java.util.Locale;

/**
 * Maps what a JDBC driver reports about a source column (pgjdbc against PostgreSQL, or the Redshift
 * driver against Redshift) to a {@link Column}: its value family and a faithful PostgreSQL type.
 * Pure: no connection needed, so every mapping is unit-tested.
 */
public final class TypeMapping {
    private TypeMapping() {}

    /** Redshift VARCHAR(n) counts bytes, PostgreSQL characters: n bytes never hold more than n characters. */
    public static Column map(String name, int jdbcType, String typeName, int precision, int scale, boolean nullable) {
        String t = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
        switch (t) {
            case "bool", "boolean" -> { return new Column(name, ColumnType.BOOLEAN, "boolean", 0, 0, 0, nullable); }
            case "int2", "smallint" -> { return new Column(name, ColumnType.INTEGER, "smallint", 2, 0, 0, nullable); }
            case "int4", "integer", "int", "serial" -> { return new Column(name, ColumnType.INTEGER, "integer", 4, 0, 0, nullable); }
            case "int8", "bigint", "bigserial" -> { return new Column(name, ColumnType.INTEGER, "bigint", 8, 0, 0, nullable); }
            case "float4", "real" -> { return new Column(name, ColumnType.FLOAT, "real", 4, 0, 0, nullable); }
            case "float8", "double precision", "float" -> { return new Column(name, ColumnType.FLOAT, "double precision", 8, 0, 0, nullable); }
            case "numeric", "decimal" -> { return decimal(name, precision, scale, nullable); }
            case "bpchar", "char", "character", "nchar" -> {
                return new Column(name, ColumnType.TEXT, precision > 0 && precision < 10_485_760 ? "char(" + precision + ")" : "text", 0, 0, 0, nullable);
            }
            case "varchar", "character varying", "nvarchar" -> {
                return new Column(name, ColumnType.TEXT, precision > 0 && precision < 10_485_760 ? "varchar(" + precision + ")" : "text", 0, 0, 0, nullable);
            }
            // citext into text: the target's equality is stricter (a case-only change is written), never looser
            case "text", "name", "citext" -> { return new Column(name, ColumnType.TEXT, "text", 0, 0, 0, nullable); }
            // PostgreSQL stand-in only: the canonical text form is one per value, so text equality is uuid equality
            case "uuid" -> { return new Column(name, ColumnType.TEXT, "uuid", 0, 0, 0, nullable); }
            // an unsigned 32-bit integer: bigint holds every value, integer equality
            case "oid" -> { return new Column(name, ColumnType.INTEGER, "bigint", 8, 0, 0, nullable); }
            case "bytea", "varbyte", "varbinary", "binary varying" -> { return new Column(name, ColumnType.BYTES, "bytea", 0, 0, 0, nullable); }
            // Redshift's driver hands spatial values over as EWKB bytes (java.sql.Types LONGVARBINARY, byte[]):
            // kept as bytea, byte for byte; PostGIS reads them with ST_GeomFromEWKB (see README, type mapping)
            // (PostGIS in a PostgreSQL stand-in reports OTHER and hands over hex text: refused below, not taken for bytes)
            case "geometry", "geography" -> {
                if (jdbcType == Types.LONGVARBINARY || jdbcType == Types.VARBINARY || jdbcType == Types.BINARY) {
                    return new Column(name, ColumnType.BYTES, "bytea", 0, 0, 0, nullable);
                }
                throw new UnsupportedTypeException(name, typeName, jdbcType);
            }
            case "date" -> { return new Column(name, ColumnType.DATE, "date", 0, 0, 0, nullable); }
            case "timestamp", "timestamp without time zone" -> { return new Column(name, ColumnType.TIMESTAMP, "timestamp", 0, 0, 0, nullable); }
            case "timestamptz", "timestamp with time zone" -> { return new Column(name, ColumnType.TIMESTAMPTZ, "timestamptz", 0, 0, 0, nullable); }
            case "time", "time without time zone" -> { return new Column(name, ColumnType.TIME, "time", 0, 0, 0, nullable); }
            case "timetz", "time with time zone" -> { return new Column(name, ColumnType.TIMETZ, "timetz", 0, 0, 0, nullable); }
            case "json" -> { return new Column(name, ColumnType.JSON, "json", 0, 0, 0, nullable); }
            case "jsonb", "super" -> { return new Column(name, ColumnType.JSON, "jsonb", 0, 0, 0, nullable); }
            default -> { /* fall back to the JDBC type below */ }
        }
        // a name not listed above is mapped by its JDBC code only where that code cannot stand for a different value
        // or equality: enums (pgjdbc reports them as VARCHAR; labels compare as text) and temporal codes. Codes that
        // other types share are refused: BIT is also bit(n), DOUBLE also money, OTHER/ARRAY/STRUCT/SQLXML anything.
        return switch (jdbcType) {
            case Types.CHAR, Types.NCHAR, Types.VARCHAR, Types.NVARCHAR ->
                    new Column(name, ColumnType.TEXT, "text", 0, 0, 0, nullable);
            case Types.DATE -> new Column(name, ColumnType.DATE, "date", 0, 0, 0, nullable);
            case Types.TIMESTAMP -> new Column(name, ColumnType.TIMESTAMP, "timestamp", 0, 0, 0, nullable);
            case Types.TIMESTAMP_WITH_TIMEZONE -> new Column(name, ColumnType.TIMESTAMPTZ, "timestamptz", 0, 0, 0, nullable);
            case Types.TIME -> new Column(name, ColumnType.TIME, "time", 0, 0, 0, nullable);
            case Types.TIME_WITH_TIMEZONE -> new Column(name, ColumnType.TIMETZ, "timetz", 0, 0, 0, nullable);
            default -> throw new UnsupportedTypeException(name, typeName, jdbcType);
        };
    }

    private static Column decimal(String name, int precision, int scale, boolean nullable) {
        // pgjdbc reports an unconstrained numeric as precision 0 (older versions 131089); keep it unconstrained
        if (precision <= 0 || precision > 1000) {
            return new Column(name, ColumnType.DECIMAL, "numeric", 0, 0, 0, nullable);
        }
        return new Column(name, ColumnType.DECIMAL, "numeric(" + precision + "," + scale + ")", 0, precision, scale, nullable);
    }

    /** A source column whose type snapsync cannot carry faithfully. */
    public static final class UnsupportedTypeException extends IllegalArgumentException {
        public UnsupportedTypeException(String column, String typeName, int jdbcType) {
            super("column " + Identifiers.quote(column) + " has unsupported type " + typeName + " (JDBC type " + jdbcType + ")"
                    + hint(column, typeName == null ? "" : typeName.toLowerCase(Locale.ROOT)));
        }

        /** The way out: sync a view of the source that casts the column to a type snapsync carries. */
        private static String hint(String column, String type) {
            String c = Identifiers.quote(column);
            String cast = switch (type) {
                case "money" -> c + "::numeric";
                case "bit", "varbit" -> c + "::text";
                case "xml" -> c + "::text";
                default -> type.startsWith("_") ? "to_jsonb(" + c + ")" : c + "::text";
            };
            return "; snapsync carries no such type faithfully (value and equality): sync a view of the source that selects "
                    + cast + " instead, or leave the column out";
        }
    }
}
