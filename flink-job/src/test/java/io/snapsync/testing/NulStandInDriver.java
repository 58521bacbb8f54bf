package io.snapsync.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Stands in for what only Redshift can do: return text containing U+0000, which PostgreSQL text cannot
 * hold. Named by the config's {@code driver} key, it takes URLs with {@code nulStandIn=true}, connects through pgjdbc,
 * and hands out strings with every {@link #MARK} replaced by U+0000. Everything else is pgjdbc's.
 */
public final class NulStandInDriver implements Driver {
    /** Written into the PostgreSQL stand-in where the Redshift data would have a NUL. */
    public static final String MARK = "\u2400";
    /** Written where a Redshift SUPER value would have the JSON escape backslash-u0000 (jsonb refuses both). */
    public static final String JSON_MARK = "\u2401";
    public static final String PARAM = "nulStandIn=true";
    private static final Driver PGJDBC = new org.postgresql.Driver();

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:postgresql:") && url.contains(PARAM);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Connection real = PGJDBC.connect(url.replace("&" + PARAM, "").replace("?" + PARAM, "?"), info);
        return wrap(Connection.class, real);
    }

    /** Wraps statements and result sets so that getString sees the stand-in's NULs. */
    private static <T> T wrap(Class<T> type, Object target) {
        InvocationHandler h = (proxy, m, args) -> {
            Object r;
            try {
                r = m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (r instanceof String s && m.getName().equals("getString") && type == ResultSet.class) {
                return s.replace(MARK, "\0").replace(JSON_MARK, "\\u0000");
            }
            if (r instanceof ResultSet rs) {
                return wrap(ResultSet.class, rs);
            }
            if (r instanceof PreparedStatement ps) {
                return wrap(PreparedStatement.class, ps);
            }
            if (r instanceof Statement st) {
                return wrap(Statement.class, st);
            }
            return r;
        };
        return type.cast(Proxy.newProxyInstance(NulStandInDriver.class.getClassLoader(), new Class<?>[] {type}, h));
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
