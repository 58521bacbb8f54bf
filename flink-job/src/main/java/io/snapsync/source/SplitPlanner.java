package io.snapsync.source;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import java.io.Serializable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the snapshot read so that N readers each stream a share of the table through their own
 * cursor. When the first key column is an integer, splits are key ranges (index- and zone-map
 * friendly); otherwise rows are bucketed by a hash of the whole key. Either way the predicates cover
 * every row exactly once, including rows whose split column is NULL.
 */
public final class SplitPlanner {
    private SplitPlanner() {}

    public static String selectList(TableSchema schema, TableName table) {
        return "SELECT " + quoteAll(schema.columnNames()) + " FROM " + table.quoted();
    }

    /**
     * Range splits over [min, max] of an integer column. Binds per split: (noLower, lower, noUpper,
     * upper, withNulls). The first split is open below and takes NULLs, the last is open above.
     */
    public static SourceQuery byRange(TableSchema schema, TableName table, String column, long min, long max, int splits) {
        String sql = selectList(schema, table) + " WHERE " + rangePredicate(column);
        BigInteger lo = BigInteger.valueOf(min);
        BigInteger span = BigInteger.valueOf(max).subtract(lo).add(BigInteger.ONE);
        int n = (int) Math.max(1, Math.min(splits, span.min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue()));
        List<Serializable[]> params = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long from = lo.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n))).longValue();
            long to = lo.add(span.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(n))).longValue();
            boolean first = i == 0;
            boolean last = i == n - 1;
            params.add(new Serializable[] {first, first ? 0L : from, last, last ? 0L : to, first});
        }
        return new SourceQuery(sql, params.toArray(new Serializable[0][]), column);
    }

    /** The range splits' WHERE condition; binds (noLower, lower, noUpper, upper, withNulls), see {@link SplitRange#params}. */
    public static String rangePredicate(String column) {
        String c = quote(column);
        return "((CAST(? AS boolean) OR " + c + " >= ?) AND (CAST(? AS boolean) OR " + c + " < ?)) OR (CAST(? AS boolean) AND " + c + " IS NULL)";
    }

    /** Hash-bucket splits. Binds per split: (buckets, bucket). */
    public static SourceQuery byHash(TableSchema schema, TableName table, SourceDialect dialect, int splits) {
        String sql = selectList(schema, table) + " WHERE " + dialect.bucketPredicate(schema.keyColumns());
        Serializable[][] params = new Serializable[splits][];
        for (int i = 0; i < splits; i++) {
            params[i] = new Serializable[] {(long) splits, (long) i};
        }
        return new SourceQuery(sql, params);
    }

    public static SourceQuery single(TableSchema schema, TableName table) {
        return new SourceQuery(selectList(schema, table), null);
    }
}
