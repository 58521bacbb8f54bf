package io.snapsync.source;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What differs between source databases: how to spread rows over N buckets by key when the key has
 * no integer column to split by range, how to order by key, and how a snapshot read's values travel.
 * One implementation per database.
 */
public interface SourceDialect {

    /**
     * Connection properties a snapshot read's connection gets unless the configuration sets them. None by
     * default: the driver's own transfer (text values), which every pgjdbc-derived driver speaks.
     */
    default Map<String, String> readProperties() {
        return Map.of();
    }

    /** Readies a snapshot read's statement before it runs. Nothing by default. */
    default void prepareRead(PreparedStatement statement) throws SQLException {
    }

    /**
     * Whether {@code getBytes} of a text column of this result set gives the value's UTF-8 bytes as sent by the
     * server, so that the encoder may take ASCII text as bytes ({@code row.JdbcRowEncoder#textAsBytes}). No by default.
     */
    default boolean textAsBytes(java.sql.ResultSet rs) throws SQLException {
        return false;
    }

    /**
     * Per column of this result set, whether {@code getBytes} hands out the server's binary form of the value
     * ({@code row.JdbcRowEncoder#binaryColumns}); null (none) by default.
     */
    default boolean[] binaryColumns(java.sql.ResultSet rs) throws SQLException {
        return null;
    }

    /** The dialect of a database read over JDBC (the source, or the live target that reconcile reads). */
    static SourceDialect of(JdbcEndpoint endpoint) {
        return endpoint.isRedshift() ? new Redshift() : new Postgres();
    }

    /** A boolean SQL expression binding (buckets, bucket) that is true for exactly one bucket per row. */
    String bucketPredicate(List<String> keyColumns);

    /**
     * The ORDER BY list that sorts rows as {@code row.KeyOrder} compares keys: each key column ascending,
     * text in byte order of its UTF-8 encoding, NULLs last.
     */
    String orderBy(List<Column> keyColumns);

    /**
     * The first key column as range splits compare it with their bounds (and as min/max find them): in the order
     * {@link #orderBy} sorts by, {@code row.KeyOrder}'s. The column itself, except text.
     */
    default String rangeExpression(Column column) {
        return quote(column.name());
    }

    /**
     * Whether range splits on a first key column of this (ordered, see {@code SplitPlanner#rangeable}) type put every
     * row in exactly one split: the predicate {@code k >= lower AND k < upper} must compare as {@code row.KeyOrder}
     * does, NaN included. Yes by default.
     */
    default boolean rangeSplits(ColumnType type) {
        return true;
    }

