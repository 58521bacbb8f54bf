package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.fault.CommitHook;
import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failures injected into the real commit path (the committer's hook points): the failed run reports
 * failure, the target is either entirely before or entirely after the change set, and the next run
 * converges with correct counts.
 */
class CommitFaultTest extends EndToEndTestBase {
    /** The point to fail at once; a static because the hook runs in the MiniCluster of this JVM. */
    static final AtomicReference<CommitHook.Point> FAIL_AT = new AtomicReference<>();

    static final CommitHook FAIL_ONCE = point -> {
        if (FAIL_AT.compareAndSet(point, null)) {
            throw new IllegalStateException("injected failure at " + point);
        }
    };

    @ParameterizedTest(name = "failure at {0}")
    @EnumSource(value = CommitHook.Point.class, names = {"CACHE_WRITTEN", "IN_TRANSACTION", "COMMITTED"})
    void aFailedCommitLeavesTheTargetConsistentAndTheNextRunConverges(CommitHook.Point point) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 500) i");
            SyncConfig config = p.config("t", List.of("id"), 2); // no task retries: the failure ends the run
            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");
            List<String> day1 = rows(p.target, "t", "id");

            update(p.source, "UPDATE t SET v = 'changed' WHERE id % 10 = 0");
            update(p.source, "DELETE FROM t WHERE id % 50 = 1");
            update(p.source, "INSERT INTO t VALUES (1000, 'new')");
            List<String> day2 = rows(p.source, "t", "id");

            FAIL_AT.set(point);
            TableReport failed = new SyncRunner(config, FAIL_ONCE, false).run(null).tables.get(0);
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.error).contains("injected failure at " + point);
            List<String> after = rows(p.target, "t", "id");
            if (point == CommitHook.Point.COMMITTED) {
                assertThat(after).as("committed before the failure: fully at the new state").isEqualTo(day2);
            } else {
                assertThat(after).as("failed before COMMIT: fully at the old state").isEqualTo(day1);
            }

            TableReport rerun = new SyncRunner(config).run(null).tables.get(0);
            assertThat(rerun.status).as("error: %s", rerun.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(day2);
            long[] expected = point == CommitHook.Point.COMMITTED ? new long[] {0, 0, 0} : new long[] {1, 50, 10};
            assertThat(new long[] {rerun.inserted, rerun.updated, rerun.deleted}).containsExactly(expected);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
        }
    }

    @ParameterizedTest(name = "retried committer after failure at {0}")
    @EnumSource(value = CommitHook.Point.class, names = {"CACHE_WRITTEN", "IN_TRANSACTION", "COMMITTED"})
    void aRetriedCommitterAppliesTheChangeSetExactlyOnce(CommitHook.Point point) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 300) i");
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(base.source(), base.target(), base.cache(),
                    new SyncConfig.Job(2, 5, 2, 1.0, 1.0), base.tables()); // Flink retries failed tasks
            new SyncRunner(config).run(null);
            update(p.source, "UPDATE t SET v = NULL WHERE id % 3 = 0");

            FAIL_AT.set(point);
            TableReport r = new SyncRunner(config, FAIL_ONCE, false).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.updated).isEqualTo(100);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history WHERE table_name = 't'")).isEqualTo(2);
        }
    }
}
