package io.snapsync.config;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * A database to connect to. The password is kept out of {@link #toString()} so it cannot leak into
 * logs, reports or exception messages.
 *
 * @param driver the JDBC driver class, or null for the one the URL's prefix names (see {@link JdbcDrivers})
 */
public record JdbcEndpoint(String url, String user, String password, Map<String, String> properties, String driver)
        implements Serializable {

    public JdbcEndpoint {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public JdbcEndpoint(String url, String user, String password, Map<String, String> properties) {
        this(url, user, password, properties, null);
    }

    /** This endpoint with {@code defaults} added where its own properties do not set the same key. */
    public JdbcEndpoint withDefaultProperties(Map<String, String> defaults) {
        if (defaults.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new java.util.HashMap<>(defaults);
        merged.putAll(properties);
        return new JdbcEndpoint(url, user, password, merged, driver);
    }

    public Connection connect() throws SQLException {
        Secrets.register(url, password, properties); // also in task managers, whose logs scrub with it
        Properties p = new Properties();
        p.putAll(properties);
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.putIfAbsent("ApplicationName", "snapsync");
        return JdbcDrivers.connect(url, p, driver);
    }

    /**
     * Connects, or fails with one line naming the database (URL without its parameters, which may hold a
     * password) and the driver's reason; the driver's exception is not chained, only its message kept.
     *
     * @param role "source" or "target", for the message
     */
    public Connection connect(String role) throws SQLException {
        try {
            return connect();
        } catch (SQLException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // drivers echo connection properties, and the whole URL when they cannot parse it
            reason = Secrets.scrub(reason.replace(url, safeUrl()));
            if (password != null && !password.isEmpty()) {
                reason = reason.replace(password, Secrets.MASK);
            }
            throw new SQLException("cannot connect to the " + role + " database " + safeUrl() + ": " + reason, e.getSQLState());
        }
    }

    /** The URL without its parameters ({@code ?...} or {@code ;...}), which may carry credentials. */
    public String safeUrl() {
        return Secrets.safeUrl(url);
    }

    public boolean isRedshift() {
        return url.startsWith("jdbc:redshift:");
    }

    @Override
    public String toString() {
        return "JdbcEndpoint[url=" + safeUrl() + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
