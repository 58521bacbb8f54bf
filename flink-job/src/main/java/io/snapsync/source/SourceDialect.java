package io.snapsync.source;

import static io.snapsync.schema.Identifiers.quote;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What differs between source databases: how to spread rows over N buckets by key when the key has
 * no integer column to split by range. One implementation per database.
 */
public interface SourceDialect {

    /** A boolean SQL expression binding (buckets, bucket) that is true for exactly one bucket per row. */
    String bucketPredicate(List<String> keyColumns);

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
    }
}
