package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The production source driver (com.amazon.redshift:redshift-jdbc42) reading the PostgreSQL stand-in. */
class RedshiftDriverTest extends EndToEndTestBase {
    /**
     * The Redshift driver cannot talk to PostgreSQL: its startup packet carries Redshift-only
     * parameters (driver_version, os_version, plugin_name, client_protocol_version) and PostgreSQL
     * refuses the connection. This pins that limitation (if a driver release stops sending them, this
     * test fails and the full sync through the driver should be tested instead) and that snapsync turns
     * it into one clear line before anything is written.
     */
    @Test
    void redshiftDriverIsRefusedByPostgresAndSnapsyncSaysSoClearly() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id bigint PRIMARY KEY, name varchar(30))");
            exec(p.source, "INSERT INTO t VALUES (1, 'a')");
            String redshiftUrl = "jdbc:redshift://127.0.0.1:" + pg.getPort() + "/" + p.sourceDb;
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", EmbeddedPostgres.USER);
            props.setProperty("password", "unused");
            props.setProperty("ssl", "false");
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(redshiftUrl, props).close())
                    .hasMessageContaining("unrecognized configuration parameter \"driver_version\"");

            SyncConfig pgConfig = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(
                    new SyncConfig.Source(redshiftUrl, EmbeddedPostgres.USER, "s3cret-pw", java.util.Map.of("ssl", "false"), 100, true),
                    pgConfig.target(), pgConfig.cache(), pgConfig.job(), pgConfig.tables());
            TableReport r = new SyncRunner(config).run(null).tables.get(0);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).startsWith("cannot connect to the source database jdbc:redshift://127.0.0.1:")
                    .contains("driver_version").doesNotContain("s3cret-pw");
            assertThat(rows(p.target, "t", "id")).isEmpty();
        }
    }
}
