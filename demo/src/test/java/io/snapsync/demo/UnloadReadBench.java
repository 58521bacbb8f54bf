package io.snapsync.demo;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TypeMapping;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SplitPlanner;
import io.snapsync.testing.UnloadStandInDriver;
import io.snapsync.unload.UnloadManifest;
import io.snapsync.unload.UnloadSnapshot;
import io.snapsync.unload.Unloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Benchmark (run by bench/unload-read, not a test): the read of today's snapshot in unload mode (the Parquet files
 * an UNLOAD left, through a FileSource and the row encoder) against the JDBC read (split cursors through the same
 * encoder), on the same TPC-H lineitem table, same parallelism, in a local Flink environment. The files are
 * written by the test stand-in for UNLOAD to a local directory, so UNLOAD's own time (Redshift's) is not measured,
 * and S3's transfer time neither; what is compared is the work on our side. Both reads must produce the same rows
 * (count and the sum of their 128-bit hashes), or the benchmark fails.
 */
public final class UnloadReadBench {
    public static void main(String[] args) throws Exception {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 0.1;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = 5;
        Path dir = Files.createTempDirectory("snapsync-unload-bench-");
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            pg.createDatabase("redshift");
            TableName table = new TableName("public", "lineitem");
            TableSchema schema;
            long rows;
            long min;
            long max;
            try (Connection c = pg.getConnection("redshift")) {
                try (Statement s = c.createStatement()) {
                    s.execute(Demo.DDL);
                }
                rows = load(c, scale);
                schema = schema(c, table);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(l_orderkey), max(l_orderkey) FROM public.lineitem")) {
                    rs.next();
                    min = rs.getLong(1);
                    max = rs.getLong(2);
                }
                // the stand-in's UNLOAD: 4 slices, 4 files each, encodings varying by file
                UnloadStandInDriver.rowsPerFile = (int) Math.max(1, rows / 16 + 1);
                String select = "SELECT " + io.snapsync.schema.Identifiers.quoteAll(schema.columnNames()) + " FROM " + table.quoted();
                String location = dir.toUri() + "lineitem/run/";
                long t0 = System.nanoTime();
                UnloadStandInDriver.unload(c, "UNLOAD ('" + select.replace("'", "''") + "') TO '" + location
                        + "' IAM_ROLE 'arn:aws:iam::123456789012:role/Bench' FORMAT AS PARQUET MANIFEST VERBOSE");
                System.out.printf("lineitem scale %s: %,d rows; stand-in UNLOAD wrote them in %d ms (not Redshift's speed)%n", scale, rows,
                        (System.nanoTime() - t0) / 1_000_000);
                UnloadManifest m = UnloadManifest.read(new org.apache.flink.core.fs.Path(location + Unloads.MANIFEST));
                UnloadSnapshot snapshot = new UnloadSnapshot(location, m.entries(), m.rows());
                long bytes = m.entries().stream().mapToLong(UnloadManifest.Entry::contentLength).sum();
                System.out.printf("  %d Parquet files, %,d bytes (SNAPPY); parallelism %d, %d cores%n", m.entries().size(), bytes, parallelism,
                        Runtime.getRuntime().availableProcessors());

                JdbcEndpoint endpoint = new JdbcEndpoint(pg.getJdbcUrl("redshift"), EmbeddedPostgres.USER, null, Map.of());
                long[] jdbc = new long[rounds];
                long[] unload = new long[rounds];
                long[] jdbcResult = null;
                long[] unloadResult = null;
                for (int r = 0; r < rounds; r++) {
                    StreamExecutionEnvironment env = env(parallelism);
                    jdbcResult = run(env, env.fromSource(new JdbcSnapshotSource(endpoint, SplitPlanner.byRange(schema, table, "l_orderkey", min, max,
                            4 * parallelism), schema, 10_000, EncoderOptions.strict("lineitem")), WatermarkStrategy.noWatermarks(), "jdbc")
                            .setParallelism(parallelism));
                    jdbc[r] = jdbcResult[2];
                    env = env(parallelism);
                    unloadResult = run(env, Unloads.stream(env, schema, EncoderOptions.strict("lineitem"), snapshot, parallelism, "unload"));
                    unload[r] = unloadResult[2];
                }
                if (jdbcResult[0] != unloadResult[0] || jdbcResult[1] != unloadResult[1] || jdbcResult[0] != rows) {
                    throw new IllegalStateException("the reads differ: jdbc " + Arrays.toString(jdbcResult) + ", unload "
                            + Arrays.toString(unloadResult) + ", rows " + rows);
                }
                Arrays.sort(jdbc);
                Arrays.sort(unload);
                System.out.printf("  read through JDBC (%d range splits):   median %,d ms  (%s)  %,.0f rows/s%n", 4 * parallelism, jdbc[rounds / 2],
                        Arrays.toString(jdbc), rows * 1000.0 / jdbc[rounds / 2]);
                System.out.printf("  read of the UNLOAD files (FileSource): median %,d ms  (%s)  %,.0f rows/s%n", unload[rounds / 2],
                        Arrays.toString(unload), rows * 1000.0 / unload[rounds / 2]);
                System.out.printf("  same rows both ways: %,d rows, hash sum %016x (job net run times; each job starts its own local cluster)%n", jdbcResult[0], jdbcResult[1]);
            }
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static StreamExecutionEnvironment env(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        return env;
    }

    /** Runs the read to its end; returns {rows, sum of the rows' hashes, the job's net run time in ms}. */
    static long[] run(StreamExecutionEnvironment env, DataStream<SnapshotRow> rows) throws Exception {
        rows.map(new Count()).sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        org.apache.flink.api.common.JobExecutionResult r = env.execute("read");
        return new long[] {r.<Long>getAccumulatorResult("rows"), r.<Long>getAccumulatorResult("hash"), r.getNetRuntime()};
    }

    static final class Count extends org.apache.flink.api.common.functions.RichMapFunction<SnapshotRow, Boolean> {
        private final org.apache.flink.api.common.accumulators.LongCounter rows = new org.apache.flink.api.common.accumulators.LongCounter();
        private final org.apache.flink.api.common.accumulators.LongCounter hash = new org.apache.flink.api.common.accumulators.LongCounter();

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            getRuntimeContext().addAccumulator("rows", rows);
            getRuntimeContext().addAccumulator("hash", hash);
        }

        @Override
        public Boolean map(SnapshotRow r) {
            rows.add(1);
            hash.add(r.hashHi * 31 + r.hashLo);
            return true;
        }
    }

    static TableSchema schema(Connection c, TableName table) throws Exception {
        List<Column> columns = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table.quoted() + " WHERE false")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(TypeMapping.map(md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i), md.getScale(i),
                        md.isNullable(i) != ResultSetMetaData.columnNoNulls));
            }
        }
        return new TableSchema(columns, List.of("l_orderkey", "l_linenumber"));
    }

    /** TPC-H lineitem by COPY, as the demo loads it. */
    static long load(Connection c, double scale) throws Exception {
        long n = Demo.loadLineitem(c, scale, "public.lineitem");
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE public.lineitem");
        }
        return n;
    }
}
