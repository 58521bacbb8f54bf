package io.snapsync.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Stands in for what only Redshift can do: return text containing U+0000, which PostgreSQL text cannot
 * hold. Named by the config's {@code driver} key, it takes URLs with {@code nulStandIn=true}, connects through pgjdbc,
 * and hands out strings with every {@link #MARK} replaced by U+0000. Everything else is pgjdbc's.
 */
public final class NulStandInDriver extends PgjdbcStandInDriver {
    /** Written into the PostgreSQL stand-in where the Redshift data would have a NUL. */
    public static final String MARK = "\u2400";
    /** Written where a Redshift SUPER value would have the JSON escape backslash-u0000 (jsonb refuses both). */
    public static final String JSON_MARK = "\u2401";
    public static final String PARAM = "nulStandIn=true";

    public NulStandInDriver() {
        super(PARAM);
    }

    @Override
    Connection wrap(Connection real) {
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

}