    static SourceDialect forUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:redshift:")) {
            return new Redshift();
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return new Postgres();
        }
        throw new IllegalArgumentException("unsupported source URL (expected jdbc:redshift: or jdbc:postgresql:): "
                + jdbcUrl.replaceAll("\\?.*", ""));
    }

    /**
     * PostgreSQL: hashtext over the key's row literal; values of fixed-layout types in binary. pgjdbc decodes
     * numeric, date and timestamp text through Strings and parsers, and that decoding was the largest share of
     * a day 2's CPU; in binary the server skips formatting them too. Binary needs a server-prepared statement,
     * which pgjdbc makes only from the 5th execution, or from the first at a negative prepare threshold. Only
     * types read with a typed getter are listed (not timetz or uuid, read as text: their binary forms would
     * come back through getString formatted differently); the decoded values are the same on both paths
     * ({@code source.BinaryTransferTest}), so canonical bytes and hashes do not change. Text that is plain ASCII
     * is taken as the bytes pgjdbc received ({@link #textAsBytes}), not decoded into a String and encoded back.
     */
    final class Postgres implements SourceDialect {
        /** The Oid names pgjdbc's binaryTransferEnable takes. */
        static final String BINARY_TYPES = "INT2,INT4,INT8,FLOAT4,FLOAT8,NUMERIC,DATE,TIMESTAMP,TIMESTAMPTZ,TIME,BYTEA";

        @Override
        public Map<String, String> readProperties() {
            // binaryTransfer=false drops pgjdbc's default list (which holds uuid, timetz, arrays, geometric types)
            return Map.of("binaryTransfer", "false", "binaryTransferEnable", BINARY_TYPES);
        }

        /**
         * pgjdbc's own result set (not a wrapper, which might change what getString returns) hands out a text
         * column's wire bytes from getBytes (client_encoding is UTF8 in pgjdbc) without copying them.
         */
        @Override
        public boolean textAsBytes(java.sql.ResultSet rs) {
            return rs instanceof org.postgresql.jdbc.PgResultSet;
        }

        /** pgjdbc's own result set returns a binary column's wire bytes from getBytes, as received. */
        @Override
        public boolean[] binaryColumns(java.sql.ResultSet rs) throws SQLException {
            if (!(rs instanceof org.postgresql.jdbc.PgResultSet)) {
                return null;
            }
            org.postgresql.PGResultSetMetaData md = rs.getMetaData().unwrap(org.postgresql.PGResultSetMetaData.class);
            boolean[] binary = new boolean[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = md.getFormat(i + 1) == 1;
            }
            return binary;
        }

        @Override
        public void prepareRead(PreparedStatement statement) throws SQLException {
            // a wrapping driver (a stand-in in tests, a pool) that does not expose pgjdbc's statement reads as text
            // (a wrapper may answer isWrapperFor yet unwrap to something else: checked, not cast)
            Class<?> pgStatement = org.postgresql.PGStatement.class;
            if (statement.isWrapperFor(pgStatement) && statement.unwrap(pgStatement) instanceof org.postgresql.PGStatement pg) {
                pg.setPrepareThreshold(-1);
            }
        }

        @Override
        public String bucketPredicate(List<String> keyColumns) {
            String row = "ROW(" + keyColumns.stream().map(c -> quote(c)).collect(Collectors.joining(", ")) + ")::text";
            return "abs(mod(hashtext(" + row + ")::bigint, CAST(? AS bigint))) = CAST(? AS bigint)";
        }

        /** Text under the "C" collation, as {@link #orderBy}: the bounds compare by bytes too. */
        @Override
        public String rangeExpression(Column column) {
            return column.type() == ColumnType.TEXT ? textInByteOrder(column) : quote(column.name());
        }

        /**
         * Text under the "C" collation: byte order, whatever the column's or the database's collation. JSON (json,
         * jsonb) as its text under "C": {@code k::text} is the type's output function, the text pgjdbc's getString
         * returns (what the canonical row holds), so the rows come in byte order of exactly those bytes
         * ({@code source.JsonKeyOrderTest} checks both on edge values).
         */
        @Override
        public String orderBy(List<Column> keyColumns) {
            return keyColumns.stream().map(c -> (c.type() == ColumnType.TEXT || c.type() == ColumnType.JSON ? textInByteOrder(c) : quote(c.name()))
                    + " ASC NULLS LAST").collect(Collectors.joining(", "));
        }

        /**
         * The value as text under "C": a column read as text may be of a type that takes no collation (uuid) or that
         * compares its own way under any (citext, case-insensitively); as text, each compares by the bytes the rows
         * carry (a no-op for text and varchar). Not char(n): as text it would lose the trailing blanks its rows and
         * bounds carry; under "C" it compares by bytes as it is.
         */
        private static String textInByteOrder(Column c) {
            return quote(c.name()) + (c.sqlType().startsWith("char(") ? "" : "::text") + " COLLATE \"C\"";
        }
    }

    /** Redshift: FNV_HASH chained over the key columns (its documented way to hash several values). */
    final class Redshift implements SourceDialect {
        /**
         * Not floats: Redshift documents REAL and DOUBLE PRECISION as IEEE 754 but not how NaN compares or sorts. Were
         * {@code NaN >= x} false (IEEE comparison), a NaN key would be in no split, read as a delete: a loss the order
         * check cannot see. One split reads every row; its ORDER BY is checked against row.KeyOrder as it streams.
         * Not bytes: AWS documents VARBYTE's comparison operators but not how a JDBC parameter (setBytes) binds as a
         * VARBYTE, so a bound might compare as something else; one split, as for floats.
         */
        @Override
        public boolean rangeSplits(ColumnType type) {
            return type != ColumnType.FLOAT && type != ColumnType.BYTES;
        }

        @Override
        public String bucketPredicate(List<String> keyColumns) {
            String h = null;
            for (String c : keyColumns) {
                h = h == null ? "FNV_HASH(" + quote(c) + ")" : "FNV_HASH(" + quote(c) + ", " + h + ")";
            }
            return "ABS(MOD(" + h + ", CAST(? AS BIGINT))) = CAST(? AS BIGINT)";
        }

        /**
         * Text compared case-sensitively, as {@link #orderBy} sorts it: Redshift compares strings by their binary
         * UTF-8 bytes. Not verifiable here (no Redshift): the predicate's plausibility rests on Redshift's documentation.
         */
        @Override
        public String rangeExpression(Column column) {
            return column.type() == ColumnType.TEXT ? "COLLATE(" + quote(column.name()) + ", 'case_sensitive')" : quote(column.name());
        }

        /**
         * Redshift orders strings by their binary UTF-8 bytes (it has no locale collations), except in a
         * case-insensitive column or database: COLLATE(c, 'case_sensitive') asks for the byte order there too.
         * A SUPER key (JSON here) by its text: AWS documents no order of SUPER values themselves, so the key is
         * serialized ({@code JSON_SERIALIZE}, a VARCHAR) and ordered as text; NULL is kept NULL (JSON_SERIALIZE of NULL
         * is documented as the string 'null', which would sort among the values). That this text is byte for byte what
         * the driver's getString returns for SUPER is not documented and not verifiable here (no Redshift): if Redshift
         * returned the rows in another order, the merge's order check fails the table before the target is touched.
         */
        @Override
        public String orderBy(List<Column> keyColumns) {
            return keyColumns.stream().map(c -> (c.type() == ColumnType.TEXT ? "COLLATE(" + quote(c.name()) + ", 'case_sensitive')"
                            : c.type() == ColumnType.JSON ? "COLLATE(CASE WHEN " + quote(c.name()) + " IS NULL THEN NULL ELSE JSON_SERIALIZE("
                                    + quote(c.name()) + ") END, 'case_sensitive')"
                            : quote(c.name()))
                    + " ASC NULLS LAST").collect(Collectors.joining(", "));
        }
    }
}
