package io.snapsync.testing;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the separate S3Proxy JVM started by {@link S3TestServer}: runs on the class path
 * {@code s3proxy.jar:target/test-classes} and uses nothing but the JDK, so no project or test class
 * path leaks into the server process.
 *
 * <p>It ties the server's life to its parent: the parent holds the write end of this process's
 * standard input and never writes to it, so end-of-file means the parent (the test JVM) closed it
 * or died, even by {@code kill -9}, and the server exits instead of lingering as an orphan.
 */
public final class S3ProxyLauncher {

    private S3ProxyLauncher() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog =
                new Thread(
                        () -> {
                            try (InputStream in = System.in) {
                                while (in.read() >= 0) {
                                    // the parent never writes; ignore anything anyway
                                }
                            } catch (IOException ignored) {
                                // a broken pipe means the parent is gone as well
                            }
                            Runtime.getRuntime().halt(0);
                        },
                        "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        // reflection: S3Proxy is not on the test compile class path, only in the child's
        Class.forName("org.gaul.s3proxy.Main")
                .getMethod("main", String[].class)
                .invoke(null, (Object) args);
    }
}
