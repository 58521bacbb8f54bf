package io.snapsync.testing;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Test code: the base of the STAND-IN drivers that play a Redshift behaviour in front of pgjdbc. A URL
 * carrying the stand-in's marker parameter connects through pgjdbc (marker removed) and the subclass wraps
 * the connection.
 */
abstract class PgjdbcStandInDriver implements Driver {
    private static final Driver PGJDBC = new org.postgresql.Driver();
    private final String param;

    PgjdbcStandInDriver(String param) {
        this.param = param;
    }

    /** The stand-in's view of the real pgjdbc connection. */
    abstract Connection wrap(Connection real) throws SQLException;

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:postgresql:") && url.contains(param);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        return wrap(PGJDBC.connect(url.replace("&" + param, "").replace("?" + param, "?"), info));
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        return PGJDBC.getPropertyInfo(url, info);
    }

    @Override
    public int getMajorVersion() {
        return PGJDBC.getMajorVersion();
    }

    @Override
    public int getMinorVersion() {
        return PGJDBC.getMinorVersion();
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
