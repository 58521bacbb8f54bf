package io.snapsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.embedded.EmbeddedPostgres;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbcDriversTest {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void driverIsChosenByUrlPrefixUnlessOneIsNamed() {
        assertThat(JdbcDrivers.driverClassFor("jdbc:postgresql://h:5432/db", null)).isEqualTo("org.postgresql.Driver");
        assertThat(JdbcDrivers.driverClassFor("jdbc:redshift://c.r.amazonaws.com:5439/dev", null))
                .isEqualTo("com.amazon.redshift.jdbc.Driver");
        assertThat(JdbcDrivers.driverClassFor("jdbc:redshift:iam://c.r.amazonaws.com:5439/dev", "")).isEqualTo("com.amazon.redshift.jdbc.Driver");
        assertThat(JdbcDrivers.driverClassFor("jdbc:postgresql://h/db", " com.example.Wrapper ")).isEqualTo("com.example.Wrapper");
        assertThat(JdbcDrivers.driverClassFor("jdbc:mysql://h/db", null)).isNull();
    }

    @Test
    void bothDriversInstantiateFromTheJobsClassLoader() throws Exception {
        assertThat(JdbcDrivers.driverFor("jdbc:postgresql://h/db", null)).isInstanceOf(org.postgresql.Driver.class);
        Driver redshift = JdbcDrivers.driverFor("jdbc:redshift://h:5439/dev", null);
        assertThat(redshift.getClass().getName()).isEqualTo("com.amazon.redshift.jdbc.Driver");
        assertThat(redshift.acceptsURL("jdbc:redshift:iam://h:5439/dev")).isTrue();
    }

    @Test
    void badDriverSettingsFailNamingTheClassAndNotTheUrlParameters() {
        assertThatThrownBy(() -> JdbcDrivers.driverFor("jdbc:postgresql://h/db?password=s3cret", "com.example.NoSuchDriver"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("JDBC driver class com.example.NoSuchDriver is not on the class path");
        assertThatThrownBy(() -> JdbcDrivers.driverFor("jdbc:postgresql://h/db", "java.lang.String"))
                .hasMessageContaining("class java.lang.String is not a java.sql.Driver");
        assertThatThrownBy(() -> JdbcDrivers.driverFor("jdbc:mysql://h/db?password=s3cret", null))
                .hasMessageContaining("no JDBC driver known for URL jdbc:mysql://h/db")
                .hasMessageNotContaining("s3cret");
        // a named driver that refuses the URL: the JDBC contract's null becomes an error, not a NullPointerException
        assertThatThrownBy(() -> JdbcDrivers.connect("jdbc:postgresql://h/db?password=s3cret", new Properties(),
                "com.amazon.redshift.jdbc.Driver"))
                .hasMessageContaining("does not accept the URL jdbc:postgresql://h/db")
                .hasMessageNotContaining("s3cret");
    }

    /** What a TaskManager sees for every job after the first: DriverManager knows no driver for the job's loader. */
    @Test
    void connectsWithNoDriverRegisteredInDriverManager() throws Exception {
        List<Driver> removed = new ArrayList<>();
        for (Driver d : Collections.list(DriverManager.getDrivers())) {
            DriverManager.deregisterDriver(d);
            removed.add(d);
        }
        try {
            String url = pg.getJdbcUrl("postgres");
            assertThatThrownBy(() -> DriverManager.getConnection(url, EmbeddedPostgres.USER, "")).hasMessageContaining("No suitable driver");
            JdbcEndpoint e = new JdbcEndpoint(url, EmbeddedPostgres.USER, null, Map.of());
            try (Connection c = e.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        } finally {
            for (Driver d : removed) {
                DriverManager.registerDriver(d);
            }
        }
    }

    /** A fresh class loader holding the job's classes and pgjdbc, as Flink gives each job: connecting works from it. */
    @Test
    void connectsFromAnIsolatedUserCodeClassLoader() throws Exception {
        URL classes = JdbcDrivers.class.getProtectionDomain().getCodeSource().getLocation();
        URL pgjdbc = org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader job = new URLClassLoader(new URL[] {classes, pgjdbc}, ClassLoader.getPlatformClassLoader())) {
            Class<?> drivers = job.loadClass(JdbcDrivers.class.getName());
            assertThat(drivers).isNotSameAs(JdbcDrivers.class);
            Method connect = drivers.getMethod("connect", String.class, Properties.class, String.class);
            Properties p = new Properties();
            p.setProperty("user", EmbeddedPostgres.USER);
            try (Connection c = (Connection) connect.invoke(null, pg.getJdbcUrl("postgres"), p, null)) {
                assertThat(c.getClass().getClassLoader()).isSameAs(job);
                assertThat(c.isValid(5)).isTrue();
            }
        }
    }
}
