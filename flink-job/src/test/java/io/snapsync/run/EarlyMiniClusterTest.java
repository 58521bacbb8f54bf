package io.snapsync.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/** A real MiniCluster started early: the job takes it when it fits, starts its own when not, and nothing leaks. */
class EarlyMiniClusterTest {
    private static Configuration conf(String managed) {
        Configuration c = new Configuration();
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse(managed));
        return c;
    }

    private static List<Long> runJob(StreamExecutionEnvironment env) throws Exception {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        try (CloseableIterator<Long> it = env.fromSequence(1, 100).map(x -> x * 2).executeAndCollect()) {
            List<Long> out = new java.util.ArrayList<>();
            it.forEachRemaining(out::add);
            return out;
        }
    }

    @Test
    void theJobRunsOnTheClusterStartedWhilePlanning() throws Exception {
        StreamExecutionEnvironment local = StreamExecutionEnvironment.getExecutionEnvironment(conf("64m"));
        try (EarlyMiniCluster early = EarlyMiniCluster.startFor(local, 2)) {
            assertThat(early).as("Flink made a local environment here").isNotNull();
            StreamExecutionEnvironment env = early.environment(getClass().getClassLoader());
            env.getConfig().setGlobalJobParameters(new Configuration()); // job-level settings may differ
            assertThat(runJob(env)).hasSize(100).contains(2L, 200L);
            assertThat(early.taken()).isTrue();
        }
    }

    @Test
    void aJobWhoseClusterSettingsDifferStartsItsOwnAndTheEarlyOneIsShutDown() throws Exception {
        StreamExecutionEnvironment local = StreamExecutionEnvironment.getExecutionEnvironment(conf("64m"));
        EarlyMiniCluster early = EarlyMiniCluster.startFor(local, 2);
        StreamExecutionEnvironment env = early.environment(getClass().getClassLoader());
        env.configure(conf("96m")); // a cluster-level setting changed after the early start
        assertThat(runJob(env)).hasSize(100);
        assertThat(early.taken()).isFalse();
        early.close();
    }

    @Test
    void onlyClusterLevelSettingsDecide() {
        Configuration a = conf("64m");
        a.set(PipelineOptions.NAME, "run 1");
        Configuration b = conf("64m");
        b.set(PipelineOptions.NAME, "run 2");
        b.setString("restart-strategy.type", "none");
        MiniClusterConfiguration ca = EarlyMiniCluster.clusterConfiguration(a, 2);
        assertThat(EarlyMiniCluster.sameCluster(ca, EarlyMiniCluster.clusterConfiguration(b, 2))).isTrue();
        Configuration slots = conf("64m");
        slots.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
        assertThat(EarlyMiniCluster.differingKeys(ca, EarlyMiniCluster.clusterConfiguration(slots, 2)))
                .containsExactly(TaskManagerOptions.NUM_TASK_SLOTS.key());
        Configuration unset = new Configuration(); // slots from the job's parallelism, as Flink's per-job factory derives them
        assertThat(EarlyMiniCluster.clusterConfiguration(unset, 3).getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(3);
    }

    @Test
    void aContextEnvironmentIsLeftAlone() {
        StreamExecutionEnvironment other = new StreamExecutionEnvironment(new Configuration());
        assertThat(EarlyMiniCluster.startFor(other, 2)).isNull();
    }
}
