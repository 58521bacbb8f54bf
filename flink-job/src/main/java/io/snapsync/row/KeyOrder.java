package io.snapsync.row;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
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
 * {@code source.SourceDialect#orderBy}). Other key types have no proven order: {@link #supports} says no
 * and the table takes the keyed diff.
 *
 * <p>Hand-written over the canonical bytes (no decoding to objects) because it runs once per row and cache entry.
 */
public final class KeyOrder implements Serializable {
    private static final long serialVersionUID = 1L;
    static final Set<ColumnType> ORDERED = EnumSet.of(ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.DATE,
            ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.TIME, ColumnType.TEXT);

    private final String[] names;

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
        return Integer.signum(compareWithColumn(a, b));
    }

    /**
     * 0 when equal, else +/-(1 + the index of the key column that decides): a message can name the column.
     */
    public int compareWithColumn(String a, String b) {
        int pa = 0;
        int pb = 0;
        for (int col = 0; col < names.length; col++) {
            if (pa >= a.length() || pb >= b.length()) {
                return Integer.compare(a.length() - pa, b.length() - pb) * (col + 1);
            }
            byte ta = (byte) a.charAt(pa++);
            byte tb = (byte) b.charAt(pb++);
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
                    c = Long.compare(getLong(a, pa), getLong(b, pb));
                    pa += 8;
                    pb += 8;
                }
                case TEXT -> {
                    int la = getInt(a, pa);
                    int lb = getInt(b, pb);
                    pa += 4;
                    pb += 4;
                    c = 0;
                    int n = Math.min(la, lb);
                    for (int i = 0; i < n && c == 0; i++) {
                        c = Character.compare(a.charAt(pa + i), b.charAt(pb + i)); // Latin-1 chars: unsigned bytes
                    }
                    if (c == 0) {
                        c = Integer.compare(la, lb);
                    }
                    pa += la;
                    pb += lb;
                }
                case DECIMAL -> {
                    BigDecimal da = decimal(a, pa);
                    BigDecimal db = decimal(b, pb);
                    pa += 8 + getInt(a, pa + 4);
                    pb += 8 + getInt(b, pb + 4);
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

    /** The key column named by a {@link #compareWithColumn} result. */
    public String column(int compareResult) {
        return names[Math.abs(compareResult) - 1];
    }

    /** True when values of {@code type} have an order this class reproduces (a key of them can be split into ranges). */
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

    /** The first key column's value when it is an INTEGER (range splits are on it); null when NULL. */
    public static Long firstInteger(String key) {
        if (key.isEmpty() || (byte) key.charAt(0) != ColumnType.INTEGER.tag) {
            return null;
        }
        return getLong(key, 1);
    }

    private static BigDecimal decimal(String s, int p) {
        int scale = getInt(s, p);
        int n = getInt(s, p + 4);
        byte[] unscaled = new byte[n];
        for (int i = 0; i < n; i++) {
            unscaled[i] = (byte) s.charAt(p + 8 + i);
        }
        return new BigDecimal(new BigInteger(unscaled), scale);
    }

    private static long getLong(String s, int p) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (s.charAt(p + i) & 0xFF);
        }
        return v;
    }

    private static int getInt(String s, int p) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (s.charAt(p + i) & 0xFF);
        }
        return v;
    }
}
