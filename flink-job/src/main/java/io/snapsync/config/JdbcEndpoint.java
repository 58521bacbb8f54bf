package io.snapsync.config;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * A database to connect to. The password is kept out of {@link #toString()} so it cannot leak into
 * logs, reports or exception messages.
 */
public record JdbcEndpoint(String url, String user, String password, Map<String, String> properties)
        implements Serializable {

    public JdbcEndpoint {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.putAll(properties);
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.putIfAbsent("ApplicationName", "snapsync");
        return DriverManager.getConnection(url, p);
    }

    public boolean isRedshift() {
        return url.startsWith("jdbc:redshift:");
    }

    @Override
    public String toString() {
        return "JdbcEndpoint[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
