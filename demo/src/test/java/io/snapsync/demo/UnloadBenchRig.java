package io.snapsync.demo;

import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.testing.S3TestServer;
import io.snapsync.testing.UnloadStandInDriver;
import io.snapsync.unload.UnloadManifest;
import io.snapsync.unload.Unloads;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;

/**
 * Bench code (bench/run UNLOAD=1): {@code extract: unload} for {@link Bench}. An S3 API server on 127.0.0.1 (the tests'
 * S3Proxy, {@link S3TestServer}) takes the unloaded files, and the tests' STAND-IN for Redshift's UNLOAD
 * ({@link UnloadStandInDriver}: runs the UNLOAD's query on PostgreSQL and writes Parquet files and a manifest as AWS
 * documents them, PARTITION BY included) carries out the statement a sync process relays to it
 * ({@link UnloadRelayDriver}), here in the bench's JVM: the stand-in's CPU and memory are not the sync's, and its time is
 * reported on its own. Redshift's UNLOAD and the S3 transfer are not measured; the sync reads the files from S3Proxy on
 * this machine.
 */
public final class UnloadBenchRig implements Bench.UnloadRig {
    private static final String ROLE = "arn:aws:iam::123456789012:role/BenchUnloadStandIn";
    private static final Pattern LOCATION = Pattern.compile("\\) TO '([^']*)' ");

    private final boolean spill;
    private S3TestServer s3;
    private EmbeddedPostgres pg;
    private String db;
    private ServerSocket relay;
    private Thread relayThread;
    private final List<Unloaded> unloads = new ArrayList<>();
    private volatile String failure;

    private record Unloaded(double seconds, int files, long bytes, int buckets) {}

    /** @param spill {@code source.unload.max-bucket-mb: 1}: every bucket's sort spills run files (the spill measured) */
    public UnloadBenchRig(boolean spill) {
        this.spill = spill;
    }

    @Override
    public String note() {
        return "extract: unload" + (spill ? " with max-bucket-mb: 1 (key-range buckets, the ordered diff, every bucket's sort SPILLING run files)"
                : " (key-range buckets, the ordered diff)")
                + ". The UNLOAD is carried out by the tests' STAND-IN for Redshift's UNLOAD, in the bench's JVM (not the sync's): it runs"
                + " the query on PostgreSQL and writes SNAPPY Parquet (4 slices, one file per slice and bucket) to S3Proxy on 127.0.0.1,"
                + " which the sync reads them from. Redshift's UNLOAD and the S3 transfer are NOT measured; the stand-in's time is"
                + " reported per day and taken out of the sync's wall and plan time.";
    }

    @Override
    public void open(EmbeddedPostgres pg, String db) throws Exception {
        this.pg = pg;
        this.db = db;
        s3 = S3TestServer.start();
        s3.initializeFlinkFileSystems(); // the stand-in writes through Flink's S3 filesystem, as in the tests
        UnloadStandInDriver.onePartitionAtATime = true; // one bucket in memory at a time, not the table
        UnloadStandInDriver.rowsPerFile = 1_000_000; // no MAXFILESIZE split at these sizes: one file per slice and bucket
        relay = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        relayThread = new Thread(this::serve, "unload-stand-in-relay");
        relayThread.setDaemon(true);
        relayThread.start();
    }

    @Override
    public List<String> sourceYaml(String jdbcUrl) {
        return List.of(
                "  url: \"" + jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + UnloadRelayDriver.PARAM + "=" + relay.getLocalPort() + "\"",
                "  user: " + EmbeddedPostgres.USER,
                "  driver: " + UnloadRelayDriver.class.getName(),
                "  extract: unload",
                "  unload: { prefix: \"" + prefix() + "\", iam-role: \"" + ROLE + "\"" + (spill ? ", max-bucket-mb: 1" : "") + " }");
    }

    @Override
    public String cacheS3Yaml() {
        return "s3: { endpoint: \"" + s3.endpoint() + "\", path-style-access: true, access-key: \"" + s3.accessKey() + "\", secret-key: \""
                + s3.secretKey() + "\", region: " + s3.region() + " }";
    }

    private String prefix() {
        return "s3://" + s3.bucket() + "/unload";
    }

    @Override
    public synchronized void startDay() {
        unloads.clear();
        failure = null;
    }

    @Override
    public Bench.StandIn endDay() throws Exception {
        List<Unloaded> day;
        synchronized (this) {
            day = List.copyOf(unloads);
        }
        if (failure != null) {
            System.out.println("stand-in UNLOAD FAILED: " + failure);
        }
        return new Bench.StandIn(day.size(), day.stream().mapToDouble(Unloaded::seconds).sum(), day.stream().mapToInt(Unloaded::files).sum(),
                day.stream().mapToLong(Unloaded::bytes).sum() / 1048576.0, day.stream().mapToInt(Unloaded::buckets).max().orElse(0), leftBytes());
    }

    /** Bytes of unloaded files still in the bucket under the prefix (S3Proxy's filesystem backend keeps objects as files). */
    private long leftBytes() throws IOException {
        Path dir = s3.dataDir().resolve(s3.bucket()).resolve("unload");
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** One UNLOAD per connection: the statement in, then ok or the error out. */
    private void serve() {
        while (!relay.isClosed()) {
            try (Socket client = relay.accept();
                 DataInputStream in = new DataInputStream(client.getInputStream());
                 DataOutputStream out = new DataOutputStream(client.getOutputStream())) {
                String sql = UnloadRelayDriver.read(in);
                String error = null;
                long t0 = System.nanoTime(); // all the sync process waits for, until the reply
                try {
                    Unloaded u = unload(sql);
                    synchronized (this) {
                        unloads.add(new Unloaded((System.nanoTime() - t0) / 1e9, u.files(), u.bytes(), u.buckets()));
                    }
                } catch (Exception | Error e) { // an Error too: the sync gets its message, not a closed socket
                    error = "stand-in UNLOAD failed: " + e;
                    failure = error;
                }
                out.writeBoolean(error == null);
                UnloadRelayDriver.write(out, error == null ? "ok" : error);
                out.flush();
            } catch (IOException e) {
                if (!relay.isClosed()) {
                    failure = "relay: " + e;
                }
            }
        }
    }

    private Unloaded unload(String sql) throws Exception {
        if (!sql.startsWith("UNLOAD (")) {
            throw new IllegalArgumentException("not an UNLOAD statement");
        }
        Matcher m = LOCATION.matcher(sql);
        if (!m.find()) {
            throw new IllegalArgumentException("no TO '<location>' in the UNLOAD statement");
        }
        String location = m.group(1);
        try (Connection c = pg.getConnection(db)) {
            c.setAutoCommit(false); // the stand-in's cursor over the grouped rows needs a transaction
            UnloadStandInDriver.unload(c, sql);
            c.commit();
        }
        UnloadManifest manifest = UnloadManifest.read(new org.apache.flink.core.fs.Path(location + Unloads.MANIFEST));
        long bytes = manifest.entries().stream().mapToLong(UnloadManifest.Entry::contentLength).sum();
        long buckets = manifest.entries().stream().map(e -> e.url().substring(location.length()))
                .filter(u -> u.contains("/")).map(u -> u.substring(0, u.indexOf('/'))).distinct().count();
        return new Unloaded(0, manifest.entries().size(), bytes, (int) buckets);
    }

    @Override
    public void close() {
        try {
            if (relay != null) {
                relay.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        UnloadStandInDriver.onePartitionAtATime = false;
        if (s3 != null) {
            FileSystem.initialize(new Configuration(), null); // forget the S3 client of a server that is gone
            s3.close();
        }
    }
}
