package io.snapsync.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;

/**
 * Stands in for a source whose ORDER BY does not sort text by its bytes, as a Redshift column or database
 * declared {@code COLLATE case_insensitive} would without the {@code COLLATE(c, 'case_sensitive')} snapsync
 * asks for: every {@code "c"::text COLLATE "C"} in a statement becomes {@code lower("c")}, so 'a' comes before 'B'.
 * Named by the config's {@code driver} key, it takes URLs with {@code collationStandIn=true}.
 */
public final class CollationStandInDriver extends PgjdbcStandInDriver {
    public static final String PARAM = "collationStandIn=true";

    public CollationStandInDriver() {
        super(PARAM);
    }

    @Override
    Connection wrap(Connection real) {
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                args[0] = sql.replaceAll("(\"[^\"]+\")(::text)? COLLATE \"C\"", "lower($1)");
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(CollationStandInDriver.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }
}
