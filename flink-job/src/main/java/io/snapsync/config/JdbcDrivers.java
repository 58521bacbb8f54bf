package io.snapsync.config;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks and instantiates the JDBC driver for a URL directly instead of asking {@link java.sql.DriverManager}.
 * DriverManager only hands out drivers visible from the caller's class loader and registered by whichever
 * class loader loaded them first; on a Flink TaskManager every job has its own user-code class loader, so a
 * second job's first attempt found "No suitable driver". Instantiating the class from this class's own
 * loader (the job's) has no such state.
 */
public final class JdbcDrivers {
    static final String POSTGRESQL = "org.postgresql.Driver";
    static final String REDSHIFT = "com.amazon.redshift.jdbc.Driver";

    /** One instance per driver class, per class loader of this class (i.e. per job on a TaskManager). */
    private static final Map<String, Driver> INSTANCES = new ConcurrentHashMap<>();

    private JdbcDrivers() {}

    /**
     * The driver class for a URL: the explicit one when configured (the {@code driver} key), else the one
     * that the URL's prefix names; null for other URLs.
     */
    public static String driverClassFor(String url, String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit.strip();
        }
        if (url == null) {
            return null;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:redshift:")) {
            return REDSHIFT;
        }
        return null;
    }

    /** The driver for the URL, instantiated from this class's loader; a clear error when it cannot be. */
    public static Driver driverFor(String url, String explicit) throws SQLException {
        String name = driverClassFor(url, explicit);
        if (name == null) {
            throw new SQLException("no JDBC driver known for URL " + safe(url)
                    + " (expected jdbc:postgresql: or jdbc:redshift:, or set the driver key to a driver class)");
        }
        Driver d = INSTANCES.get(name);
        if (d == null) {
            d = instantiate(name);
            Driver raced = INSTANCES.putIfAbsent(name, d);
            d = raced == null ? d : raced;
        }
        return d;
    }

    public static Connection connect(String url, Properties props, String explicit) throws SQLException {
        Driver d = driverFor(url, explicit);
        Connection c = d.connect(url, props);
        if (c == null) { // the JDBC contract for "not my URL"
            throw new SQLException("JDBC driver " + d.getClass().getName() + " does not accept the URL " + safe(url));
        }
        return c;
    }

    private static Driver instantiate(String name) throws SQLException {
        Class<?> cls;
        try {
            cls = Class.forName(name, true, JdbcDrivers.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new SQLException("JDBC driver class " + name + " is not on the class path of the job (" + e + ")");
        }
        if (!Driver.class.isAssignableFrom(cls)) {
            throw new SQLException("class " + name + " is not a java.sql.Driver");
        }
        try {
            return (Driver) cls.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new SQLException("cannot instantiate JDBC driver " + name + ": " + e);
        }
    }

    private static String safe(String url) {
        return url == null ? "null" : url.replaceAll("[?;].*", "");
    }
}
