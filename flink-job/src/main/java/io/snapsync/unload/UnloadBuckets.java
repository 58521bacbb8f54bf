package io.snapsync.unload;

import io.snapsync.row.KeyOrder;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.Identifiers;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitRange;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The key-range buckets of a bucketed UNLOAD: the JDBC path's range splits ({@code source.SplitPlanner} bounds over the
 * first key column's min and max), written by Redshift into one Hive-style folder per split
 * ({@code <location>__snapsync_split=<n>/}) through an extra column and {@code PARTITION BY}, so that the job can read
 * each split's files, sort them by key and take the ordered diff. Pure: unit-tested.
 *
 * <p>Only a first key column whose bounds Java renders from numbers is bucketed: INTEGER (Java longs), DECIMAL
 * (BigDecimal's plain digits), DATE, TIMESTAMP, TIMESTAMPTZ (in UTC, with an explicit {@code +00}) and TIME (cast
 * literals whose fields Java formats from the value's numbers, e.g. {@code CAST('2024-03-01 12:00:00.000000' AS TIMESTAMP)}),
 * and VARCHAR / TEXT, compared as bytes: {@code CAST("k" AS VARBYTE) < FROM_HEX('6d')}, the hex digits Java's rendering
 * of the bound's UTF-8 bytes (numbers, not the string: see {@link #literal}), and BYTES (bytea, VARBYTE), compared as
 * they are: {@code "k" < FROM_HEX('00ff')}, and FLOAT (REAL, DOUBLE PRECISION), compared with
 * {@code CAST(<exact decimal> AS DOUBLE PRECISION)}: the CASE's {@code <} is false for NaN, which so lands in the last
 * bucket (ELSE), where row.KeyOrder puts it; -Infinity lands in the first, Infinity in the last. These are written into the UNLOAD query
 * literal (nothing can be bound there), so no string from data or config ever reaches the SQL. A bound that cannot be
 * rendered so (a year outside 1 to 9999, a fraction finer than microseconds, a decimal of more than 38 digits) unloads
 * that run unbucketed: the keyed diff. CHAR(n) first keys are not bucketed (see {@link #whyNot}).
 */
public final class UnloadBuckets {
    /** The partition column UNLOAD writes the split index to; a source column of this name is not bucketed. */
    public static final String SPLIT_COLUMN = "__snapsync_split";
    /** Row bytes per bucket the planner aims at (the rows of one bucket are held in memory while it is sorted). */
    public static final long TARGET_BUCKET_BYTES = 64L << 20;
    /** At most this many buckets (the CASE grows with them, and UNLOAD writes a file per slice and bucket). */
    public static final int MAX_BUCKETS = 2048;
    /**
     * Default of {@code source.unload.max-bucket-mb}: the memory one subtask's sort of a bucket holds (by
     * {@link #heldBytes}); a larger bucket spills sorted runs to the job's spill directory.
     */
    public static final int DEFAULT_MAX_BUCKET_MB = 256;
    /** The sort's budget for {@code max-bucket-mb: 0}: small, so that tests and the bench make buckets spill. */
    public static final long MIN_SORT_BUDGET = 64L << 10;

    /** First key column types whose split bounds {@link #literal} renders from numbers. */
    static final java.util.Set<ColumnType> BOUNDED = java.util.EnumSet.of(ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.DATE,
            ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.TIME, ColumnType.TEXT, ColumnType.BYTES, ColumnType.FLOAT);
    /** What a hex literal may hold: lower-case hex digits, nothing that could end the literal or the query. */
    private static final java.util.regex.Pattern HEX = java.util.regex.Pattern.compile("^[0-9a-f]*$");
    /** What a float bound's literal may hold: a plain decimal, no exponent, nothing else. */
    private static final java.util.regex.Pattern FLOAT_LITERAL = java.util.regex.Pattern.compile("^-?[0-9]+(\\.[0-9]+)?$");
    /** Redshift's largest DECIMAL precision: a bound of more digits is not a value of the column. */
    static final int MAX_DECIMAL_DIGITS = 38;

    private UnloadBuckets() {}

    /** Why a table cannot be unloaded into key-range buckets (it takes the keyed diff), or null when it can. */
    public static String whyNot(TableSchema schema) {
        if (!KeyOrder.supports(schema)) {
            return "a key column has no proven order";
        }
        Column first = schema.keyColumnList().get(0);
        if (!BOUNDED.contains(first.type())) {
            return "the first key column " + Identifiers.quote(first.name()) + " is " + first.sqlType()
                    + ": only integer, decimal, date, timestamp, time, varchar, varbyte and float bounds are written into UNLOAD's query text";
        }
        if (first.type() == ColumnType.TEXT && !first.sqlType().equals("text") && !first.sqlType().startsWith("varchar(")) {
            // CHAR(n): Redshift's cast to VARBYTE pads the value with spaces to n bytes, and whether UNLOAD's Parquet holds
            // the padded value (the key snapsync orders) is not documented: padded and unpadded bytes order differently
            // before a byte below the space ('a' < 'a<TAB>' unpadded, 'a ' > 'a<TAB>' padded)
            return "the first key column " + Identifiers.quote(first.name()) + " is " + first.sqlType()
                    + ": a CHAR(n) key's bytes as Redshift compares them (padded with spaces) may not be the key snapsync orders";
        }
        if (schema.columnNames().contains(SPLIT_COLUMN)) {
            return "the table has a column named " + SPLIT_COLUMN;
        }
        return null;
    }

    /**
     * The interior bounds of range splits planned on the first key column (k bounds: k + 1 buckets); none for a single
     * split. Splits that are not key ranges (hash buckets: the planner's answer to a decimal NaN) or bounds of a type
     * {@link #literal} does not render are refused (IllegalArgumentException): that run unloads unbucketed.
     */
    public static List<Serializable> bounds(SourceQuery q) {
        if (q.splitCount() > 1 && q.rangeColumn() == null) {
            throw new IllegalArgumentException("the source was split by a hash of the key, not into key ranges");
        }
        List<Serializable> out = new ArrayList<>();
        for (int i = 0; i + 1 < q.splitCount(); i++) {
            SplitRange r = q.range(i);
            if (!(r.upper() instanceof Long || r.upper() instanceof BigDecimal || r.upper() instanceof LocalDate
                    || r.upper() instanceof LocalDateTime || r.upper() instanceof OffsetDateTime || r.upper() instanceof LocalTime
                    || r.upper() instanceof String || r.upper() instanceof byte[] || r.upper() instanceof Double)) {
                throw new IllegalArgumentException("UNLOAD buckets need integer, decimal, date, timestamp, time, text, bytes or float bounds, got " + r);
            }
            out.add(r.upper());
        }
        return out;
    }

    /**
     * A bound as SQL, rendered from its numbers only: a long as Java prints it; a decimal as its plain digits (at most
     * {@value #MAX_DECIMAL_DIGITS} significant, at most 37
     * decimals as a Redshift DECIMAL holds; sign and point, no exponent); a date, timestamp or time as a cast of the ISO form
     * (year first, four digits, so read as year-month-day whatever the session's DateStyle order; six fraction digits,
     * both databases' microseconds) that String.format prints from its fields; a TIMESTAMPTZ in UTC with an explicit
     * {@code +00}, so the session's time zone plays no part. Years 1 to 9999 only, fractions of whole microseconds only
     * (what the canonical encoding keeps: a finer bound would compare differently here and there), not
     * {@link LocalTime#MAX} (the canonical 24:00:00). A text bound as {@code FROM_HEX('<hex>')}, a VARBYTE of its UTF-8
     * bytes (the bytes row.KeyOrder compares, see {@code SplitRange#canonical}); not the string concatenated into SQL
     * but Java's hex digits of its bytes, checked to be {@code [0-9a-f]} only; a string that does not encode to UTF-8
     * and back (a lone surrogate) or is empty is refused. A bytes bound as {@code FROM_HEX('<hex>')} of its bytes, Java's
     * hex digits likewise; an empty one is refused. A float bound (finite, as source.SplitPlanner#floatBounds plans
     * them, of few significant bits) as {@code CAST(<digits> AS DOUBLE PRECISION)}, the digits its exact decimal expansion
     * (BigDecimal's plain string of the double: any correct decimal-to-double conversion gives that double back), at
     * most {@value #MAX_DECIMAL_DIGITS} digits and 37 decimals as a Redshift DECIMAL literal holds. Anything else is refused (IllegalArgumentException): the table
     * is then unloaded without buckets and takes the keyed diff, never a bucket that disagrees with row.KeyOrder.
     */
    static String literal(Serializable bound) {
        if (bound instanceof String v) {
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            String hex = HexFormat.of().formatHex(utf8);
            if (v.isEmpty() || !new String(utf8, StandardCharsets.UTF_8).equals(v) || !HEX.matcher(hex).matches()) {
                throw refused(bound);
            }
            return "FROM_HEX('" + hex + "')";
        }
        if (bound instanceof byte[] v) {
            String hex = HexFormat.of().formatHex(v);
            if (v.length == 0 || !HEX.matcher(hex).matches()) {
                throw refused(bound);
            }
            return "FROM_HEX('" + hex + "')";
        }
        if (bound instanceof Long v) {
            return Long.toString(v);
        }
        if (bound instanceof Double v && Double.isFinite(v)) {
            BigDecimal exact = new BigDecimal(v);
            String s = exact.toPlainString();
            if (!FLOAT_LITERAL.matcher(s).matches() || s.replaceAll("[-.]", "").length() > MAX_DECIMAL_DIGITS
                    || exact.scale() > MAX_DECIMAL_DIGITS - 1 || Double.parseDouble(s) != v) {
                throw refused(bound);
            }
            return "CAST(" + s + " AS DOUBLE PRECISION)";
        }
        if (bound instanceof BigDecimal v) {
            String s = v.toPlainString();
            if (!s.matches("-?[0-9]+(\\.[0-9]+)?") || v.precision() > MAX_DECIMAL_DIGITS || v.scale() > MAX_DECIMAL_DIGITS - 1) {
                throw refused(bound);
            }
            return s;
        }
        if (bound instanceof LocalDate d && inYears(d.getYear())) {
            return String.format(Locale.ROOT, "CAST('%04d-%02d-%02d' AS DATE)", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
        }
        if (bound instanceof LocalDateTime t && inYears(t.getYear()) && t.getNano() % 1000 == 0) {
            return "CAST('" + timestamp(t) + "' AS TIMESTAMP)";
        }
        if (bound instanceof OffsetDateTime t && !t.equals(OffsetDateTime.MIN) && !t.equals(OffsetDateTime.MAX)) {
            LocalDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            if (inYears(utc.getYear()) && utc.getNano() % 1000 == 0) {
                return "CAST('" + timestamp(utc) + "+00' AS TIMESTAMPTZ)";
            }
        }
        if (bound instanceof LocalTime t && !t.equals(LocalTime.MAX) && t.getNano() % 1000 == 0) {
            return "CAST('" + time(t) + "' AS TIME)";
        }
        throw refused(bound);
    }

    private static boolean inYears(int year) {
        return year >= 1 && year <= 9999;
    }

    private static String timestamp(LocalDateTime t) {
        return String.format(Locale.ROOT, "%04d-%02d-%02d ", t.getYear(), t.getMonthValue(), t.getDayOfMonth()) + time(t.toLocalTime());
    }

    private static String time(LocalTime t) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%06d", t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000);
    }

    /**
     * The first key column as the CASE compares it with the bounds: a text column cast to VARBYTE (its UTF-8 bytes,
     * compared byte by byte, a prefix first: row.KeyOrder's text order whatever the column's collation, e.g. a
     * case-insensitive one), any other type as itself (a bytes column is a VARBYTE already, compared byte by byte
     * unsigned, a prefix first, as row.KeyOrder orders bytes).
     */
    static String compared(Column first) {
        String k = Identifiers.quote(first.name());
        return first.type() == ColumnType.TEXT ? "CAST(" + k + " AS VARBYTE)" : k;
    }

    /**
     * {@link #literal}, and for a REAL column only a bound that is a float too: compared with it, a REAL value gives the
     * same answer whether the database widens the value to double precision (as PostgreSQL does, and row.KeyOrder
     * compares) or narrows the bound to real (exact for such a bound), which Redshift does not document.
     */
    static String literal(Column first, Serializable bound) {
        if (first.type() == ColumnType.FLOAT && first.width() == 4 && bound instanceof Double d && (double) (float) (double) d != d) {
            throw refused(bound);
        }
        return literal(bound);
    }

    private static IllegalArgumentException refused(Serializable bound) {
        return new IllegalArgumentException("the split bound " + SplitRange.show(bound) + " cannot be written as a literal into UNLOAD's query");
    }

    /**
     * The split index of a row, as SQL over the first key column: {@code CASE WHEN "k" IS NULL OR "k" < b1 THEN 0 WHEN
     * "k" < b2 THEN 1 ... ELSE n END}, the ranges of {@code source.SplitRange} (the first open below and taking NULLs,
     * the last open above: every row in exactly one); a text column compared as {@code CAST("k" AS VARBYTE)}
     * ({@link #compared}). The literals are Java's rendering of numbers ({@link #literal}: digits, or the hex digits of a
     * text bound's bytes), never text from data or config: UNLOAD's query is a string literal where nothing can be bound.
     */
    public static String caseExpression(Column first, List<? extends Serializable> bounds) {
        if (bounds.isEmpty()) {
            return "0";
        }
        String k = Identifiers.quote(first.name());
        String c = compared(first);
        StringBuilder sb = new StringBuilder("CASE");
        for (int i = 0; i < bounds.size(); i++) {
            sb.append(" WHEN ");
            if (i == 0) {
                sb.append(k).append(" IS NULL OR ");
            }
            sb.append(c).append(" < ").append(literal(first, bounds.get(i))).append(" THEN ").append(i);
        }
        return sb.append(" ELSE ").append(bounds.size()).append(" END").toString();
    }

    /**
     * The split index of an unloaded file from its URL: {@code <location>__snapsync_split=<n>/<file>} with n in
     * [0, buckets). Throws naming the file when the path says otherwise (another folder, the NULL partition
     * {@code __HIVE_DEFAULT_PARTITION__}, a number out of range): a file that belongs to no known split cannot be merged.
     */
    public static int bucketOf(String url, String location, int buckets) {
        String folder = SPLIT_COLUMN + "=";
        if (!url.startsWith(location + folder)) {
            throw new IllegalArgumentException("UNLOAD file " + url + " is not in a " + folder + "<n>/ folder of " + location
                    + ", so its key range is unknown; nothing applied");
        }
        String rest = url.substring(location.length() + folder.length());
        int slash = rest.indexOf('/');
        String value = slash < 0 ? "" : rest.substring(0, slash);
        if (!value.matches("[0-9]{1,9}") || Integer.parseInt(value) >= buckets || rest.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("UNLOAD file " + url + " is in partition " + folder + value + ", not one of the "
                    + buckets + " key-range splits; nothing applied");
        }
        return Integer.parseInt(value);
    }

    /**
     * How many buckets: at least {@code splits}, and enough that {@code rows} of about {@code rowBytes} each give about
     * {@link #TARGET_BUCKET_BYTES} per bucket, at most {@link #MAX_BUCKETS}.
     */
    public static int count(int splits, long rows, long rowBytes) {
        long bySize = rows <= 0 ? 1 : (rows * Math.max(1, rowBytes) + TARGET_BUCKET_BYTES - 1) / TARGET_BUCKET_BYTES;
        return (int) Math.min(MAX_BUCKETS, Math.max(Math.max(1, splits), bySize));
    }

    /**
     * A row's bytes in memory, estimated from the schema before anything is read: object overhead, the key, and per
     * column its canonical width (text: its declared length up to 256, else 64).
     */
    public static long rowBytes(TableSchema schema) {
        long bytes = ROW_OVERHEAD;
        for (Column c : schema.columns()) {
            bytes += 1 + switch (c.type()) {
                case TEXT, JSON, BYTES, TIMETZ -> 4 + (c.width() > 0 && c.width() < 256 ? c.width() : 64);
                case DECIMAL -> 24;
                default -> 8;
            };
        }
        for (Column c : schema.keyColumnList()) {
            bytes += c.type() == ColumnType.TEXT ? 64 : 9;
        }
        return bytes;
    }

    /** Per row held in memory besides its bytes: the row object, its key String and byte array headers. */
    static final long ROW_OVERHEAD = 128;

    /**
     * A bucket's rows in memory, estimated from what the manifest says of its files: their Parquet bytes expanded four
     * times (Parquet's compression and encodings), plus the per-row overhead.
     */
    public static long memoryEstimate(long rows, long parquetBytes) {
        return 4 * Math.max(0, parquetBytes) + ROW_OVERHEAD * Math.max(0, rows);
    }

    /** What a row held by the bucket reader costs, measured as it is read (its canonical bytes, key and overhead). */
    static long heldBytes(io.snapsync.row.SnapshotRow r) {
        return ROW_OVERHEAD + (r.row == null ? 0 : r.row.length) + (r.key == null ? 0 : r.key.length());
    }

    /** The files of one bucket, the range it holds, and what the manifest says it weighs. */
    public record Bucket(int index, SplitRange range, List<UnloadManifest.Entry> files) implements Serializable {
        public long rows() {
            return files.stream().mapToLong(e -> Math.max(0, e.recordCount())).sum();
        }

        public long parquetBytes() {
            return files.stream().mapToLong(e -> Math.max(0, e.contentLength())).sum();
        }
    }
}
