package io.snapsync.cluster;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** A session cluster shared by the runs of one test class (they all go to the same TaskManager). */
abstract class SessionClusterTestBase extends ClusterTestBase {
    static FlinkCluster cluster;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = FlinkCluster.session(tmp.resolve("flink"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
