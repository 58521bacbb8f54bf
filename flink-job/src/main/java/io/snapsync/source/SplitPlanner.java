package io.snapsync.source;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.row.KeyOrder;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the snapshot read so that N readers each stream a share of the table through their own
 * cursor. When the first key column's type has a proven order (integers, decimals, dates, timestamps, times,
 * text, floats and bytes on PostgreSQL), splits are ranges of it (index- and zone-map friendly, and read in key order they let the
 * diff merge with the cache's same range); a boolean, timetz or json first column of an ordered key (or a float or bytes one on
 * Redshift) takes one split; otherwise rows
 * are bucketed by a hash of the whole key. Either way the predicates cover
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
        Column c = schema.columns().stream().filter(x -> x.name().equals(column)).findFirst().orElseThrow();
        return byBounds(schema, table, new SourceDialect.Postgres(), c, new ArrayList<>(longBounds(min, max, splits)));
    }

    /**
     * Range splits of the first key column {@code column} at {@code bounds} (strictly ascending in the column's
     * order, as {@link #bounds} gives them): k bounds make k + 1 splits, the first open below and taking NULLs, the
     * last open above, so that every row, whatever its value, is in exactly one. No bounds: one split.
     */
    public static SourceQuery byBounds(TableSchema schema, TableName table, SourceDialect dialect, Column column, List<Serializable> bounds) {
        if (bounds.isEmpty()) {
            return single(schema, table);
        }
        String sql = selectList(schema, table) + " WHERE " + rangePredicate(dialect, column);
        Serializable[][] params = new Serializable[bounds.size() + 1][];
        for (int i = 0; i <= bounds.size(); i++) {
            boolean first = i == 0;
            boolean last = i == bounds.size();
            params[i] = new SplitRange(first, first ? null : bounds.get(i - 1), last, last ? null : bounds.get(i)).params();
        }
        return new SourceQuery(sql, params, column.name());
    }

    /**
     * The range splits' WHERE condition; binds (noLower, lower, noUpper, upper, withNulls), see {@link SplitRange#params}.
     * The column is compared as the dialect's ORDER BY sorts it ({@link SourceDialect#rangeExpression}), with the
     * bounds bound as values of its type, never written into the SQL.
     */
    public static String rangePredicate(SourceDialect dialect, Column column) {
        String e = dialect.rangeExpression(column);
        return "((CAST(? AS boolean) OR " + e + " >= ?) AND (CAST(? AS boolean) OR " + e + " < ?)) OR (CAST(? AS boolean) AND "
                + quote(column.name()) + " IS NULL)";
    }

    /**
     * Whether range splits can be planned on a first key column of this type: its order is proven (see row.KeyOrder)
     * and {@link #bounds} interpolates it. Not booleans (two values: at most two splits), timetz (no bound bound as
     * timetz is tried here; its order is by UTC time, then zone) nor json (ordered by its text, but a bound would have to
     * compare as {@code k::text} in the predicate, which no index serves: a range scan would read the table per split):
     * such a key whose every column is ordered takes one split and the ordered diff, see {@link #unsplit}.
     * Whether the database's comparison of the column agrees with that order is the dialect's call:
     * {@link #rangeable(ColumnType, SourceDialect)}.
     */
    public static boolean rangeable(ColumnType type) {
        return KeyOrder.ordered(type) && type != ColumnType.BOOLEAN && type != ColumnType.TIMETZ && type != ColumnType.JSON;
    }

    /** {@link #rangeable(ColumnType)}, and the dialect's range predicate puts every value of the type in one split. */
    public static boolean rangeable(ColumnType type, SourceDialect dialect) {
        return rangeable(type) && dialect.rangeSplits(type);
    }

    /**
     * How a key whose first column is not {@link #rangeable} is split: one split when the whole key has a proven order
     * (read in key order by one cursor, merged by the ordered diff: no shuffle, no sort, but one subtask reads the
     * table), else {@code splits} hash buckets (the keyed diff, every subtask reading).
     */
    public static SourceQuery unsplit(TableSchema schema, TableName table, SourceDialect dialect, int splits) {
        return KeyOrder.supports(schema) ? single(schema, table) : byHash(schema, table, dialect, splits);
    }

    /**
     * The interior bounds of about {@code splits} ranges over [min, max], the first key column's smallest and
     * largest finite non-NULL values as read (Long, BigDecimal, LocalDate, LocalDateTime, OffsetDateTime, LocalTime,
     * String, Double, byte[]; for floats neither NaN nor an infinity): strictly ascending in the column's order, each a value of the column's type that binds exactly.
     * Dates, timestamps and times are interpolated in their canonical numbers (days, microseconds), decimals at a
     * scale the column holds, text over its leading code points after the common prefix (see {@link #textBounds}), bytes
     * over their leading bytes after it (see {@link #bytesBounds}).
     * The bounds only balance the splits; correctness never depends on them, since the splits around them cover
     * everything. Fewer distinct values than splits: fewer bounds; min == max: none (one split).
     */
    public static List<Serializable> bounds(Column column, Object min, Object max, int splits) {
        if (min == null || max == null || splits <= 1) {
            return List.of();
        }
        List<Serializable> out = new ArrayList<>();
        switch (column.type()) {
            case INTEGER -> out.addAll(longBounds(((Number) min).longValue(), ((Number) max).longValue(), splits));
            case DATE -> {
                for (long d : longBounds(((LocalDate) min).toEpochDay(), ((LocalDate) max).toEpochDay(), splits)) {
                    out.add(LocalDate.ofEpochDay(d));
                }
            }
            case TIMESTAMP -> {
                for (long m : longBounds(micros((LocalDateTime) min), micros((LocalDateTime) max), splits)) {
                    out.add(Temporal.localDateTime(m));
                }
            }
            case TIMESTAMPTZ -> {
                for (long m : longBounds(micros(((OffsetDateTime) min).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()),
                        micros(((OffsetDateTime) max).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()), splits)) {
                    out.add(Temporal.localDateTime(m).atOffset(ZoneOffset.UTC));
                }
            }
            case TIME -> {
                long hi = max.equals(LocalTime.MAX) ? Temporal.MICROS_PER_DAY : ((LocalTime) max).toNanoOfDay() / 1000;
                for (long m : longBounds(((LocalTime) min).toNanoOfDay() / 1000, hi, splits)) {
                    if (m < Temporal.MICROS_PER_DAY) { // 24:00:00 has no LocalTime: one bound fewer
                        out.add(Temporal.localTime(m));
                    }
                }
            }
            case DECIMAL -> out.addAll(decimalBounds(column, (BigDecimal) min, (BigDecimal) max, splits));
            case TEXT -> out.addAll(textBounds((String) min, (String) max, splits));
            case BYTES -> out.addAll(bytesBounds((byte[]) min, (byte[]) max, splits));
            case FLOAT -> out.addAll(floatBounds(((Number) min).doubleValue(), ((Number) max).doubleValue(), splits));
            default -> throw new IllegalArgumentException("no range splits on a " + column.type() + " column");
        }
        return out;
    }

    /** lo + span * i / n for i in 1..n-1, span = hi - lo + 1, n at most span: strictly ascending, in (lo, hi]. */
    static List<Long> longBounds(long lo, long hi, int splits) {
        if (hi <= lo) {
            return List.of();
        }
        BigInteger from = BigInteger.valueOf(lo);
        BigInteger span = BigInteger.valueOf(hi).subtract(from).add(BigInteger.ONE);
        int n = (int) Math.max(1, Math.min(splits, span.min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue()));
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            out.add(from.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n))).longValue());
        }
        return out;
    }

    /** Significant bits a float bound keeps (see {@link #floatBounds}). */
    static final int FLOAT_BITS = 12;

    /**
     * lo + (hi - lo) * i/n for i in 1..n-1 (lo * (1 - i/n) + hi * i/n when hi - lo overflows), rounded down to
     * {@value #FLOAT_BITS} significant bits (so that its exact decimal expansion is short enough for UNLOAD's query text,
     * see unload.UnloadBuckets#literal, and a REAL column's values compare with it alike whether the database widens
     * them or narrows it), kept when finite and strictly above the previous bound; -0.0 is bound as 0.0, which the database and row.KeyOrder take as equal. Any
     * finite double binds exactly (pgjdbc sends it losslessly; PostgreSQL compares a REAL column with it after widening
     * the REAL exactly, as row.KeyOrder does). NaN and infinities are never bounds: NaN sorts above and compares
     * {@code >=} every number in PostgreSQL, so NaN and Infinity land in the last split (open above), -Infinity in the first.
     */
    static List<Double> floatBounds(double lo, double hi, int splits) {
        if (!(hi > lo) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            return List.of();
        }
        double span = hi - lo;
        List<Double> out = new ArrayList<>();
        for (int i = 1; i < splits; i++) {
            double t = (double) i / splits;
            double b = Double.isFinite(span) ? lo + span * t : lo * (1 - t) + hi * t; // the latter: lo < 0 < hi, no term overflows
            // a bound next to zero by rounding error (-0.3 + 0.9 / 3 is 5.5e-17) is zero: a long decimal otherwise
            b = Double.isFinite(span) && Math.abs(b) < Math.scalb(span, -FLOAT_BITS) ? 0.0 : roundBits(b);
            b = b == 0.0 ? 0.0 : b;
            if (Double.isFinite(b) && b > lo && b <= hi && (out.isEmpty() || b > out.get(out.size() - 1))) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * A finite double rounded toward negative infinity to at most {@value #FLOAT_BITS} significant bits: divided by the
     * power of two of its last kept bit (exact), floored, multiplied back (exact).
     */
    static double roundBits(double b) {
        if (!Double.isFinite(b) || b == 0.0) {
            return b;
        }
        // the exponent of its highest set bit (a subnormal's is below Double.MIN_EXPONENT), and no unit below 2^-1074
        int e = Math.getExponent(b) >= Double.MIN_EXPONENT ? Math.getExponent(b)
                : 63 - Long.numberOfLeadingZeros(Double.doubleToRawLongBits(Math.abs(b))) - 1074;
        double unit = Math.scalb(1.0, Math.max(e - (FLOAT_BITS - 1), -1074));
        return Math.floor(b / unit) * unit;
    }

    private static long micros(LocalDateTime t) {
        return Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC) - Temporal.PG_EPOCH_SECONDS, 1_000_000L), t.getNano() / 1000);
    }

    /**
     * Decimal bounds at the larger scale of min and max (both are column values, so the column holds it), more
     * digits only while the column declares them (an unconstrained numeric: up to 6 more) and the span has fewer
     * steps than splits. A bound with more decimals than the column's scale could be rounded by the database.
     */
    static List<BigDecimal> decimalBounds(Column column, BigDecimal min, BigDecimal max, int splits) {
        if (max.compareTo(min) <= 0) {
            return List.of();
        }
        int scale = Math.max(0, Math.max(min.stripTrailingZeros().scale(), max.stripTrailingZeros().scale()));
        int limit = column.precision() > 0 ? Math.max(scale, column.scale()) : scale + 6;
        while (scale < limit && max.subtract(min).movePointRight(scale).compareTo(BigDecimal.valueOf(splits)) < 0) {
            scale++;
        }
        BigInteger lo = min.setScale(scale, java.math.RoundingMode.UNNECESSARY).unscaledValue();
        BigInteger hi = max.setScale(scale, java.math.RoundingMode.UNNECESSARY).unscaledValue();
        BigInteger span = hi.subtract(lo).add(BigInteger.ONE);
        int n = span.compareTo(BigInteger.valueOf(splits)) < 0 ? span.intValue() : splits;
        List<BigDecimal> out = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            out.add(new BigDecimal(lo.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n))), scale));
        }
        return out;
    }

    /** Code points above the common prefix taken as digits of one number, enough to spread a few dozen splits. */
    private static final int TEXT_DIGITS = 3;
    private static final BigInteger CODE_POINTS = BigInteger.valueOf(Character.MAX_CODE_POINT + 1);

    /**
     * Text bounds between min and max in byte order of their UTF-8 (which is code point order): after their common
     * prefix, the next {@value #TEXT_DIGITS} code points of each (a missing one counts 0) read as a number in base
     * 0x110000 and interpolated. A digit that is no character of a valid string (0, which text cannot hold, or a
     * surrogate) is raised to the next one that is (1, U+E000): raising a digit never lowers the string, so the bounds
     * stay ascending; equal ones are dropped. Hand-written: no library interpolates strings in byte order.
     */
    static List<String> textBounds(String min, String max, int splits) {
        int[] a = min.codePoints().toArray();
        int[] b = max.codePoints().toArray();
        int k = 0;
        while (k < a.length && k < b.length && a[k] == b[k]) {
            k++;
        }
        BigInteger lo = textNumber(a, k);
        BigInteger hi = textNumber(b, k);
        if (hi.compareTo(lo) <= 0) {
            return List.of();
        }
        String prefix = new String(a, 0, k);
        BigInteger span = hi.subtract(lo);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < splits; i++) {
            BigInteger x = lo.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(splits)));
            int[] digits = new int[TEXT_DIGITS];
            for (int d = TEXT_DIGITS - 1; d >= 0; d--) {
                BigInteger[] qr = x.divideAndRemainder(CODE_POINTS);
                digits[d] = validCodePoint(qr[1].intValue());
                x = qr[0];
            }
            String bound = prefix + new String(digits, 0, TEXT_DIGITS);
            if (out.isEmpty() || compareUtf8(out.get(out.size() - 1), bound) < 0) {
                out.add(bound);
            }
        }
        return out;
    }

    /** Bytes above the common prefix taken as digits of one number (base 256), enough to spread a few thousand splits. */
    private static final int BYTE_DIGITS = 4;

    /**
     * Byte-string bounds between min and max in row.KeyOrder's order of bytes (unsigned, byte by byte, a prefix first; a
     * bytea's and a VARBYTE's): after their common prefix, the next {@value #BYTE_DIGITS} bytes of each (a missing one
     * counts 0) read as an unsigned number and interpolated, each bound the prefix and exactly {@value #BYTE_DIGITS}
     * bytes. Bounds of one length order as their numbers, so they ascend strictly (equal ones are dropped), and none is
     * empty. As for text, the bounds only balance the splits.
     */
    static List<byte[]> bytesBounds(byte[] min, byte[] max, int splits) {
        int k = java.util.Arrays.mismatch(min, max);
        if (k < 0 || java.util.Arrays.compareUnsigned(min, max) >= 0) {
            return List.of();
        }
        BigInteger lo = bytesNumber(min, k);
        BigInteger hi = bytesNumber(max, k);
        BigInteger span = hi.subtract(lo);
        List<byte[]> out = new ArrayList<>();
        BigInteger previous = null;
        for (int i = 1; i < splits; i++) {
            BigInteger x = lo.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(splits)));
            if (x.equals(previous)) {
                continue;
            }
            previous = x;
            byte[] bound = java.util.Arrays.copyOf(min, k + BYTE_DIGITS);
            byte[] digits = x.toByteArray(); // big-endian, maybe a leading sign byte 0: its last BYTE_DIGITS bytes
            for (int d = 0; d < BYTE_DIGITS; d++) {
                int from = digits.length - BYTE_DIGITS + d;
                bound[k + d] = from < 0 ? 0 : digits[from];
            }
            out.add(bound);
        }
        return out;
    }

    private static BigInteger bytesNumber(byte[] v, int from) {
        BigInteger n = BigInteger.ZERO;
        for (int d = 0; d < BYTE_DIGITS; d++) {
            n = n.shiftLeft(8).add(BigInteger.valueOf(from + d < v.length ? v[from + d] & 0xff : 0));
        }
        return n;
    }

    private static BigInteger textNumber(int[] cps, int from) {
        BigInteger v = BigInteger.ZERO;
        for (int d = 0; d < TEXT_DIGITS; d++) {
            int cp = from + d < cps.length ? cps[from + d] : 0;
            v = v.multiply(CODE_POINTS).add(BigInteger.valueOf(cp));
        }
        return v;
    }

    private static int validCodePoint(int cp) {
        if (cp == 0) {
            return 1;
        }
        return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? Character.MAX_SURROGATE + 1 : cp;
    }

    /** Byte order of the strings' UTF-8, as row.KeyOrder compares text. */
    static int compareUtf8(String x, String y) {
        return java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                y.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
