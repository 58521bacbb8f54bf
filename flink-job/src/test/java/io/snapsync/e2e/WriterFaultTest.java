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
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failures during extraction, staging and cache writing, through the real operators. The source
 * failure is a real one: the reading backends are terminated by the server, so the driver fails the
 * next fetch. Without task retries the run fails and the target and committed cache are exactly as
 * before; with retries the failed attempt's work is discarded and the run commits exact counts (a
 * staged row applied twice would make the MERGE fail, a lost one would break the counts).
 */
class WriterFaultTest extends EndToEndTestBase {
    static final AtomicReference<CommitHook.Point> FAIL_AT = new AtomicReference<>();
    static volatile String sourceUrl;

    /** Fails the first time the armed point is reached; SOURCE_READ cuts the source connections instead. */
    static final CommitHook FAIL_ONCE = point -> {
        if (!FAIL_AT.compareAndSet(point, null)) {
            return;
        }
        if (point == CommitHook.Point.SOURCE_READ) {
            try (Connection c = PgPair.connect(sourceUrl)) {
                exec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND pid <> pg_backend_pid() AND query LIKE 'SELECT%'");
            }
            return;
        }
        throw new IllegalStateException("injected failure at " + point);
    };


    private static SyncConfig config(PgPair p, int restarts) {
        SyncConfig base = p.config("t", List.of("id"), 2);
        return new SyncConfig(base.source(), base.target(), base.cache(), new SyncConfig.Job(2, 4, restarts, 1.0, 1.0),
                base.tables());
    }


    /** Day 1 synced, day 2 changed in the source: 50 inserts, 300 updates, 100 deletes. */
    private static void twoDays(PgPair p, SyncConfig config) throws Exception {
        p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
        exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
        assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");
        update(p.source, "UPDATE t SET v = 'day2' WHERE id % 10 = 0");
        update(p.source, "DELETE FROM t WHERE id % 30 = 1");
        update(p.source, "INSERT INTO t SELECT i, 'new' FROM generate_series(5001, 5050) i");
        sourceUrl = p.sourcePg.getJdbcUrl(p.sourceDb);
    }

    @ParameterizedTest(name = "failure at {0}, no retries")
    @EnumSource(value = CommitHook.Point.class, names = {"SOURCE_READ", "STAGING_COPYING", "STAGING_COMMITTED", "CACHE_FILE_WRITING"})
    void aFailedRunLeavesTargetAndCacheAsTheyWereAndTheRerunConverges(CommitHook.Point point) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            SyncConfig config = config(p, 0);
            twoDays(p, config);
            List<String> day1 = rows(p.target, "t", "id");
            List<String> cache = PgPair.manifests(p.cache);
            String control = rows(p.target, "snapsync.sync_state", "table_name").toString();

            FAIL_AT.set(point);
            TableReport failed = new SyncRunner(config, FAIL_ONCE, false).run(null).tables.get(0);
            assertThat(FAIL_AT.get()).as("the point was reached").isNull();
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.error).contains(point == CommitHook.Point.SOURCE_READ ? "terminating connection" : "injected failure at " + point);
            assertThat(rows(p.target, "t", "id")).isEqualTo(day1);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
            assertThat(rows(p.target, "snapsync.sync_state", "table_name").toString()).isEqualTo(control);

            TableReport rerun = new SyncRunner(config).run(null).tables.get(0);
            assertThat(rerun.status).as("error: %s", rerun.error).isEqualTo("committed");
            assertThat(new long[] {rerun.inserted, rerun.updated, rerun.deleted}).containsExactly(50, 300, 100);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
        }
    }

    @ParameterizedTest(name = "failure at {0}, retried task")
    @EnumSource(value = CommitHook.Point.class, names = {"SOURCE_READ", "STAGING_COPYING", "STAGING_COMMITTED", "CACHE_FILE_WRITING"})
    void aRetriedTaskNeitherDuplicatesNorLosesRows(CommitHook.Point point) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            SyncConfig config = config(p, 2);
            twoDays(p, config);

            FAIL_AT.set(point);
            TableReport r = new SyncRunner(config, FAIL_ONCE, false).run(null).tables.get(0);
            assertThat(FAIL_AT.get()).as("the point was reached").isNull();
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(50, 300, 100);
            assertThat(new long[] {r.appliedUpserts, r.appliedDeletes}).containsExactly(350, 100);
            assertThat(r.snapshotRows).isEqualTo(scalar(p.source, "SELECT count(*) FROM t"));
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            TableReport next = new SyncRunner(config).run(null).tables.get(0);
            assertThat(new long[] {next.inserted, next.updated, next.deleted}).as("the new cache is complete and exact")
                    .containsExactly(0, 0, 0);
        }
    }
}
