package io.snapsync.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcService;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.apache.flink.runtime.rpc.exceptions.RpcLoaderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassPathRpcSystemLoaderTest {

    @Test
    void declinesWhenFlinkRpcAkkaIsNotOnItsClassPathAndFlinkLoadsItsOwn() throws Exception {
        // the tests' class path has flink-rpc-akka-loader (the jar inside a jar), not flink-rpc-akka.jar itself
        assertThrows(RpcLoaderException.class, () -> new ClassPathRpcSystemLoader().loadRpcSystem(new Configuration()));
        try (RpcSystem flinks = RpcSystem.load(new Configuration())) {
            // Flink's loader wraps the system it loads from its temporary copy of the jar
            assertEquals("org.apache.flink.runtime.rpc.CleanupOnCloseRpcSystem", flinks.getClass().getName());
        }
    }

    @Test
    void comesBeforeFlinksLoader() {
        int flinks = Integer.MIN_VALUE;
        for (RpcSystemLoader l : ServiceLoader.load(RpcSystemLoader.class)) {
            if (l.getClass().getName().equals("org.apache.flink.runtime.rpc.pekko.PekkoRpcSystemLoader")) {
                flinks = l.getLoadPriority();
            }
        }
        assertNotEquals(Integer.MIN_VALUE, flinks, "Flink's loader on the tests' class path");
        assertTrue(new ClassPathRpcSystemLoader().getLoadPriority() < flinks, "RpcSystem.load tries the lowest first");
    }

    @Test
    void takesPekkoFromTheClassPathWhenTheJarIsOnIt(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("flink-rpc-akka.jar");
        try (InputStream in = RpcSystem.class.getClassLoader().getResourceAsStream("flink-rpc-akka.jar")) {
            assertNotNull(in, "flink-rpc-akka-loader on the tests' class path");
            Files.copy(in, jar);
        }
        Configuration conf = new Configuration();
        try (URLClassLoader classPath = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
             RpcSystem system = new ClassPathRpcSystemLoader(classPath).loadRpcSystem(conf)) {
            assertEquals("org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem", system.getClass().getName());
            assertSame(classPath, system.getClass().getClassLoader());
            RpcService service = system.localServiceBuilder(conf).createAndStart();
            try {
                assertNotNull(service.getAddress());
            } finally {
                service.closeAsync().get();
            }
        }
    }
}
