package io.snapsync.unload;

import io.snapsync.config.SyncConfig;
import io.snapsync.config.PlanException;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SourceQuery;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UNLOAD extraction of one table: where its files go ({@code <prefix>/<table>/<run id>/}, the run id in the
 * path so a crashed run's files are recognisable), issuing the statement (one statement: one consistent snapshot),
 * reading the manifest, the Flink source over the listed files, and removing the files afterwards.
 */
public final class Unloads {
    private static final Logger LOG = LoggerFactory.getLogger(Unloads.class);
    /** UNLOAD names the manifest {@code <location>manifest}. */
    public static final String MANIFEST = "manifest";

    private Unloads() {}

    /** {@code <prefix>/<table>/}: every run of the table unloads below it. */
    public static Path tableDir(String prefix, String table) {
        return new Path(prefix.replaceAll("/+$", "") + "/" + URLEncoder.encode(table, StandardCharsets.UTF_8));
    }

    /** {@code <prefix>/<table>/<run id>/}, with the slash UNLOAD needs to write into it as a folder. */
    public static String location(String prefix, String table, String runId) {
        return new Path(tableDir(prefix, table), runId) + "/";
    }

    /**
     * Removes what earlier runs of the table left below {@code <prefix>/<table>/} (their run ids are in the path),
     * then runs the UNLOAD and reads its manifest. Called by the planner holding the table's lock, so no live run's
     * files are touched. Not bucketed: the keyed diff reads the files.
     */
    public static UnloadSnapshot run(Connection source, SyncConfig.Unload u, String table, TableName sourceTable, TableSchema schema,
                                     String runId) throws SQLException, IOException {
        return run(source, u, table, sourceTable, schema, runId, null, "not bucketed");
    }

    /**
     * As above; with {@code ranges} (range splits planned on the first key column, see {@link UnloadBuckets}) the
     * UNLOAD writes one folder per split, and the snapshot names each split's files. Without (or when a bound cannot be
     * written into the query) the UNLOAD is not partitioned: a key with a proven order (row.KeyOrder) makes the whole
     * table one bucket of range {@link io.snapsync.source.SplitRange#ALL}, sorted externally for the ordered diff; any
     * other key takes the keyed diff. A bucket estimated larger than {@code source.unload.max-bucket-mb} is not refused:
     * its sort spills (the snapshot's {@code sortNote} says which).
     *
     * @param notBucketed why {@code ranges} is null (the report's reason for one bucket, or for the keyed diff)
     */
    public static UnloadSnapshot run(Connection source, SyncConfig.Unload u, String table, TableName sourceTable, TableSchema schema,
                                     String runId, SourceQuery ranges, String notBucketed) throws SQLException, IOException {
        refuseTypes(source, sourceTable, schema);
        removeLeftovers(u.prefix(), table, runId);
        String location = location(u.prefix(), table, runId);
        String split = null;
        if (ranges != null) {
            try {
                split = UnloadBuckets.caseExpression(schema.keyColumnList().get(0), UnloadBuckets.bounds(ranges));
            } catch (IllegalArgumentException e) {
                // a bound not rendered from numbers (a year outside 1-9999, hash splits after a decimal NaN): unloaded
                // whole: one bucket sorted externally (the keyed diff only for a key without a proven order)
                notBucketed = e.getMessage();
                ranges = null;
                LOG.warn("{}: not unloaded into key-range buckets, {}: {}", table,
                        io.snapsync.row.KeyOrder.supports(schema) ? "one bucket sorted externally" : "the keyed diff reads the files", notBucketed);
            }
        }
        String sql;
        try {
            sql = UnloadStatement.build(sourceTable, schema.columnNames(), location, u, split);
        } catch (IllegalArgumentException e) {
            throw new PlanException("table " + table + ": " + e.getMessage());
        }
        long t0 = System.currentTimeMillis();
        try (Statement s = source.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            // the driver may echo the statement: never let the keys out
            throw new PlanException("UNLOAD of " + sourceTable + " to " + location + " failed: " + UnloadStatement.scrub(e.getMessage(), u));
        }
        UnloadManifest m;
        List<UnloadBuckets.Bucket> buckets = List.of();
        boolean ordered = io.snapsync.row.KeyOrder.supports(schema);
        String keyedReason = ordered ? null : notBucketed;
        String sortNote = null;
        try {
            m = readManifest(location, sourceTable);
            if (ranges != null) {
                buckets = buckets(m, location, ranges); // before any file is opened: each must be one the run knows
            } else if (ordered) {
                // not partitioned: every file the manifest lists is the one bucket (its rows all in range ALL)
                buckets = List.of(new UnloadBuckets.Bucket(0, io.snapsync.source.SplitRange.ALL, m.entries()));
            }
            if (ordered) {
                sortNote = spilling(buckets, maxBucketBytes(u), ranges == null ? notBucketed : null);
            }
            checkFooter(m, schema, sourceTable);
        } catch (SQLException | IOException | RuntimeException e) {
            deleteQuietly(new UnloadSnapshot(location, List.of(), 0)); // the run fails here: its files are garbage
            throw e;
        }
        LOG.info("{}: UNLOAD wrote {} rows in {} files{} to {} in {} ms", table, m.rows(), m.entries().size(),
                ranges == null ? "" : " in " + buckets.size() + " key-range buckets", location, System.currentTimeMillis() - t0);
        if (sortNote != null) {
            LOG.info("{}: {}", table, sortNote);
        }
        return new UnloadSnapshot(location, m.entries(), m.rows(), buckets, keyedReason, maxBucketBytes(u), sortNote);
    }

    /**
     * {@code source.unload.max-bucket-mb} in bytes: the memory one subtask's sort of a bucket may hold before it spills;
     * 0 (once: always the keyed diff) the smallest budget, {@link UnloadBuckets#MIN_SORT_BUDGET}: nearly every bucket spills.
     */
    static long maxBucketBytes(SyncConfig.Unload u) {
        long mb = u.maxBucketMb() != null ? u.maxBucketMb() : UnloadBuckets.DEFAULT_MAX_BUCKET_MB;
        return mb == 0 ? UnloadBuckets.MIN_SORT_BUDGET : mb << 20;
    }

    /**
     * The manifest's files by split (each file's split from its folder), checked against what UNLOAD left at the
     * location: the docs do not say whether a partitioned UNLOAD's manifest lists every partition's files, so a data
     * file the manifest does not list fails the run (its rows would be lost) rather than being trusted away.
     */
    static List<UnloadBuckets.Bucket> buckets(UnloadManifest m, String location, SourceQuery ranges) throws SQLException, IOException {
        int n = ranges.splitCount();
        List<List<UnloadManifest.Entry>> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add(new ArrayList<>());
        }
        java.util.Set<String> listed = new java.util.HashSet<>();
        try {
            for (UnloadManifest.Entry e : m.entries()) {
                files.get(UnloadBuckets.bucketOf(e.url(), location, n)).add(e);
                listed.add(new Path(e.url()).toString());
            }
        } catch (IllegalArgumentException e) {
            throw new PlanException(e.getMessage());
        }
        for (Path f : dataFiles(new Path(location))) {
            if (!listed.contains(f.toString()) && !f.toString().equals(new Path(location + MANIFEST).toString())) {
                throw new PlanException("UNLOAD wrote " + f + ", which its manifest does not list; nothing applied");
            }
        }
        List<UnloadBuckets.Bucket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<UnloadManifest.Entry> bucket = files.get(i);
            bucket.sort(java.util.Comparator.comparing(UnloadManifest.Entry::url));
            out.add(new UnloadBuckets.Bucket(i, ranges.range(i), List.copyOf(bucket)));
        }
        return out;
    }

    /** Every file below {@code dir}, recursively. */
    private static List<Path> dataFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isDir()) {
                out.addAll(dataFiles(f.getPath()));
            } else {
                out.add(f.getPath());
            }
        }
        return out;
    }

    /**
     * Which buckets are expected to spill (their estimate, {@link UnloadBuckets#memoryEstimate}, above the sort's
     * budget), for the log and the run report; null when none is (each task logs what a bucket actually spilled).
     *
     * @param whole why the table is one unpartitioned bucket, or null when it is in key-range buckets
     */
    static String spilling(List<UnloadBuckets.Bucket> buckets, long budget, String whole) {
        UnloadBuckets.Bucket largest = null;
        long most = -1;
        int over = 0;
        for (UnloadBuckets.Bucket b : buckets) {
            long est = UnloadBuckets.memoryEstimate(b.rows(), b.parquetBytes());
            over += est > budget ? 1 : 0;
            if (est > most) {
                most = est;
                largest = b;
            }
        }
        String one = whole == null ? "" : "one bucket, the whole table (not in key-range buckets: " + whole + "), ";
        if (largest == null || most <= budget) {
            return whole == null ? null : one + "sorted in memory";
        }
        return one + (whole == null ? over + " of " + buckets.size() + " key-range buckets" : "it") + " estimated above source.unload.max-bucket-mb ("
                + budget / 1024 + " KB), sorted through run files in the spill directory; the largest, bucket " + largest.index() + " "
                + largest.range() + ", holds " + largest.rows() + " rows in " + largest.parquetBytes() + " Parquet bytes, an estimated "
                + (most >> 10) + " KB in memory";
    }

    private static UnloadManifest readManifest(String location, TableName sourceTable) throws SQLException, IOException {
        UnloadManifest m;
        try {
            m = UnloadManifest.read(new Path(location + MANIFEST));
        } catch (FileNotFoundException e) {
            throw new PlanException("UNLOAD of " + sourceTable + " wrote no manifest at " + location + MANIFEST);
        } catch (IllegalArgumentException e) {
            throw new PlanException(e.getMessage());
        }
        for (UnloadManifest.Entry e : m.entries()) {
            if (!e.url().startsWith(location)) {
                throw new PlanException("the UNLOAD manifest of " + sourceTable + " lists " + e.url() + ", outside " + location);
            }
        }
        return m;
    }

    /**
     * Reads the first file's footer (one small read) and refuses, before the job starts, a column UNLOAD wrote in an
     * encoding that cannot be read faithfully (the job checks every file again as it reads it).
     */
    static void checkFooter(UnloadManifest m, TableSchema schema, TableName sourceTable) throws SQLException, IOException {
        if (m.entries().isEmpty()) {
            return;
        }
        Path first = new Path(m.entries().get(0).url());
        FileSystem fs = first.getFileSystem();
        long length = fs.getFileStatus(first).getLen();
        io.snapsync.cache.ParquetCodecs.pin();
        try (org.apache.flink.core.fs.FSDataInputStream in = fs.open(first);
             org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                     io.snapsync.cache.FlinkParquetFiles.input(in, length))) {
            UnloadReadSupport.matchColumns(schema, r.getFooter().getFileMetaData().getSchema());
        } catch (IllegalStateException e) {
            throw new PlanException("table " + sourceTable + ": " + e.getMessage());
        }
    }

    /** Source types UNLOAD to Parquet cannot carry as the JDBC path does, refused before anything is unloaded. */
    static void refuseTypes(Connection source, TableName table, TableSchema schema) throws SQLException {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table.quoted() + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String why = ParquetValues.refusedSourceType(md.getColumnName(i), md.getColumnTypeName(i));
                if (why != null) {
                    throw new PlanException("table " + table + ": " + why);
                }
            }
        }
        for (Column c : schema.columns()) {
            if (c.name().indexOf('\\') >= 0) {
                throw new PlanException("table " + table + ": column " + io.snapsync.schema.Identifiers.quote(c.name())
                        + " contains a backslash, which UNLOAD's query text treats as an escape character; set extract: jdbc for this table");
            }
        }
    }

    /** Run directories below {@code <prefix>/<table>/} other than {@code exceptRun}'s (null: all), oldest first. */
    public static List<String> leftovers(String prefix, String table, String exceptRun) throws IOException {
        Path dir = tableDir(prefix, table);
        FileSystem fs = dir.getFileSystem();
        List<String> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus f : fs.listStatus(dir)) {
            String name = f.getPath().getName();
            if (!name.equals(exceptRun)) {
                out.add(name);
            }
        }
        out.sort(null);
        return out;
    }

    /** Deletes the unloaded files of earlier (dead) runs of the table. */
    public static List<String> removeLeftovers(String prefix, String table, String exceptRun) throws IOException {
        List<String> runs = leftovers(prefix, table, exceptRun);
        for (String r : runs) {
            Path p = new Path(tableDir(prefix, table), r);
            p.getFileSystem().delete(p, true);
        }
        if (!runs.isEmpty()) {
            LOG.info("{}: removed unloaded files of earlier runs {}", table, runs);
        }
        return runs;
    }

    /** Deletes this run's unloaded files; a failure is logged (the next run of the table removes them). */
    public static void deleteQuietly(UnloadSnapshot u) {
        if (u == null) {
            return;
        }
        try {
            Path p = new Path(u.location());
            p.getFileSystem().delete(p, true);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete the unloaded files at {} (the next run of the table removes them): {}", u.location(), e.getMessage());
        }
    }

    /** The snapshot as a stream: a FileSource over exactly the files the manifest lists, each read whole, in parallel. */
    public static DataStream<SnapshotRow> stream(StreamExecutionEnvironment env, TableSchema schema, EncoderOptions options,
                                                 UnloadSnapshot u, int parallelism, String name) {
        return stream(env, schema, options, u, parallelism, name, io.snapsync.gate.ReadGate.NONE, name);
    }

    /** The same, read only while {@code table} holds one of the run's read permits ({@code gate}). */
    public static DataStream<SnapshotRow> stream(StreamExecutionEnvironment env, TableSchema schema, EncoderOptions options,
                                                 UnloadSnapshot u, int parallelism, String name,
                                                 io.snapsync.gate.ReadGate gate, String table) {
        if (u.files().isEmpty()) {
            // an empty table: UNLOAD may write no file at all (an empty bounded stream, as for a missing cache; nothing
            // to read, so nothing to gate)
            return env.fromSequence(0, 0).filter(x -> false).name(name)
                    .map(x -> new SnapshotRow()).returns(SnapshotRow.class).name(name);
        }
        Path[] files = u.files().stream().map(e -> new Path(e.url())).toArray(Path[]::new);
        FileSource<SnapshotRow> source = FileSource.forBulkFileFormat(new UnloadFileFormat(schema, options, u.files()), files).build();
        return env.fromSource(gate.wrap(source, table), WatermarkStrategy.noWatermarks(), name)
                .setParallelism(Math.max(1, Math.min(parallelism, files.length)));
    }
}
