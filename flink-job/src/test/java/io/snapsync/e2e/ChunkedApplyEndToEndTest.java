package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.fault.CommitHook;
import io.snapsync.config.SyncConfig;
import io.snapsync.run.StatusReader;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code apply-chunk-rows}: the change set is applied in many transactions. A crash between chunks
 * leaves a prefix of an idempotent change set in the target; the next run notices the unfinished
 * apply, reconciles against the live target and converges — even when the source has meanwhile
 * gone back to the old values (where a diff against the old cache would see "unchanged").
 */
class ChunkedApplyEndToEndTest extends EndToEndTestBase {
    /** Fails the chunk whose number (1-based, counted across runs) equals the value; 0 = never. */
    static final AtomicInteger FAIL_AT_CHUNK = new AtomicInteger();
    static final AtomicInteger CHUNKS_SEEN = new AtomicInteger();

    static final CommitHook FAIL_AT = point -> {
        if (point == CommitHook.Point.CHUNK_APPLIED && CHUNKS_SEEN.incrementAndGet() == FAIL_AT_CHUNK.get()) {
            FAIL_AT_CHUNK.set(0);
            throw new IllegalStateException("injected failure after chunk " + CHUNKS_SEEN.get());
        }
    };

    private static SyncConfig chunked(PgPair p, int restarts, int chunkRows) {
        SyncConfig base = p.config("t", List.of("id"), 2);
        return new SyncConfig(base.source(), base.target(), base.cache(), new SyncConfig.Job(2, 4, restarts, 1.0, 1.0),
                List.of(base.tables().get(0).with("apply-chunk-rows", chunkRows).with("apply-chunk-pause", "5ms")));
    }

    private static void setUp(PgPair p) throws Exception {
        p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
        exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
    }

    @Test
    void appliesAFirstLoadAndADailyChangeSetInChunks() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            setUp(p);
            SyncConfig config = chunked(p, 0, 500);
            TableReport day1 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day1.status).as("error: %s", day1.error).isEqualTo("committed");
            assertThat(day1.inserted).isEqualTo(3000);
            // every writer attempt's rows cut into pieces of at most 500: at least 6 transactions
            assertThat(day1.chunks).isGreaterThanOrEqualTo(6);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            update(p.source, "UPDATE t SET v = 'x' WHERE id % 4 = 0");
            update(p.source, "DELETE FROM t WHERE id % 9 = 0");
            TableReport day2 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(0, 750 - 83, 333);
            assertThat(day2.chunks).isGreaterThanOrEqualTo(2);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_pending")).isZero();

            // below the chunk size the change set goes in one transaction as usual
            update(p.source, "UPDATE t SET v = 'y' WHERE id = 1");
            assertThat(new SyncRunner(config).run(null).tables.get(0).chunks).isNull();
        }
    }

    @Test
    void aCrashBetweenChunksIsRepairedByTheNextRunEvenIfTheSourceWentBack() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            setUp(p);
            SyncConfig config = chunked(p, 0, 200);
            // status only reads: on a never-synced target it creates nothing
            assertThat(StatusReader.read(config).get(0).committed()).isEmpty();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'snapsync'")).isZero();
            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");
            Map<Integer, String> day1 = byId(rows(p.target, "t", "id"));

            update(p.source, "UPDATE t SET v = 'day2' WHERE id % 2 = 0");
            update(p.source, "DELETE FROM t WHERE id % 7 = 0");
            Map<Integer, String> day2 = byId(rows(p.source, "t", "id"));

            CHUNKS_SEEN.set(0);
            FAIL_AT_CHUNK.set(3);
            TableReport failed = new SyncRunner(config, FAIL_AT, false).run(null).tables.get(0);
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.error).contains("injected failure after chunk 3");

            // the target holds a prefix of the change set: each row is the old or the new version, and some are new
            Map<Integer, String> partial = byId(rows(p.target, "t", "id"));
            Set<Integer> keys = new HashSet<>(day1.keySet());
            keys.addAll(day2.keySet());
            int applied = 0;
            for (int id : keys) {
                String now = partial.get(id);
                assertThat(now).as("key %d", id).isIn(day1.get(id), day2.get(id));
                if (!java.util.Objects.equals(day1.get(id), day2.get(id)) && java.util.Objects.equals(now, day2.get(id))) {
                    applied++;
                }
            }
            int changes = 1500 - 214 + 428; // evens not divisible by 7 updated, multiples of 7 deleted
            assertThat(applied).as("keys changed by the committed chunks").isBetween(1, changes - 1);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_pending")).isEqualTo(1);
            assertThat(StatusReader.read(config).get(0).unfinishedApply()).hasValueSatisfying(u ->
                    assertThat(u.runId()).isEqualTo(failed.runId));

            // the provider reverts everything to day 1: diffing against the (day 1) cache would see no change
            exec(p.source, "TRUNCATE t");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
            TableReport next = new SyncRunner(config).run(null).tables.get(0);
            assertThat(next.status).as("error: %s", next.error).isEqualTo("committed");
            assertThat(next.reconcile).contains("did not finish");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(next.inserted + next.updated + next.deleted).as("exactly the keys the dead run had applied").isEqualTo(applied);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_pending")).isZero();
            TableReport quiet = new SyncRunner(config).run(null).tables.get(0);
            assertThat(new long[] {quiet.inserted, quiet.updated, quiet.deleted}).containsExactly(0, 0, 0);
            assertThat(quiet.reconcile).isNull();
        }
    }

    @Test
    void aRetriedCommitterReappliesChunksIdempotently() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            setUp(p);
            SyncConfig config = chunked(p, 2, 150); // Flink retries the failed committer
            new SyncRunner(config).run(null);
            update(p.source, "UPDATE t SET v = NULL WHERE id % 3 = 0");
            update(p.source, "DELETE FROM t WHERE id > 2900");
            CHUNKS_SEEN.set(0);
            FAIL_AT_CHUNK.set(4);
            TableReport r = new SyncRunner(config, FAIL_AT, false).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(0, 966, 100);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            // the retry re-ran the chunks the first attempt had applied: they changed nothing the second time
            assertThat(r.appliedDeletes + r.appliedUpserts).isLessThan(966 + 100);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_pending")).isZero();
        }
    }

    private static Map<Integer, String> byId(List<String> rows) {
        Map<Integer, String> m = new HashMap<>();
        for (String r : rows) {
            m.put(Integer.parseInt(r.substring(1, r.indexOf(','))), r);
        }
        return m;
    }
}
