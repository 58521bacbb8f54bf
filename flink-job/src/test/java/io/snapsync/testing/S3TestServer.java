package io.snapsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;

/**
 * A real S3 API server on 127.0.0.1 for tests: <a href="https://github.com/gaul/s3proxy">S3Proxy</a>
 * with its {@code filesystem} backend in a temporary directory, one bucket created, and AWS
 * signature (v2 or v4) checking on, so a wrong key fails as it would on AWS.
 *
 * <p>S3Proxy runs as its own JVM from {@code target/s3proxy/s3proxy.jar}, which Maven copies there
 * in {@code generate-test-resources} (the {@code s3proxy-jar} execution of the
 * maven-dependency-plugin; surefire passes the path as the system property {@value #JAR_PROPERTY}).
 * In-process is not an option: flink-s3-fs-hadoop is a plugin jar carrying unshaded Hadoop 3.3.4,
 * Guava 27 and Jackson, which shadow S3Proxy's Guava, Jetty and AWS SDK on a shared class path. The
 * child exits when this JVM closes the server or dies (see {@link S3ProxyLauncher}).
 *
 * <pre>{@code
 * try (S3TestServer s3 = S3TestServer.start()) {
 *     s3.initializeFlinkFileSystems();               // FileSystem.initialize(s3.flinkConfig(), null)
 *     FileSystem fs = FileSystem.get(s3.uri("cache/x.parquet"));
 *     ...
 * }
 * }</pre>
 */
public final class S3TestServer implements AutoCloseable {

    /** System property naming the S3Proxy jar-with-dependencies; set by surefire in the pom. */
    public static final String JAR_PROPERTY = "snapsync.s3proxy.jar";

    public static final String DEFAULT_BUCKET = "snapsync-test";
    public static final String ACCESS_KEY = "snapsync-test-access-key";
    public static final String SECRET_KEY = "snapsync-test-secret-key";
    /** S3Proxy accepts any region in a v4 signature; S3A signs with this one. */
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    static {
        // flink-s3-fs-hadoop's S3A is built on the AWS SDK v1, which otherwise prints a
        // deprecation banner with a stack trace when the first client is made
        if (System.getProperty("aws.java.v1.disableDeprecationAnnouncement") == null) {
            System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
        }
    }

    private final Path workDir;
    private final Path dataDir;
    private final Path logFile;
    private final String bucket;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    private boolean closed;

