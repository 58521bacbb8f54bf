package io.snapsync.run;

import io.snapsync.config.SyncConfig;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FlinkUserCodeClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The Flink configuration of a run: BATCH mode (sort-based keyed co-processing, blocking exchanges
 * that spill to disk rather than hold everything in memory), a few task retries, and the cache's S3
 * settings for local runs (the CLI's own MiniCluster, tests). Inside a Flink cluster the cluster's own
 * {@code s3.*} configuration is what its JobManager and TaskManagers use, so {@code cache.s3} is ignored there.
 */
public final class FlinkSetup {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkSetup.class);

    private FlinkSetup() {}

    /**
     * True when this code runs from a Flink user-code class loader, i.e. {@code main} was started by a Flink
     * process (application mode JobManager, REST/web UI submission, {@code flink run}, Managed Service for
     * Apache Flink) that has its own configuration and has initialised its file systems from it.
     */
    public static boolean insideFlinkCluster() {
        return FlinkSetup.class.getClassLoader() instanceof FlinkUserCodeClassLoader;
    }

    public static Configuration configuration(SyncConfig config, int parallelism) {
        return configuration(config, parallelism, insideFlinkCluster());
    }

    static Configuration configuration(SyncConfig config, int parallelism, boolean insideCluster) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        int attempts = config.jobOrDefaults().restartAttempts() == null ? 2 : config.jobOrDefaults().restartAttempts();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, attempts > 0 ? "fixed-delay" : "none");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        // only used when this JVM starts its own MiniCluster
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        String spillDir = config.jobOrDefaults().spillDir();
        if (spillDir != null && !spillDir.isBlank()) {
            // where sort spill files and blocking-shuffle partitions go (default: java.io.tmpdir)
            conf.set(CoreOptions.TMP_DIRS, spillDir);
        }
        SyncConfig.S3 s3 = config.cache().s3();
        if (s3 != null && insideCluster) {
            // the job's configuration is shown in the web UI and the cluster's s3.* settings are the ones its
            // TaskManagers use anyway: the cache.s3 keys (which may hold a secret key) are left out
            LOG.warn("cache.s3 is ignored inside a Flink cluster; the cluster's own s3.* configuration is used");
        } else if (s3 != null) {
            setIfPresent(conf, "s3.endpoint", s3.endpoint());
            setIfPresent(conf, "s3.access-key", s3.accessKey());
            setIfPresent(conf, "s3.secret-key", s3.secretKey());
            setIfPresent(conf, "s3.endpoint.region", s3.region());
            if (s3.pathStyleAccess() != null) {
                conf.setString("s3.path.style.access", s3.pathStyleAccess().toString());
            }
            if (s3.endpoint() != null && s3.endpoint().startsWith("http://")) {
                conf.setString("s3.connection.ssl.enabled", "false");
            }
            if (s3.accessKey() != null && !s3.accessKey().isBlank()) {
                // configured keys only: never fall through to the instance metadata service
                conf.setString("s3.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            }
        }
        return conf;
    }

    /**
     * Makes this JVM's file systems (and a local MiniCluster's) see the cache settings, on top of the Flink
     * configuration in {@code FLINK_CONF_DIR} if there is one. Inside a cluster it does nothing: the process
     * initialised its file systems from the cluster's configuration, and re-initialising would replace it.
     */
    public static void initializeFileSystems(Configuration conf) {
        if (insideFlinkCluster()) {
            return;
        }
        Configuration fs = fileSystemConfiguration(conf, false, flinkConfDir());
        if (fs != null) {
            FileSystem.initialize(fs, PluginUtils.createPluginManagerFromRootFolder(fs));
        }
    }

    private static Configuration flinkConfDir() {
        String dir = System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR);
        if (dir == null || !new java.io.File(dir).isDirectory()) {
            return null;
        }
        try {
            return GlobalConfiguration.loadConfiguration(dir);
        } catch (RuntimeException e) { // no config file in it: nothing to keep
            LOG.debug("no Flink configuration in {}: {}", dir, e.toString());
            return null;
        }
    }

    /**
     * The configuration to initialise file systems with, or null to leave them as they are (inside a cluster).
     * Locally: the Flink configuration found (if any), with the run's settings laid over it.
     */
    static Configuration fileSystemConfiguration(Configuration run, boolean insideCluster, Configuration flinkConf) {
        if (insideCluster) {
            return null;
        }
        Configuration merged = flinkConf == null ? new Configuration() : new Configuration(flinkConf);
        merged.addAll(run);
        return merged;
    }

    public static StreamExecutionEnvironment environment(Configuration conf, int parallelism) {
        return configure(StreamExecutionEnvironment.getExecutionEnvironment(conf), parallelism);
    }

    static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, int parallelism) {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(parallelism);
        return env;
    }

    private static void setIfPresent(Configuration conf, String key, String value) {
        if (value != null && !value.isBlank()) {
            conf.setString(key, value);
        }
    }
}
