package io.snapsync.demo;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bench code (bench/run UNLOAD=1), the source {@code driver} of the sync processes: pgjdbc, except that a statement
 * {@code UNLOAD (...)} is not sent to PostgreSQL (which has no UNLOAD) but relayed over 127.0.0.1 to the bench's
 * process ({@link UnloadBenchRig}), where the tests' STAND-IN for Redshift's UNLOAD carries it out, and this waits for it
 * as the sync would wait for Redshift. So the stand-in's CPU and memory are not the sync process's, whose figures the
 * bench measures. The URL names the relay's port: {@code jdbc:postgresql://...?unloadRelayPort=N}.
 */
public final class UnloadRelayDriver implements Driver {
    static final String PARAM = "unloadRelayPort";
    private static final Pattern PORT = Pattern.compile("([?&])" + PARAM + "=([0-9]+)&?");
    private static final Driver PGJDBC = new org.postgresql.Driver();

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:postgresql:") && PORT.matcher(url).find();
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Matcher m = PORT.matcher(url);
        m.find();
        int port = Integer.parseInt(m.group(2));
        String pgUrl = m.replaceFirst("$1").replaceAll("[?&]$", "");
        Connection real = PGJDBC.connect(pgUrl, info);
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            Object r = invoke(real, method, args);
            return method.getName().equals("createStatement") && r instanceof Statement s ? statement(s, port) : r;
        });
    }

    private static Statement statement(Statement s, int port) {
        return (Statement) Proxy.newProxyInstance(UnloadRelayDriver.class.getClassLoader(), new Class<?>[] {Statement.class}, (proxy, method, args) -> {
            if (method.getName().equals("execute") && args != null && args.length == 1 && args[0] instanceof String sql && sql.startsWith("UNLOAD (")) {
                relay(port, sql);
                return false; // as Redshift's UNLOAD: no result set
            }
            return invoke(s, method, args);
        });
    }

    /** Sends the statement to the rig and waits for it; its error as an SQLException, as the real UNLOAD's would be. */
    static void relay(int port, String sql) throws SQLException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
             DataOutputStream out = new DataOutputStream(socket.getOutputStream());
             DataInputStream in = new DataInputStream(socket.getInputStream())) {
            write(out, sql);
            out.flush();
            boolean ok = in.readBoolean();
            String message = read(in);
            if (!ok) {
                throw new SQLException(message, "58030");
            }
        } catch (IOException e) {
            throw new SQLException("the bench's UNLOAD stand-in on port " + port + " did not answer: " + e, "08006", e);
        }
    }

    static void write(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) {
            throw new IOException("bad relay message length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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
