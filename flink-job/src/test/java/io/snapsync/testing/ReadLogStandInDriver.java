package io.snapsync.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test code: a STAND-IN for Redshift's cursor latency that also records, as the source sees them, when each
 * split read of a table ran. Named by the config's {@code driver} key, it takes URLs with {@code readLogStandIn=true}
 * and connects through pgjdbc. A read is a read-only connection (as snapsync's source reader opens them) that
 * prepares a query on a table: it starts when the query is prepared and ends when the connection closes. Each
 * query's execution waits {@link #LATENCY_MS} first, as a Redshift cursor materialises its whole result on the
 * leader node before the first row, so that reads last long enough to overlap when nothing keeps them apart.
 */
public final class ReadLogStandInDriver extends PgjdbcStandInDriver {
    public static final String PARAM = "readLogStandIn=true";
    public static final long LATENCY_MS = 150;
    private static final Pattern TABLE = Pattern.compile("FROM \"([^\"]+)\"\\.\"([^\"]+)\"");
    private static final ConcurrentLinkedQueue<Read> READS = new ConcurrentLinkedQueue<>();

    /** One split read: the table's {@code schema.table}, and System.nanoTime() at its start and end. */
    public record Read(String table, long start, long end) {}

    public ReadLogStandInDriver() {
        super(PARAM);
    }

    /** Every finished read so far. */
    public static List<Read> reads() {
        return new ArrayList<>(READS);
    }

    public static void clear() {
        READS.clear();
    }

    @Override
    Connection wrap(Connection real) {
        final String[] table = new String[1];
        final long[] start = new long[1];
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("close") && table[0] != null) {
                READS.add(new Read(table[0], start[0], System.nanoTime()));
                table[0] = null;
            }
            Object r;
            try {
                r = m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (m.getName().equals("prepareStatement") && real.isReadOnly() && args[0] instanceof String sql) {
                Matcher t = TABLE.matcher(sql);
                if (t.find()) {
                    table[0] = t.group(1) + "." + t.group(2);
                    start[0] = System.nanoTime();
                    return slow((PreparedStatement) r);
                }
            }
            return r;
        };
        return (Connection) Proxy.newProxyInstance(ReadLogStandInDriver.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private static PreparedStatement slow(PreparedStatement real) {
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("executeQuery")) {
                Thread.sleep(LATENCY_MS);
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (PreparedStatement) Proxy.newProxyInstance(ReadLogStandInDriver.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, h);
    }
}
