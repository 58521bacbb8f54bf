package io.snapsync.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

class EmbeddedPostgresTest {

    /** Copied by the pom in generate-test-resources and passed by surefire; the fallback is the same path. */
    private static final Path PG14_JAR =
            Path.of(System.getProperty("snapsync.pg14.binaries", "target/pg-binaries/pg14-binaries.jar"));

    @Test
    void runsPostgres17And14AtTheSameTime() throws Exception {
        long t0 = System.nanoTime();
        try (EmbeddedPostgres pg17 = EmbeddedPostgres.start()) {
            long t1 = System.nanoTime();
            try (EmbeddedPostgres pg14 = EmbeddedPostgres.start(PG14_JAR)) {
                long t2 = System.nanoTime();
                System.out.printf("started PostgreSQL %s in %d ms and %s in %d ms%n", pg17.serverVersion(),
                        (t1 - t0) / 1_000_000, pg14.serverVersion(), (t2 - t1) / 1_000_000);

                assertThat(pg17.getPort()).isNotEqualTo(pg14.getPort());
                assertThat(pg17.getJdbcUrl("db")).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg17.getPort() + "/db");
                assertThat(versionNum(pg17)).matches("17\\d{4}");
                assertThat(versionNum(pg14)).matches("14\\d{4}");
                assertCanCreateDatabaseAndTable(pg17);
                assertCanCreateDatabaseAndTable(pg14);
            }
        }
    }

    @Test
    void runsTwoInstancesOfTheSameVersionAndCleansUp() throws Exception {
        Path dataA;
        Path dataB;
        try (EmbeddedPostgres a = EmbeddedPostgres.start(); EmbeddedPostgres b = EmbeddedPostgres.start()) {
            dataA = a.getDataDirectory();
            dataB = b.getDataDirectory();
            assertThat(dataA).isNotEqualTo(dataB);
            assertThat(a.getPort()).isNotEqualTo(b.getPort());
            try (Connection c = a.getConnection("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE only_in_a (id int)");
            }
            try (Connection c = b.getConnection("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT to_regclass('only_in_a') IS NULL")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("b is a separate server").isTrue();
            }
            assertThat(setting(a, "fsync")).isEqualTo("off");
            assertThat(setting(a, "max_connections")).isEqualTo("200");
            assertThat(setting(a, "unix_socket_directories")).isEmpty();
        }
        assertThat(dataA).doesNotExist();
        assertThat(dataB).doesNotExist();
    }

    @Test
    void failedStartReportsTheServerLog() throws IOException {
        assertThatThrownBy(() -> EmbeddedPostgres.builder().setting("shared_buffers", "lots").start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tail of")
                .hasMessageContaining("shared_buffers");
        // the failed instance's data directory is gone too
        try (var dirs = Files.list(PgBinaries.cacheRoot())) {
            assertThat(dirs.filter(d -> d.getFileName().toString().startsWith("data-"))
                    .filter(d -> Files.exists(d.resolve("postgresql.conf")))
                    .filter(d -> readQuietly(d.resolve("postgresql.conf")).contains("'lots'")))
                    .isEmpty();
        }
    }

    private static void assertCanCreateDatabaseAndTable(EmbeddedPostgres pg) throws SQLException {
        pg.createDatabase("Snap \"Sync\""); // needs quoting: upper case, space, quotes
        try (Connection c = pg.getConnection("Snap \"Sync\""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id bigint PRIMARY KEY, name text)");
            s.execute("INSERT INTO t VALUES (1, 'ä'), (2, 'b') ON CONFLICT (id) DO UPDATE SET name = excluded.name");
            try (ResultSet rs = s.executeQuery("SELECT count(*), current_database(), "
                    + "pg_encoding_to_char(encoding), datcollate FROM t, pg_database WHERE datname = current_database() "
                    + "GROUP BY 2, 3, 4")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
                assertThat(rs.getString(2)).isEqualTo("Snap \"Sync\"");
                assertThat(rs.getString(3)).isEqualTo("UTF8");
                assertThat(rs.getString(4)).isEqualTo("C");
            }
        }
    }

    private static String versionNum(EmbeddedPostgres pg) throws SQLException {
        return setting(pg, "server_version_num");
    }

    private static String setting(EmbeddedPostgres pg, String name) throws SQLException {
        try (Connection c = pg.getConnection("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
