package io.snapsync.job;

import io.snapsync.config.SyncConfig;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;

/**
 * The Flink configuration of a run: BATCH mode (sort-based keyed co-processing, blocking exchanges
 * that spill to disk rather than hold everything in memory), a few task retries, and the cache's S3
 * settings for runs that bring their own file system configuration (local and tests; on a cluster
 * these belong in the Flink configuration).
 */
public final class FlinkSetup {
    private FlinkSetup() {}

    public static Configuration configuration(SyncConfig config, int parallelism) {
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
        if (s3 != null) {
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

    /** Makes this JVM's file systems (and a local MiniCluster's) see the cache settings. */
    public static void initializeFileSystems(Configuration conf) {
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }

    public static StreamExecutionEnvironment environment(Configuration conf, int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
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
