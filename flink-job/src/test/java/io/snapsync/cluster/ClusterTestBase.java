package io.snapsync.cluster;

import io.snapsync.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One PostgreSQL (source and target databases per test, see {@link TwoTables}) for a cluster test class. */
abstract class ClusterTestBase {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }
}
