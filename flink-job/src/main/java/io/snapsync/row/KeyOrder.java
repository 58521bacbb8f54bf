package io.snapsync.row;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The order of primary keys as the source database's {@code ORDER BY} returns them, on canonical key
 * bytes (see {@code row.CanonicalRowWriter}; keys travel as Latin-1 Strings, one char per byte, see
 * {@code row.Keys}). Column by column: integers, dates, timestamps and times as signed numbers (the
 * canonical value is the number PostgreSQL and Redshift order by; +/-infinity are Long.MAX/MIN and sort
 * last/first there too), decimals by value, text by its UTF-8 bytes unsigned, which is PostgreSQL's
 * {@code COLLATE "C"} and Redshift's binary UTF-8 order (the source query asks for exactly these, see
 * {@code source.SourceDialect#orderBy}), booleans false before true, bytes (bytea, VARBYTE) unsigned byte by byte,
 * a prefix first (PostgreSQL's {@code byteacmp}: memcmp over the common length, then the shorter first), floats
 * (REAL widened exactly to double) as PostgreSQL's {@code float8_cmp_internal}: -Infinity, negatives, zero (-0 = 0),
 * positives, Infinity, then NaN (all NaNs equal), and timetz as PostgreSQL's {@code timetz_cmp_internal}: by the UTC
 * time (the time of day minus the offset east, not wrapped into a day), then by the zone west of UTC ascending
 * (offset east descending), so that 12:00+02 and 11:00+01, one instant, are two keys in a fixed order. JSON keys (json,
 * jsonb, SUPER) as text: by the UTF-8 bytes of the value's text as read (PostgreSQL's output function, which is what
 * {@code k::text} gives too, so the source orders by {@code k::text COLLATE "C"}), unsigned, not by jsonb's own btree
 * order (which sorts objects by size first and is not reproduced here). Two jsonb values equal under jsonb's {@code =}
 * but of different text ({@code 1.0} and {@code 1.00}) cannot both be in one source column under a unique key; a key
 * whose text changes so between days is a delete and an insert, which the commit applies in that order.
 *
 * <p>Hand-written over the canonical bytes (no decoding to objects) because it runs several times per row and cache
 * entry. Not thread-safe: it reuses two buffers, so each thread (operator instance) has its own.
 */
public final class KeyOrder implements Serializable {
    private static final long serialVersionUID = 1L;
    static final Set<ColumnType> ORDERED = EnumSet.of(ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.DATE,
            ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.TIME, ColumnType.TEXT, ColumnType.BOOLEAN, ColumnType.BYTES,
            ColumnType.FLOAT, ColumnType.TIMETZ, ColumnType.JSON);

    /** This order in words, for the messages of a source or bucket that sorts or places rows otherwise. */
    public static final String DESCRIPTION = "integers, decimals, dates and times by value, floats by value with NaN last, "
            + "timetz by UTC time then offset east descending, text and json by the UTF-8 bytes of their text, bytes unsigned with a prefix first, "
            + "false before true, NULLs last";

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final String[] names;
    /** The two keys' bytes of the comparison under way, reused: an instance serves one thread. */
    private transient byte[] left;
    private transient byte[] right;

    public KeyOrder(TableSchema schema) {
        List<Column> key = schema.keyColumnList();
        if (!supports(schema)) {
            throw new IllegalArgumentException("no proven key order for " + key);
        }
        this.names = key.stream().map(Column::name).toArray(String[]::new);
    }

    /** True when every key column has a type whose database order this class reproduces. */
    public static boolean supports(TableSchema schema) {
        return !schema.keyColumnList().isEmpty() && schema.keyColumnList().stream().allMatch(c -> ORDERED.contains(c.type()));
    }

    /** Negative, zero or positive as key {@code a} sorts before, equal to or after key {@code b}. */
    public int compare(String a, String b) {
        // equal canonical bytes are equal keys (and unequal ones never compare 0): most cache entries meet their own key
        if (a.equals(b)) {
            return 0;
        }
        return Integer.signum(compareWithColumn(a, b));
    }

    /**
     * 0 when equal, else +/-(1 + the index of the key column that decides): a message can name the column.
     */
    public int compareWithColumn(String a, String b) {
        left = latin1(a, left);
        right = latin1(b, right);
        return compareBytes(left, a.length(), right, b.length());
    }

    /**
     * The key's bytes (one per char) copied into {@code buf}, grown when short: one array copy instead of a bounds-
     * and coder-checked charAt per byte, which was most of this comparator's cost.
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) takes each char's low byte: a Latin-1 key's bytes
    private static byte[] latin1(String s, byte[] buf) {
        byte[] out = buf != null && buf.length >= s.length() ? buf : new byte[Math.max(64, 2 * s.length())];
        s.getBytes(0, s.length(), out, 0);
        return out;
    }

    private int compareBytes(byte[] a, int la, byte[] b, int lb) {
        int pa = 0;
        int pb = 0;
        for (int col = 0; col < names.length; col++) {
            if (pa >= la || pb >= lb) {
                return Integer.compare(la - pa, lb - pb) * (col + 1);
            }
            byte ta = a[pa++];
            byte tb = b[pb++];
            if (ta == ColumnType.NULL_TAG || tb == ColumnType.NULL_TAG) {
                if (ta != tb) {
                    return (ta == ColumnType.NULL_TAG ? 1 : -1) * (col + 1); // NULLS LAST, as ORDER BY ... ASC
                }
                continue;
            }
            if (ta != tb) {
                throw new IllegalArgumentException("key column " + names[col] + " holds values of two types (tags " + ta + ", " + tb + ")");
            }
            int c;
            ColumnType type = ColumnType.ofTag(ta);
            switch (type) {
                case INTEGER, DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> {
                    within(pa + 8, la, col);
                    within(pb + 8, lb, col);
                    c = Long.compare((long) LONG.get(a, pa), (long) LONG.get(b, pb));
                    pa += 8;
                    pb += 8;
                }
                case FLOAT -> {
                    within(pa + 8, la, col);
                    within(pb + 8, lb, col);
                    c = compareFloat(Double.longBitsToDouble((long) LONG.get(a, pa)), Double.longBitsToDouble((long) LONG.get(b, pb)));
                    pa += 8;
                    pb += 8;
                }
                case TIMETZ -> {
                    within(pa + 12, la, col);
                    within(pb + 12, lb, col);
                    c = compareTimeTz((long) LONG.get(a, pa), (int) INT.get(a, pa + 8), (long) LONG.get(b, pb), (int) INT.get(b, pb + 8));
                    pa += 12;
                    pb += 12;
                }
                case BOOLEAN -> {
                    within(pa + 1, la, col);
                    within(pb + 1, lb, col);
                    c = Integer.compare(a[pa++], b[pb++]); // 0 (false) before 1 (true)
                }
                case TEXT, JSON, BYTES -> {
                    within(pa + 4, la, col);
                    within(pb + 4, lb, col);
                    int na = (int) INT.get(a, pa);
                    int nb = (int) INT.get(b, pb);
                    pa += 4;
                    pb += 4;
                    within(pa + na, la, col);
                    within(pb + nb, lb, col);
                    // unsigned bytes, a prefix first: UTF-8 byte order (text, and json as its text), and bytea's (and VARBYTE's) order
                    c = Arrays.compareUnsigned(a, pa, pa + na, b, pb, pb + nb);
                    pa += na;
                    pb += nb;
                }
                case DECIMAL -> {
                    within(pa + 8, la, col);
                    within(pb + 8, lb, col);
                    int na = (int) INT.get(a, pa + 4);
                    int nb = (int) INT.get(b, pb + 4);
                    within(pa + 8 + na, la, col);
                    within(pb + 8 + nb, lb, col);
                    BigDecimal da = new BigDecimal(new BigInteger(a, pa + 8, na), (int) INT.get(a, pa));
                    BigDecimal db = new BigDecimal(new BigInteger(b, pb + 8, nb), (int) INT.get(b, pb));
                    pa += 8 + na;
                    pb += 8 + nb;
                    c = da.compareTo(db);
                }
                default -> throw new IllegalArgumentException("key column " + names[col] + " has type " + type + ", which has no proven order");
            }
            if (c != 0) {
                return (c < 0 ? -1 : 1) * (col + 1);
            }
        }
        return 0;
    }

    /**
     * PostgreSQL's float order ({@code float8_cmp_internal}): NaN above everything and equal to itself, -0 equal to 0.
     * The canonical encoding already writes one NaN and no -0; the comparison does not rely on it.
     */
    static int compareFloat(double x, double y) {
        return Double.compare(x == 0.0 ? 0.0 : x, y == 0.0 ? 0.0 : y); // Double.compare: NaN last, all NaNs equal
    }

    /**
     * PostgreSQL's timetz order ({@code timetz_cmp_internal}, src/backend/utils/adt/date.c): first by
     * {@code time + zone}, zone being seconds WEST of UTC, i.e. micros of day minus the offset east (no modulo: 00:30+01
     * is -30 minutes, before 23:00+00), then by zone ascending, i.e. offset east descending.
     */
    static int compareTimeTz(long microsA, int eastA, long microsB, int eastB) {
        int c = Long.compare(microsA - eastA * 1_000_000L, microsB - eastB * 1_000_000L);
        return c != 0 ? c : Integer.compare(eastB, eastA);
    }

    /** A field running past its key's end (the buffer holds stale bytes there) is refused, not read. */
    private void within(int end, int length, int col) {
        if (end > length || end < 0) {
            throw new IllegalArgumentException("key column " + names[col] + ": truncated key (" + length + " bytes)");
        }
    }

    /** The key column named by a {@link #compareWithColumn} result. */
    public String column(int compareResult) {
        return names[Math.abs(compareResult) - 1];
    }

    /**
     * True when values of {@code type} have an order this class reproduces. Whether a first key column of the type can
     * also be split into ranges is the split planner's call ({@code source.SplitPlanner#rangeable}).
     */
    public static boolean ordered(ColumnType type) {
        return ORDERED.contains(type);
    }

    /**
     * The order of the first key column alone: range splits are on it, and it compares a whole key with a bound
     * (a canonical key of that one column) by their first fields only.
     */
    public static KeyOrder ofFirstColumn(TableSchema schema) {
        Column first = schema.keyColumnList().get(0);
        return new KeyOrder(new TableSchema(List.of(first), List.of(first.name())));
    }

    /** The first key column's value when it is an INTEGER; null otherwise or when NULL (tests read keys with it). */
    public static Long firstInteger(String key) {
        if (key.isEmpty() || (byte) key.charAt(0) != ColumnType.INTEGER.tag) {
            return null;
        }
        return getLong(key, 1);
    }

    private static long getLong(String s, int p) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (s.charAt(p + i) & 0xFF);
        }
        return v;
    }
}
