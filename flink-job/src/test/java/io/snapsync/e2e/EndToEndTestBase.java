package io.snapsync.e2e;

import io.snapsync.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What every end-to-end test class shares: one Flink MiniCluster and one PostgreSQL 17 per class. */
abstract class EndToEndTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static EmbeddedPostgres pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }
}
