package io.snapsync.source;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What differs between source databases: how to spread rows over N buckets by key when the key has
 * no integer column to split by range. One implementation per database.
 */
public interface SourceDialect {

    /** A boolean SQL expression binding (buckets, bucket) that is true for exactly one bucket per row. */
    String bucketPredicate(List<String> keyColumns);

    /**
     * The ORDER BY list that sorts rows as {@code row.KeyOrder} compares keys: each key column ascending,
     * text in byte order of its UTF-8 encoding, NULLs last.
     */
    String orderBy(List<Column> keyColumns);

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

    /** PostgreSQL: hashtext over the key's row literal. */
    final class Postgres implements SourceDialect {
        @Override
        public String bucketPredicate(List<String> keyColumns) {
            String row = "ROW(" + keyColumns.stream().map(c -> quote(c)).collect(Collectors.joining(", ")) + ")::text";
            return "abs(mod(hashtext(" + row + ")::bigint, CAST(? AS bigint))) = CAST(? AS bigint)";
        }

        /** Text under the "C" collation: byte order, whatever the column's or the database's collation. */
        @Override
        public String orderBy(List<Column> keyColumns) {
            return keyColumns.stream().map(c -> quote(c.name()) + (c.type() == ColumnType.TEXT ? " COLLATE \"C\"" : "") + " ASC NULLS LAST")
                    .collect(Collectors.joining(", "));
        }
    }

    /** Redshift: FNV_HASH chained over the key columns (its documented way to hash several values). */
    final class Redshift implements SourceDialect {
        @Override
        public String bucketPredicate(List<String> keyColumns) {
            String h = null;
            for (String c : keyColumns) {
                h = h == null ? "FNV_HASH(" + quote(c) + ")" : "FNV_HASH(" + quote(c) + ", " + h + ")";
            }
            return "ABS(MOD(" + h + ", CAST(? AS BIGINT))) = CAST(? AS BIGINT)";
        }

        /**
         * Redshift orders strings by their binary UTF-8 bytes (it has no locale collations), except in a
         * case-insensitive column or database: COLLATE(c, 'case_sensitive') asks for the byte order there too.
         */
        @Override
        public String orderBy(List<Column> keyColumns) {
            return keyColumns.stream().map(c -> (c.type() == ColumnType.TEXT ? "COLLATE(" + quote(c.name()) + ", 'case_sensitive')" : quote(c.name()))
                    + " ASC NULLS LAST").collect(Collectors.joining(", "));
        }
    }
}