    private S3TestServer(
            Path workDir, Path dataDir, Path logFile, String bucket, int port, Process process) {
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.bucket = bucket;
        this.port = port;
        this.process = process;
        this.shutdownHook =
                new Thread(
                        () -> {
                            stopProcess();
                            deleteRecursively(workDir);
                        },
                        "s3-test-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server with the bucket {@value #DEFAULT_BUCKET}. */
    public static S3TestServer start() {
        return start(DEFAULT_BUCKET);
    }

    /** Starts a server on a free port of 127.0.0.1 with {@code bucket} created, and waits for it. */
    public static S3TestServer start(String bucket) {
        checkBucketName(bucket);
        Path jar = locateJar();
        Path workDir;
        try {
            workDir = Files.createTempDirectory("s3-test-server-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path dataDir = workDir.resolve("data");
        Path logFile = workDir.resolve("s3proxy.log");
        IllegalStateException failure = null;
        try {
            // with the filesystem backend a bucket is a directory of the base directory
            Files.createDirectories(dataDir.resolve(bucket));
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                // a free port can be taken between probing and binding: then try another
                int port = freePort();
                Path properties = writeProperties(workDir, dataDir, port);
                Process process = launch(jar, properties, workDir, logFile);
                try {
                    awaitReady(process, port, logFile);
                    return new S3TestServer(workDir, dataDir, logFile, bucket, port, process);
                } catch (IllegalStateException e) {
                    destroy(process);
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } catch (IOException e) {
            deleteRecursively(workDir);
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
        deleteRecursively(workDir);
        throw failure;
    }

    // ------------------------------------------------------------------ what tests need

    /** {@code http://127.0.0.1:PORT}, path-style, plain HTTP. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    public String bucket() {
        return bucket;
    }

    /** {@code s3://BUCKET/key}. */
    public URI uri(String key) {
        String k = key.startsWith("/") ? key.substring(1) : key;
        return URI.create("s3://" + bucket + "/" + k);
    }

    /** The backend's base directory: one sub-directory per bucket, objects as plain files. */
    public Path dataDir() {
        return dataDir;
    }

    /** Creates another bucket (a directory of the backend), visible to the running server. */
    public void createBucket(String name) {
        checkBucketName(name);
        try {
            Files.createDirectories(dataDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's log (S3Proxy logs warnings and errors only). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /**
     * The options for flink-s3-fs-hadoop, as Flink configuration keys. The plugin maps every key
     * with the prefix {@code s3.}, {@code s3a.} or {@code fs.s3a.} to the Hadoop S3A key {@code
     * fs.s3a.<rest>}, and {@code s3.access-key}/{@code s3.secret-key} to {@code
     * fs.s3a.access.key}/{@code fs.s3a.secret.key}; so these are plain S3A options.
     */
    public Map<String, String> flinkS3Options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("s3.endpoint", endpoint());
        o.put("s3.path.style.access", "true");
        o.put("s3.access-key", ACCESS_KEY);
        o.put("s3.secret-key", SECRET_KEY);
        // the signing region; without it the SDK guesses one from the endpoint's host name
        o.put("s3.endpoint.region", REGION);
        // only used when the endpoint has no scheme; ours says http:// already
        o.put("s3.connection.ssl.enabled", "false");
        // only the static keys: never fall through to environment variables or the EC2
        // instance metadata service, which the default provider chain would probe
        o.put("s3.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        // fail fast: the defaults retry for minutes against a server that is gone
        o.put("s3.attempts.maximum", "2");
        o.put("s3.retry.limit", "2");
        o.put("s3.retry.interval", "100ms");
        o.put("s3.connection.establish.timeout", "5000");
        o.put("s3.connection.timeout", "60000");
        return o;
    }

    /** {@link #flinkS3Options()} as a Flink {@link Configuration}. */
    public Configuration flinkConfig() {
        return Configuration.fromMap(flinkS3Options());
    }

    /**
     * {@code FileSystem.initialize(flinkConfig(), null)}: the plugin jar is on the class path, so
     * Flink finds its factories (schemes {@code s3} and {@code s3a}) by ServiceLoader without a
     * plugins directory. This is JVM-wide state, also what the tasks of an in-JVM MiniCluster use.
     */
    public void initializeFlinkFileSystems() {
        FileSystem.initialize(flinkConfig(), null);
    }

    /**
     * Stops the server and deletes its data. Flink's FileSystem keeps its cached S3 client, pointing
     * at a closed port: call {@code FileSystem.initialize(new Configuration(), null)} to forget it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
        deleteRecursively(workDir);
    }

    @Override
    public String toString() {
        return "S3TestServer[" + endpoint() + ", bucket " + bucket + "]";
    }

    // ------------------------------------------------------------------ process handling

    private void stopProcess() {
        destroy(process);
    }

    private static void destroy(Process process) {
        try {
            process.getOutputStream().close(); // EOF on the child's stdin: it halts itself
        } catch (IOException ignored) {
            // destroyed below anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Process launch(Path jar, Path properties, Path workDir, Path logFile)
            throws IOException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        String classPath = jar + System.getProperty("path.separator") + ownClassPathEntry();
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.io.tmpdir=" + workDir);
        // silence logback's own start-up report
        command.add("-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener");
        command.add("-cp");
        command.add(classPath);
        command.add(S3ProxyLauncher.class.getName());
        command.add("--properties");
        command.add(properties.toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("LOG_LEVEL", "warn"); // read by S3Proxy's logback.xml
        pb.environment().put("JETTY_LOG_LEVEL", "warn");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // stdin stays a pipe: closing it (or this JVM dying) makes the child exit
        return pb.start();
    }

    private static void awaitReady(Process process, int port, Path logFile) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "S3Proxy exited with code "
                                + process.exitValue()
                                + " before serving on port "
                                + port
                                + "; its output:\n"
                                + tail(logFile));
            }
            if (answers(port)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting S3Proxy", e);
            }
        }
        throw new IllegalStateException(
                "S3Proxy did not answer on port " + port + " within " + START_TIMEOUT
                        + "; its output:\n" + tail(logFile));
    }

    /** True once the server answers HTTP at all (403 for the anonymous request is the rule). */
    private static boolean answers(int port) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/").openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() > 0;
        } catch (IOException notYet) {
            return false;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static Path writeProperties(Path workDir, Path dataDir, int port) throws IOException {
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", ACCESS_KEY);
        p.setProperty("s3proxy.credential", SECRET_KEY);
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dataDir.toString());
        Path file = workDir.resolve("s3proxy.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "generated by " + S3TestServer.class.getName());
        }
        return file;
    }

    private static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Paths.get(configured));
        }
        // an IDE run after one Maven build: target/test-classes/../s3proxy/s3proxy.jar
        Path own = Paths.get(ownClassPathEntry());
        if (own.getParent() != null) {
            candidates.add(own.getParent().resolve("s3proxy").resolve("s3proxy.jar"));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException(
                "S3Proxy jar not found (looked at "
                        + candidates
                        + "); it is copied by `mvn generate-test-resources` (execution s3proxy-jar"
                        + " of the maven-dependency-plugin in flink-job/pom.xml)");
    }

    /** The directory or jar this class was loaded from: the child's class path for the launcher. */
    private static String ownClassPathEntry() {
        try {
            return Paths.get(
                            S3TestServer.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void checkBucketName(String bucket) {
        if (bucket == null || !BUCKET_NAME.matcher(bucket).matches()) {
            throw new IllegalArgumentException("not a valid S3 bucket name: " + bucket);
        }
    }

    private static String tail(Path logFile) {
        try {
            if (!Files.exists(logFile)) {
                return "(no output)";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException ignored) {
                                    // best effort: it is a temporary directory
                                }
                            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
