package io.snapsync.run;

import java.util.Iterator;
import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.apache.flink.runtime.rpc.exceptions.RpcLoaderException;

/**
 * Takes Flink's RPC system (Pekko) from the class path when {@code flink-rpc-akka.jar} is on it, as the local launcher
 * puts it ({@code ./snapsync}; the demo module's build unpacks it from flink-rpc-akka-loader). Flink's own loader instead
 * copies that 21 MB jar out of flink-rpc-akka-loader into a new temporary file at every start and loads its ~800 classes
 * (Pekko, Scala) through a class loader of its own: inflated, parsed and verified anew by each sync process, and out
 * of reach of the class-data archive. On the class path they come from the archive like Flink's other classes.
 *
 * <p>Anywhere else (a cluster, the tests) the jar is not on the class path: this loader declines and Flink's
 * ({@code PekkoRpcSystemLoader}, priority 0) loads the RPC system as usual.
 */
public final class ClassPathRpcSystemLoader implements RpcSystemLoader {
    private final ClassLoader loader;

    /** As the ServiceLoader creates it: the RPC system from this class's own class path. */
    public ClassPathRpcSystemLoader() {
        this(ClassPathRpcSystemLoader.class.getClassLoader());
    }

    ClassPathRpcSystemLoader(ClassLoader loader) {
        this.loader = loader;
    }

    @Override
    public int getLoadPriority() {
        return -1; // before Flink's loader (0)
    }

    @Override
    public RpcSystem loadRpcSystem(Configuration config) {
        Iterator<RpcSystem> systems = ServiceLoader.load(RpcSystem.class, loader).iterator();
        if (!systems.hasNext()) {
            throw new RpcLoaderException("flink-rpc-akka.jar is not on the class path; Flink's loader takes the RPC system from "
                    + "flink-rpc-akka-loader");
        }
        return systems.next();
    }
}
