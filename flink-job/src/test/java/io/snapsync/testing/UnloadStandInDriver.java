package io.snapsync.testing;

import io.snapsync.schema.Column;
import io.snapsync.schema.TypeMapping;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Test code: a STAND-IN for Redshift's UNLOAD, which only Redshift can run. Named by the source's {@code driver} key, it takes
 * URLs with {@code unloadStandIn=true} and connects through pgjdbc; a statement {@code UNLOAD ('<select>') TO
 * '<s3 location>' ... FORMAT AS PARQUET MANIFEST VERBOSE ...} is not sent to PostgreSQL but carried out here, the
 * way AWS documents UNLOAD's output: the inner SELECT (its doubled quotes undone) runs on the PostgreSQL stand-in,
 * its rows are spread over {@link #SLICES} slices, each slice writes {@code <location><slice>_part_<nn>.parquet}
 * files (a new part every {@code rowsPerFile} rows, as MAXFILESIZE would split them), SNAPPY-compressed, through
 * the S3 API (Flink's S3 filesystem), and then {@code <location>manifest}: JSON with {@code entries[].url},
 * {@code entries[].meta.content_length}, {@code entries[].meta.record_count}, {@code schema}, the totals in
 * {@code meta} and {@code author}. Redshift does not document which Parquet encoding it uses per type, so each file
 * picks another one of {@link UnloadParquetEncodings} per column (rotating by file number) that holds its values.
 * {@code PARTITION BY ("col") [INCLUDE]} as documented: one Hive-style folder {@code <location>col=<value>/} per value
 * (a NULL value in {@code col=__HIVE_DEFAULT_PARTITION__/}), the column left out of the files unless INCLUDE, one
 * manifest in the location's root listing every file of every folder; each partition's rows are written in reverse
 * of the order the query returned them (a slice writes in no key order) over several slices' files, so a reader that
 * does not sort them is caught. Redshift's VARBYTE comparisons in the query ({@code CAST(x AS VARBYTE)},
 * {@code FROM_HEX('..')}) are run as PostgreSQL's bytea ones (see {@link #postgresVarbyte}). Everything else is pgjdbc's.
 */
public final class UnloadStandInDriver extends PgjdbcStandInDriver {
    public static final String PARAM = "unloadStandIn=true";
    public static final int SLICES = 4;
    private static final Pattern UNLOAD = Pattern.compile("UNLOAD \\('((?:[^']++|'')*+)'\\) TO '([^']*)' (.*)", Pattern.DOTALL);

    /** Every UNLOAD statement received, as received (tests check quoting and options). */
    public static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();
    /** Per column name, the encodings written (tests check every one was exercised). */
    public static final Map<String, Set<String>> ENCODINGS_USED = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per column name, an encoding every file uses for it (to test what snapsync refuses). */
    public static final Map<String, UnloadParquetEncodings.Encoding> FORCED = new java.util.concurrent.ConcurrentHashMap<>();
    /** {@link #rowsPerFile} unless a test sets it (test classes restore it after each test). */
    public static final int DEFAULT_ROWS_PER_FILE = 1;
    /** Rows per file before a slice starts its next part. */
    public static volatile int rowsPerFile = DEFAULT_ROWS_PER_FILE;
    /**
     * Applied to the next UNLOAD's inner SELECT only, as Redshift would receive it (to test rows put in a bucket whose
     * range, as row.KeyOrder compares, does not hold them: a CASE that compares as a collation or a cast would).
     */
    public static volatile UnaryOperator<String> tamperNextSelect;
    /** Applied to the next manifest's JSON only (to test a manifest whose counts disagree with the files). */
    public static volatile UnaryOperator<String> tamperNextManifest;
    /**
     * For the benchmark (bench/run UNLOAD=1), off in tests: a partitioned UNLOAD asks PostgreSQL for its rows grouped by
     * partition, in the query's own order within each (a row number taken before the sort), and writes and releases each
     * partition before it reads the next, so the stand-in holds one partition in memory instead of the whole table (6M
     * lineitem rows as Java objects are ~4 GB). The files, their rows and their order are the same as otherwise.
     */
    public static volatile boolean onePartitionAtATime;
    /** The row number column {@link #onePartitionAtATime} adds to the query (and leaves out of the files). */
    private static final String ORDER_COLUMN = "__stand_in_query_order";

    public UnloadStandInDriver() {
        super(PARAM);
    }

    @Override
    Connection wrap(Connection real) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
            Object r = invoke(real, m, args);
            if (m.getName().equals("createStatement") && r instanceof Statement s) {
                return statement(real, s);
            }
            return r;
        });
    }

    private static Statement statement(Connection real, Statement s) {
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("execute") && args != null && args.length == 1 && args[0] instanceof String sql
                    && sql.startsWith("UNLOAD (")) {
                STATEMENTS.add(sql);
                unload(real, sql);
                return false;
            }
            return invoke(s, m, args);
        };
        return (Statement) Proxy.newProxyInstance(UnloadStandInDriver.class.getClassLoader(), new Class<?>[] {Statement.class}, h);
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** What UNLOAD does with the statement, as documented; errors as SQLException like the real one. */
    public static void unload(Connection c, String sql) throws SQLException {
        Matcher m = UNLOAD.matcher(sql);
        if (!m.matches()) {
            throw new SQLException("stand-in UNLOAD: syntax error in " + sql.substring(0, Math.min(60, sql.length())), "42601");
        }
        String select = m.group(1).replace("''", "'");
        UnaryOperator<String> tamper = tamperNextSelect;
        if (tamper != null) {
            tamperNextSelect = null;
            select = tamper.apply(select);
        }
        select = postgresVarbyte(select);
        String location = m.group(2);
        String options = m.group(3);
        if (!options.contains("FORMAT AS PARQUET MANIFEST VERBOSE") || !(options.contains("IAM_ROLE") || options.contains("ACCESS_KEY_ID"))) {
            throw new SQLException("stand-in UNLOAD supports FORMAT AS PARQUET MANIFEST VERBOSE with credentials only: " + options);
        }
        Matcher pm = PARTITION_BY.matcher(options);
        String partitionColumn = pm.find() ? pm.group(1).replace("\"\"", "\"") : null;
        boolean include = partitionColumn != null && pm.group(2) != null;
        boolean streamed = onePartitionAtATime && partitionColumn != null;
        String query = !streamed ? select
                : "SELECT * FROM (SELECT q.*, row_number() OVER () AS \"" + ORDER_COLUMN + "\" FROM (" + select + ") AS q) AS r ORDER BY \""
                        + partitionColumn.replace("\"", "\"\"") + "\", \"" + ORDER_COLUMN + "\"";
        try (Statement s = c.createStatement()) {
            if (streamed) {
                s.setFetchSize(10_000); // a cursor (on a connection out of autocommit), not the whole result in pgjdbc's memory
            }
            ResultSet rs = s.executeQuery(query);
            ResultSetMetaData md = rs.getMetaData();
            List<Column> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount() - (streamed ? 1 : 0); i++) {
                columns.add(TypeMapping.map(md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i),
                        md.getScale(i), true));
            }
            int partitionIndex = -1;
            if (partitionColumn != null) {
                for (int i = 0; i < columns.size(); i++) {
                    if (columns.get(i).name().equals(partitionColumn)) {
                        partitionIndex = i;
                    }
                }
                if (partitionIndex < 0) {
                    throw new SQLException("stand-in UNLOAD: PARTITION BY column " + partitionColumn + " is not in the query's results", "42703");
                }
            }
            List<Column> written = columns;
            if (partitionIndex >= 0 && !include) {
                // as documented: partition columns are not in the files unless INCLUDE
                written = new ArrayList<>(columns);
                written.remove(partitionIndex);
            }
            // rows by partition folder ("" when not partitioned), in the order the query returned them
            Map<String, List<Object[]>> partitions = new java.util.TreeMap<>();
            List<FileEntry> entries = new ArrayList<>();
            int fileNo = 0;
            while (rs.next()) {
                Object[] row = new Object[columns.size()];
                for (int i = 0; i < columns.size(); i++) {
                    row[i] = value(rs, i + 1, columns.get(i));
                }
                String folder = "";
                if (partitionIndex >= 0) {
                    Object v = row[partitionIndex];
                    // as documented: Hive-style <column>=<value>/, a NULL value in __HIVE_DEFAULT_PARTITION__
                    folder = partitionColumn + "=" + (v == null ? "__HIVE_DEFAULT_PARTITION__" : v.toString()) + "/";
                }
                if (streamed && !partitions.isEmpty() && !partitions.containsKey(folder)) {
                    // the rows come grouped by partition: the previous one is complete
                    fileNo = writePartitions(location, partitions, written, partitionIndex, include, entries, fileNo);
                    partitions.clear();
                }
                partitions.computeIfAbsent(folder, k -> new ArrayList<>()).add(row);
            }
            writePartitions(location, partitions, written, partitionIndex, include, entries, fileNo);
            writeManifest(location, written, entries);
        } catch (IOException e) {
            throw new SQLException("stand-in UNLOAD: writing to " + location + " failed: " + e.getMessage(), "58030", e);
        }
    }

    /** Writes each partition's rows (in the order the query returned them) over the slices' files. */
    private static int writePartitions(String location, Map<String, List<Object[]>> partitions, List<Column> written, int partitionIndex,
                                       boolean include, List<FileEntry> entries, int fileNo) throws IOException {
        for (Map.Entry<String, List<Object[]>> p : partitions.entrySet()) {
            List<Object[]> rows = p.getValue();
            if (partitionIndex >= 0 && !include) {
                int drop = partitionIndex;
                rows.replaceAll(r -> {
                    Object[] out = new Object[r.length - 1];
                    System.arraycopy(r, 0, out, 0, drop);
                    System.arraycopy(r, drop + 1, out, drop, r.length - drop - 1);
                    return out;
                });
            }
            if (!p.getKey().isEmpty()) {
                // slices write in parallel, in no key order: reversed here, so a reader that does not sort fails
                java.util.Collections.reverse(rows);
            }
            List<List<Object[]>> slices = new ArrayList<>();
            for (int i = 0; i < SLICES; i++) {
                slices.add(new ArrayList<>());
            }
            long n = 0;
            for (Object[] row : rows) {
                slices.get((int) (n++ % SLICES)).add(row);
            }
            fileNo = writeFiles(location + p.getKey(), written, slices, entries, fileNo);
        }
        return fileNo;
    }

    private static final Pattern VARBYTE_CAST = Pattern.compile("CAST\\((.+?) AS VARBYTE\\)");
    private static final Pattern FROM_HEX = Pattern.compile("FROM_HEX\\('([0-9a-f]*)'\\)");

    /**
     * Stand-in behaviour: Redshift's VARBYTE comparisons in PostgreSQL's words, {@code CAST(x AS VARBYTE)} (a VARCHAR's
     * UTF-8 bytes, AWS documents) as {@code convert_to(x, 'UTF8')} and {@code FROM_HEX('6162')} as
     * {@code decode('6162', 'hex')}: both bytea, which PostgreSQL compares as Redshift compares VARBYTE, byte by byte
     * unsigned, a prefix first.
     */
    static String postgresVarbyte(String select) {
        String s = VARBYTE_CAST.matcher(select).replaceAll(r -> Matcher.quoteReplacement("convert_to(" + r.group(1) + ", 'UTF8')"));
        return FROM_HEX.matcher(s).replaceAll("decode('$1', 'hex')");
    }

    private static final Pattern PARTITION_BY = Pattern.compile("PARTITION BY \\(\"((?:[^\"]|\"\")*)\"\\)( INCLUDE)?");

    private record FileEntry(String url, long length, long rows) {}

    /** A value as the JDBC driver returns it (TIME as microseconds of the day: 24:00:00 has no LocalTime). */
    static Object value(ResultSet rs, int i, Column c) throws SQLException {
        Object v = switch (c.type()) {
            case BOOLEAN -> rs.getBoolean(i);
            case INTEGER -> rs.getLong(i);
            case DECIMAL -> rs.getBigDecimal(i);
            case FLOAT -> c.width() == 4 ? (Object) rs.getFloat(i) : (Object) rs.getDouble(i);
            case TEXT, JSON, TIMETZ -> rs.getString(i);
            case BYTES -> rs.getBytes(i);
            case DATE -> rs.getObject(i, LocalDate.class);
            case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
            case TIMESTAMPTZ -> rs.getObject(i, OffsetDateTime.class);
            case TIME -> {
                String t = rs.getString(i);
                yield t == null ? null : io.snapsync.unload.ParquetValuesAccess.timeText(t);
            }
        };
        if (rs.wasNull()) {
            return null;
        }
        if (v == LocalDate.MAX || v == LocalDate.MIN || LocalDateTime.MAX.equals(v) || LocalDateTime.MIN.equals(v)
                || OffsetDateTime.MAX.equals(v) || OffsetDateTime.MIN.equals(v)) {
            throw new SQLException("stand-in UNLOAD: Redshift has no infinite dates or timestamps");
        }
        return v;
    }

    private static int writeFiles(String folder, List<Column> columns, List<List<Object[]>> slices, List<FileEntry> entries, int fileNo)
            throws IOException {
        for (int slice = 0; slice < slices.size(); slice++) {
            List<Object[]> rows = slices.get(slice);
            for (int part = 0; part * rowsPerFile < rows.size(); part++) {
                List<Object[]> fileRows = rows.subList(part * rowsPerFile, Math.min(rows.size(), (part + 1) * rowsPerFile));
                String url = folder + String.format("%04d_part_%02d.parquet", slice, part);
                byte[] bytes = parquet(columns, fileRows, fileNo++);
                Path path = new Path(url);
                try (OutputStream out = path.getFileSystem().create(path, FileSystem.WriteMode.NO_OVERWRITE)) {
                    out.write(bytes);
                }
                entries.add(new FileEntry(url, bytes.length, fileRows.size()));
            }
        }
        return fileNo;
    }

    /** One manifest in the location's root, listing every file of every partition folder. */
    private static void writeManifest(String location, List<Column> columns, List<FileEntry> files) throws IOException {
        StringBuilder entries = new StringBuilder();
        long totalLength = 0;
        long totalRows = 0;
        for (FileEntry f : files) {
            entries.append(entries.isEmpty() ? "" : ",\n    ").append("{\"url\":\"").append(f.url()).append("\", \"meta\": { \"content_length\": ")
                    .append(f.length()).append(", \"record_count\": ").append(f.rows()).append(" }}");
            totalLength += f.length();
            totalRows += f.rows();
        }
        StringBuilder schema = new StringBuilder();
        for (Column c : columns) {
            schema.append(schema.isEmpty() ? "" : ",\n      ").append("{\"name\": \"").append(c.name().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\", \"type\": { \"base\": \"").append(c.sqlType()).append("\" }}");
        }
        String manifest = "{\n  \"entries\": [\n    " + entries + "\n  ],\n  \"schema\": {\n    \"elements\": [\n      " + schema
                + "\n    ]\n  },\n  \"meta\": {\n    \"content_length\": " + totalLength + ",\n    \"record_count\": " + totalRows
                + "\n  },\n  \"author\": {\n    \"name\": \"Amazon Redshift\",\n    \"version\": \"1.0.0\"\n  }\n}\n";
        UnaryOperator<String> tamper = tamperNextManifest;
        if (tamper != null) {
            tamperNextManifest = null;
            manifest = tamper.apply(manifest);
        }
        Path path = new Path(location + "manifest");
        try (OutputStream out = path.getFileSystem().create(path, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(manifest.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One file: per column the encoding at (file number) in rotation that holds every value of the file. */
    private static byte[] parquet(List<Column> columns, List<Object[]> rows, int fileNo) throws IOException {
        List<UnloadParquetEncodings.Encoding> chosen = new ArrayList<>();
        List<Type> fields = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            List<UnloadParquetEncodings.Encoding> all = FORCED.containsKey(columns.get(i).name())
                    ? List.of(FORCED.get(columns.get(i).name())) : UnloadParquetEncodings.forColumn(columns.get(i));
            UnloadParquetEncodings.Encoding pick = null;
            for (int k = 0; k < all.size() && pick == null; k++) {
                UnloadParquetEncodings.Encoding e = all.get((fileNo + k) % all.size());
                final int col = i;
                if (rows.stream().allMatch(r -> r[col] == null || e.holds(r[col]))) {
                    pick = e;
                }
            }
            if (pick == null) {
                throw new IOException("stand-in UNLOAD: no Parquet encoding holds the values of column " + columns.get(i).name());
            }
            chosen.add(pick);
            fields.add(pick.type(columns.get(i).name()));
            ENCODINGS_USED.computeIfAbsent(columns.get(i).name(), k -> new LinkedHashSet<>()).add(pick.describe());
        }
        MessageType schema = new MessageType("redshift_unload", fields);
        java.nio.file.Path tmp = Files.createTempFile("unload-stand-in-", ".parquet");
        try {
            try (ParquetWriter<Object[]> w = new Builder(new LocalOutputFile(tmp), schema, chosen)
                    .withConf(new PlainParquetConfiguration())
                    .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build()) {
                for (Object[] r : rows) {
                    w.write(r);
                }
            }
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
        private final MessageType schema;
        private final List<UnloadParquetEncodings.Encoding> encodings;

        Builder(OutputFile out, MessageType schema, List<UnloadParquetEncodings.Encoding> encodings) {
            super(out);
            this.schema = schema;
            this.encodings = encodings;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
            return new RowWriteSupport(schema, encodings);
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriteSupport(schema, encodings);
        }
    }

    private static final class RowWriteSupport extends WriteSupport<Object[]> {
        private final MessageType schema;
        private final List<UnloadParquetEncodings.Encoding> encodings;
        private RecordConsumer consumer;

        RowWriteSupport(MessageType schema, List<UnloadParquetEncodings.Encoding> encodings) {
            this.schema = schema;
            this.encodings = encodings;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Object[] row) {
            consumer.startMessage();
            for (int i = 0; i < row.length; i++) {
                if (row[i] == null) {
                    continue;
                }
                PrimitiveType t = schema.getType(i).asPrimitiveType();
                consumer.startField(t.getName(), i);
                Object v = encodings.get(i).encode(row[i]);
                switch (t.getPrimitiveTypeName()) {
                    case BOOLEAN -> consumer.addBoolean((Boolean) v);
                    case INT32 -> consumer.addInteger((Integer) v);
                    case INT64 -> consumer.addLong((Long) v);
                    case FLOAT -> consumer.addFloat((Float) v);
                    case DOUBLE -> consumer.addDouble((Double) v);
                    default -> consumer.addBinary(Binary.fromConstantByteArray((byte[]) v));
                }
                consumer.endField(t.getName(), i);
            }
            consumer.endMessage();
        }
    }

}
