package io.snapsync.run;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local run's MiniCluster, started on a background thread while the run plans its tables (connecting to both
 * databases, reading the cache manifest) and builds its job: the cluster's start (RPC system, blob server,
 * dispatcher, task manager: 1-2.5 s) no longer waits for them. Flink's own local executor runs the job and shuts
 * the cluster down after it, as before; it is only handed this cluster when the cluster configuration it would
 * start matches the one this cluster was started with ({@link #sameCluster}), else it starts its own as it always
 * did. Only for an environment Flink made local ({@link LocalStreamEnvironment}): a Flink cluster's or a test's
 * context environment is left as it is.
 */
final class EarlyMiniCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EarlyMiniCluster.class);
    /** Job-level settings: they do not change how the cluster is started, and differ between a run's plan and its job. */
    private static final Set<String> JOB_KEY_PREFIXES = Set.of("pipeline.", "execution.", "restart-strategy.", "parallelism.",
            "$internal.", "state.", "checkpointing.", "execution.checkpointing.");

    private final Started cluster;
    private final Configuration configuration;
    private volatile boolean taken;

    private EarlyMiniCluster(Configuration configuration, MiniClusterConfiguration clusterConfiguration) {
        this.configuration = configuration;
        this.cluster = new Started(clusterConfiguration);
        cluster.startInBackground();
    }

    /**
     * Starts the cluster for {@code env} when Flink made it a local environment; null otherwise (then the run goes on
     * exactly as before). The caller uses {@link #environment} instead of {@code env} and closes this at the end.
     */
    static EarlyMiniCluster startFor(StreamExecutionEnvironment env, int parallelism) {
        if (env.getClass() != LocalStreamEnvironment.class) {
            return null;
        }
        Configuration conf = Configuration.fromMap(env.getConfiguration().toMap());
        if (!conf.get(DeploymentOptions.ATTACHED)) {
            return null;
        }
        return new EarlyMiniCluster(conf, clusterConfiguration(conf, parallelism));
    }

    /** An environment like the local one it was made from, whose job runs on this cluster when the configurations match. */
    StreamExecutionEnvironment environment(ClassLoader classLoader) {
        return new StreamExecutionEnvironment(new Loader(), new Configuration(configuration), classLoader);
    }

    /**
     * The cluster configuration Flink's per-job MiniCluster factory derives from a job's configuration (REST on a free
     * port unless set; the task manager count; slots as configured, else the job's parallelism spread over them).
     */
    static MiniClusterConfiguration clusterConfiguration(Configuration conf, int maxParallelism) {
        Configuration c = new Configuration(conf);
        if (!c.contains(RestOptions.BIND_PORT)) {
            c.set(RestOptions.BIND_PORT, "0");
        }
        int taskManagers = c.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS);
        int slots = c.getOptional(TaskManagerOptions.NUM_TASK_SLOTS).orElse((maxParallelism + taskManagers - 1) / taskManagers);
        return new MiniClusterConfiguration.Builder().setConfiguration(c).setNumTaskManagers(taskManagers)
                .setRpcServiceSharing(RpcServiceSharing.SHARED).setNumSlotsPerTaskManager(slots).build();
    }

    /** Whether a cluster started with {@code a} is the cluster {@code b} asks for: the same shape and cluster settings. */
    static boolean sameCluster(MiniClusterConfiguration a, MiniClusterConfiguration b) {
        // the slots per task manager are in the configuration (taskmanager.numberOfTaskSlots)
        return a.getNumTaskManagers() == b.getNumTaskManagers() && a.getRpcServiceSharing() == b.getRpcServiceSharing()
                && a.getHaServices() == b.getHaServices() && differingKeys(a, b).isEmpty();
    }

    /** The cluster-level settings (job-level ones left out) that differ between the two. */
    static Set<String> differingKeys(MiniClusterConfiguration a, MiniClusterConfiguration b) {
        Map<String, String> x = a.getConfiguration().toMap();
        Map<String, String> y = b.getConfiguration().toMap();
        Set<String> differ = new TreeSet<>();
        Stream.concat(x.keySet().stream(), y.keySet().stream())
                .filter(k -> JOB_KEY_PREFIXES.stream().noneMatch(k::startsWith))
                .filter(k -> !java.util.Objects.equals(x.get(k), y.get(k)))
                .forEach(differ::add);
        return differ;
    }

    /** The cluster for the job Flink's local executor is about to run: this one when it fits, else a new one. */
    private MiniCluster offer(MiniClusterConfiguration wanted) {
        if (cluster.started.isCompletedExceptionally()) {
            LOG.info("the MiniCluster started while planning failed to start; starting another");
            close();
            return new MiniCluster(wanted);
        }
        if (!taken && sameCluster(cluster.configuration, wanted)) {
            taken = true;
            LOG.debug("the job runs on the MiniCluster started while planning");
            return cluster;
        }
        LOG.info("the MiniCluster started while planning does not fit the job (differing: {}); starting another",
                differingKeys(cluster.configuration, wanted));
        return new MiniCluster(wanted);
    }

    /** Whether the job was handed this cluster (then Flink shuts it down after the job). */
    boolean taken() {
        return taken;
    }

    /** Shuts the cluster down unless a job took it. */
    @Override
    public void close() {
        if (taken) {
            return;
        }
        try {
            cluster.closeAsync().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("could not shut down the unused MiniCluster: {}", e.toString());
        }
    }

    /** Started in the background; Flink's executor calls {@link #start()} again, which then waits for that start. */
    private static final class Started extends MiniCluster {
        private final MiniClusterConfiguration configuration;
        private final CompletableFuture<Void> started = new CompletableFuture<>();

        Started(MiniClusterConfiguration configuration) {
            super(configuration);
            this.configuration = configuration;
        }

        void startInBackground() {
            Thread t = new Thread(() -> {
                try {
                    super.start();
                    started.complete(null);
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                }
            }, "snapsync-minicluster-start");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void start() throws Exception {
            try {
                started.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
    }

    private final class Loader implements PipelineExecutorServiceLoader {
        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration conf) {
            return new PipelineExecutorFactory() {
                @Override
                public String getName() {
                    return LocalExecutor.NAME;
                }

                @Override
                public boolean isCompatibleWith(Configuration c) {
                    return true;
                }

                @Override
                public PipelineExecutor getExecutor(Configuration c) {
                    return LocalExecutor.createWithFactory(c, EarlyMiniCluster.this::offer);
                }
            };
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(LocalExecutor.NAME);
        }
    }
}
