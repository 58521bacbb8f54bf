package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.fault.CommitHook;
import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The features that write to the target with their own SQL, against a PostgreSQL 14 target (no MERGE:
 * INSERT ... ON CONFLICT): chunked apply with a crash between chunks, schema evolution, reconcile and
 * resync. The source stays on PostgreSQL 17, as Redshift would be another server.
 */
class Postgres14FeaturesTest extends EndToEndTestBase {
    static EmbeddedPostgres pg14;
    static final AtomicInteger CHUNKS = new AtomicInteger();

    @BeforeAll
    static void startPostgres14() throws Exception {
        pg14 = EmbeddedPostgres.start(Paths.get(System.getProperty("snapsync.pg14.binaries", "target/pg-binaries/pg14-binaries.jar")));
    }

    @AfterAll
    static void stopPostgres14() {
        pg14.close();
    }

    private static void assertCommitted(TableReport r) {
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
    }

    @Test
    void chunksSchemaEvolutionReconcileAndResyncOnPostgres14() throws Exception {
        try (PgPair p = new PgPair(pg, pg14, tmp.resolve("cache"))) {
            assertThat(scalar(p.target, "SELECT current_setting('server_version_num')::int")).isBetween(140000L, 149999L);
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, v varchar(10), n numeric(8,2))");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i, i / 4.0 FROM generate_series(1, 2000) i");
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = base.withTables(List.of(base.tables().get(0).with("apply-chunk-rows", 300)
                    .with("schema-evolution", "auto")));

            TableReport day1 = new SyncRunner(config).run(null).tables.get(0);
            assertCommitted(day1);
            assertThat(day1.chunks).isGreaterThan(6);

            // a crash between chunks, then the next run reconciles
            update(p.source, "UPDATE t SET v = 'x' WHERE id % 3 = 0");
            CHUNKS.set(0);
            CommitHook failSecondChunk = point -> {
                if (point == CommitHook.Point.CHUNK_APPLIED && CHUNKS.incrementAndGet() == 2) {
                    throw new IllegalStateException("injected failure after chunk 2");
                }
            };
            assertThat(new SyncRunner(config, failSecondChunk, false).run(null).tables.get(0).status).isEqualTo("failed");
            TableReport repaired = new SyncRunner(config).run(null).tables.get(0);
            assertCommitted(repaired);
            assertThat(repaired.reconcile).contains("did not finish");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            // schema evolution: a column added (NULL everywhere) and one widened: no row rewritten
            exec(p.source, "ALTER TABLE t ADD COLUMN extra text, ALTER COLUMN v TYPE varchar(30)");
            TableReport evolved = new SyncRunner(config).run(null).tables.get(0);
            assertCommitted(evolved);
            assertThat(new long[] {evolved.inserted, evolved.updated, evolved.deleted}).containsExactly(0, 0, 0);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            // a hand edit repaired by reconcile
            update(p.target, "UPDATE t SET n = -1 WHERE id <= 5");
            TableReport rec = new SyncRunner(config).reconcile(true).run(null).tables.get(0);
            assertCommitted(rec);
            assertThat(rec.updated).isEqualTo(5);

            // an incompatible change, by resync
            exec(p.source, "ALTER TABLE t ALTER COLUMN n TYPE text USING n::text");
            SyncConfig resync = config.withTables(List.of(config.tables().get(0).with("schema-evolution", "resync")));
            TableReport rs = new SyncRunner(resync).run(null).tables.get(0);
            assertCommitted(rs);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            TableReport quiet = new SyncRunner(resync).run(null).tables.get(0);
            assertThat(new long[] {quiet.inserted, quiet.updated, quiet.deleted}).containsExactly(0, 0, 0);
        }
    }
}
