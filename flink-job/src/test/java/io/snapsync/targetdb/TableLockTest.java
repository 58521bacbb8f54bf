package io.snapsync.targetdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.embedded.EmbeddedPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TableLockTest {
    static EmbeddedPostgres pg;
    static JdbcEndpoint target;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        target = new JdbcEndpoint(pg.getJdbcUrl("postgres"), EmbeddedPostgres.USER, null, Map.of());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void secondRunOfTheSameTableIsRefusedNamingTheHolder() throws Exception {
        try (TableLock first = TableLock.acquire(target, "lineitem", "20261124T013000Z-aaaaaa")) {
            assertThatThrownBy(() -> TableLock.acquire(target, "lineitem", "20261124T013500Z-bbbbbb"))
                    .isInstanceOf(TableLock.AlreadyRunningException.class)
                    .hasMessageContaining("table lineitem is already being synced by 'snapsync run 20261124T013000Z-aaaaaa'")
                    .hasMessageContaining("pid ");
            // a different table is independent
            try (TableLock other = TableLock.acquire(target, "orders", "20261124T013500Z-bbbbbb")) {
                assertThat(other).isNotNull();
            }
        }
        // released when the first run ends
        try (TableLock again = TableLock.acquire(target, "lineitem", "20261124T014000Z-cccccc")) {
            assertThat(again).isNotNull();
        }
    }
}
