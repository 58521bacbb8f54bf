package io.snapsync.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;

/**
 * Stands in for a source whose range predicate compares text differently from its ORDER BY (and from row.KeyOrder),
 * as a collation or a cast the predicate did not override would: before a statement's {@code ORDER BY}, every
 * {@code "c"::text COLLATE "C"} becomes {@code lower("c")} (so a range split bounded by 'a' holds 'Z1' with 'z1'), while
 * the ORDER BY still sorts by bytes; the rows of a split then ascend but some lie outside its range. Named by the
 * config's {@code driver} key, it takes URLs with {@code rangeCollationStandIn=true}.
 */
public final class RangeCollationStandInDriver extends PgjdbcStandInDriver {
    public static final String PARAM = "rangeCollationStandIn=true";

    public RangeCollationStandInDriver() {
        super(PARAM);
    }

    @Override
    Connection wrap(Connection real) {
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                int order = sql.indexOf(" ORDER BY ");
                String head = order < 0 ? sql : sql.substring(0, order);
                args[0] = head.replaceAll("(\"[^\"]+\")(::text)? COLLATE \"C\"", "lower($1)") + (order < 0 ? "" : sql.substring(order));
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(RangeCollationStandInDriver.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }
}
