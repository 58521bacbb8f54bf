package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.fault.CommitHook;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first load into an empty target (real PostgreSQL, real MiniCluster): the target's rebuildable indexes are
 * dropped, the rows inserted, and the indexes built again, in the commit's one transaction. A rebuilt index has a
 * new OID, so the tests see which path ran; its definition must be what it was.
 */
class FirstLoadTest extends EndToEndTestBase {
    static final AtomicReference<CommitHook.Point> FAIL_AT = new AtomicReference<>();
    /** Set by a test: run at CACHE_WRITTEN (after planning, before the commit's transaction). */
    static final AtomicReference<String> INSERT_INTO_TARGET_URL = new AtomicReference<>();

    /** Set by a test: at IN_TRANSACTION, terminate the committer's session (as if its process died mid-transaction). */
    static final AtomicReference<String> TERMINATE_COMMITTER_URL = new AtomicReference<>();

    /** Set by a test: at CACHE_WRITTEN, a session of the service starts reading the target and keeps its transaction open. */
    static final AtomicReference<String> HOLD_TARGET_URL = new AtomicReference<>();
    static final AtomicReference<Connection> HOLDER = new AtomicReference<>();

    static final CommitHook HOOK = point -> {
        String hold = point == CommitHook.Point.CACHE_WRITTEN ? HOLD_TARGET_URL.getAndSet(null) : null;
        if (hold != null) {
            Connection reader = PgPair.connect(hold);
            reader.setAutoCommit(false);
            assertThat(scalar(reader, "SELECT count(*) FROM public.t")).isEqualTo(0L); // holds ACCESS SHARE until it ends
            HOLDER.set(reader);
        }
        if (FAIL_AT.compareAndSet(point, null)) {
            throw new IllegalStateException("injected failure at " + point);
        }
        String terminate = point == CommitHook.Point.IN_TRANSACTION ? TERMINATE_COMMITTER_URL.getAndSet(null) : null;
        if (terminate != null) {
            try (Connection c = PgPair.connect(terminate)) {
                // the committer's connection is the one inside a transaction, between its statements right now
                assertThat(scalar(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND state = 'idle in transaction' AND pid <> pg_backend_pid()")).isEqualTo(1);
            }
        }
        String url = point == CommitHook.Point.CACHE_WRITTEN ? INSERT_INTO_TARGET_URL.getAndSet(null) : null;
        if (url != null) {
            try (Connection c = PgPair.connect(url)) {
                exec(c, "INSERT INTO public.t (id, v, n) VALUES (100000, 'arrived meanwhile', -1)");
            }
        }
    };

    private static final String TARGET_DDL = "CREATE TABLE public.t (id integer, v text NOT NULL, n integer, "
            + "CONSTRAINT t_pk PRIMARY KEY (id), CONSTRAINT \"t v/n\" UNIQUE (v, n));"
            + "CREATE UNIQUE INDEX t_n_positive ON public.t (n) WHERE n > 0;"
            + "CREATE INDEX t_lower_v ON public.t USING hash (lower(v));"
            + "CREATE INDEX t_kept ON public.t (n DESC NULLS LAST); COMMENT ON INDEX public.t_kept IS 'a comment keeps it as it is'";

    private static PgPair pair(PgPair p, int rows) throws Exception {
        exec(p.source, "CREATE TABLE public.t (id integer PRIMARY KEY, v text NOT NULL, n integer)");
        exec(p.source, "INSERT INTO t SELECT i, 'v' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE i END FROM generate_series(1, " + rows + ") i");
        exec(p.target, TARGET_DDL);
        return p;
    }

    /** Index name, OID and definition, and each constraint's definition, of public.t. */
    private record Indexes(List<String> names, List<Long> oids, List<String> definitions) {}

    private static Indexes indexes(Connection c) throws Exception {
        List<String> names = new ArrayList<>();
        List<Long> oids = new ArrayList<>();
        List<String> defs = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT ic.relname, i.indexrelid::bigint, pg_get_indexdef(i.indexrelid) || ' / ' || coalesce(con.conname || ' ' "
                + "|| pg_get_constraintdef(con.oid), '-') || ' / ' || coalesce(obj_description(i.indexrelid, 'pg_class'), '-') "
                + "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid "
                + "WHERE i.indrelid = 'public.t'::regclass ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
                oids.add(rs.getLong(2));
                defs.add(rs.getString(3));
            }
        }
        return new Indexes(names, oids, defs);
    }

    /** Waits until some session holds ACCESS EXCLUSIVE on public.t (the first load's transaction) while the process lives. */
    private static boolean awaitExclusiveLock(Connection target, Process sync) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (sync.isAlive() && System.nanoTime() < deadline) {
            if (scalar(target, "SELECT count(*) FROM pg_locks WHERE relation = 'public.t'::regclass AND mode = 'AccessExclusiveLock' "
                    + "AND granted AND pid <> pg_backend_pid()") > 0) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    private static long oid(Indexes ix, String name) {
        return ix.oids().get(ix.names().indexOf(name));
    }

    @Test
    void aFirstLoadBuildsTheIndexesAfterTheRowsAndKeepsTheirDefinitions() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 3000)) {
            Indexes before = indexes(p.target);
            assertThat(before.names()).containsExactly("t v/n", "t_kept", "t_lower_v", "t_n_positive", "t_pk");

            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(3000, 0, 0);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            Indexes after = indexes(p.target);
            assertThat(after.names()).isEqualTo(before.names());
            assertThat(after.definitions()).isEqualTo(before.definitions());
            for (String rebuilt : List.of("t v/n", "t_lower_v", "t_n_positive", "t_pk")) {
                assertThat(oid(after, rebuilt)).as("%s rebuilt after the load", rebuilt).isNotEqualTo(oid(before, rebuilt));
            }
            assertThat(oid(after, "t_kept")).as("an index with a comment is left as it is").isEqualTo(oid(before, "t_kept"));
            // the rebuilt constraints hold: the key and the partial unique index refuse duplicates
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_index WHERE indrelid = 'public.t'::regclass AND indisvalid")).isEqualTo(5);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(p.target, "INSERT INTO t VALUES (1, 'x', NULL)"))
                    .hasMessageContaining("t_pk");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(p.target, "INSERT INTO t VALUES (99999, 'x', 5)"))
                    .hasMessageContaining("t_n_positive");

            // day 2 diffs against the cache and MERGEs as before: no index is rebuilt
            exec(p.source, "UPDATE t SET v = 'changed' || id WHERE id % 10 = 0");
            exec(p.source, "INSERT INTO t VALUES (5000, 'new', 5000)");
            TableReport day2 = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(day2.status).as("error: %s", day2.error).isEqualTo("committed");
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(1, 300, 0);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(indexes(p.target).oids()).isEqualTo(after.oids());
        }
    }

    @Test
    void aFirstLoadThatFailsAfterItsRowsWentInLeavesTheTargetEmptyWithItsIndexes() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 2000)) {
            Indexes before = indexes(p.target);
            SyncConfig config = p.config("t", List.of("id"), 2); // no task retries: the failure ends the run
            FAIL_AT.set(CommitHook.Point.IN_TRANSACTION); // rows inserted, indexes dropped, not built yet
            TableReport failed = new SyncRunner(config, HOOK, false).run(null).tables.get(0);
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.error).contains("injected failure at IN_TRANSACTION");
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isZero();
            assertThat(indexes(p.target)).as("the dropped indexes are back, the very same ones").isEqualTo(before);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE table_name = 't'")).isZero();

            TableReport rerun = new SyncRunner(config).run(null).tables.get(0);
            assertThat(rerun.status).as("error: %s", rerun.error).isEqualTo("committed");
            assertThat(rerun.inserted).isEqualTo(2000);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(indexes(p.target).definitions()).isEqualTo(before.definitions());
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
        }
    }

    @Test
    void aCommitterWhoseSessionDiesMidLoadLeavesTheTargetEmptyWithItsIndexes() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 2000)) {
            Indexes before = indexes(p.target);
            TERMINATE_COMMITTER_URL.set(p.targetPg.getJdbcUrl(p.targetDb));
            TableReport failed = new SyncRunner(p.config("t", List.of("id"), 2), HOOK, false).run(null).tables.get(0);
            assertThat(TERMINATE_COMMITTER_URL.get()).as("the session was terminated").isNull();
            assertThat(failed.status).isEqualTo("failed");
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isZero();
            assertThat(indexes(p.target)).as("PostgreSQL rolled the drop back with the rows").isEqualTo(before);

            TableReport rerun = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(rerun.status).as("error: %s", rerun.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }

    @Test
    void killingTheSyncProcessDuringAFirstLoadLeavesTheTargetEmptyOrLoaded() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            exec(p.source, "CREATE TABLE public.t (id integer PRIMARY KEY, v text NOT NULL, n integer)");
            exec(p.source, "INSERT INTO t SELECT i, md5(i::text), i FROM generate_series(1, 100000) i");
            exec(p.target, TARGET_DDL);
            Indexes before = indexes(p.target);
            Path yaml = p.writeYaml(tmp.resolve("kill.yaml"), "parallelism: 2");
            Random rnd = new Random(7);
            int killed = 0;
            int killedInTheLoad = 0;
            for (int i = 0; i < 4 && scalar(p.target, "SELECT count(*) FROM t") == 0; i++) {
                Process sync = new ProcessBuilder(KillTest.javaCommand(yaml)).redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("kill-" + i + ".log").toFile()).start();
                // the first run is killed inside the first load's transaction (it holds the target's exclusive lock from
                // its check to its COMMIT), the others at a random moment
                boolean inTheLoad = i == 0 ? awaitExclusiveLock(p.target, sync) : !sync.waitFor(1000 + rnd.nextInt(8000), TimeUnit.MILLISECONDS);
                if (inTheLoad || sync.isAlive()) {
                    sync.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
                    sync.waitFor();
                    killed++;
                    killedInTheLoad += i == 0 && inTheLoad ? 1 : 0;
                } else {
                    assertThat(sync.exitValue()).as(Files.readString(tmp.resolve("kill-" + i + ".log"))).isZero();
                }
                Thread.sleep(300); // PostgreSQL notices the dead session and rolls its transaction back
                assertThat(scalar(p.target, "SELECT count(*) FROM t")).as("after run %d", i).isIn(0L, 100000L);
                Indexes now = indexes(p.target);
                assertThat(now.definitions()).as("after run %d", i).isEqualTo(before.definitions());
            }
            assertThat(killedInTheLoad).as("the first run was killed inside the load's transaction").isEqualTo(1);
            assertThat(killed).as("at least one run was really killed").isPositive();

            TableReport last = KillTest.runOnceUnlocked(p.config("t", List.of("id"), 2));
            assertThat(last.status).as("error: %s", last.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
        }
    }

    @Test
    void aRetriedCommitterLoadsTheRowsExactlyOnce() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 2000)) {
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(base.source(), base.target(), base.cache(),
                    new SyncConfig.Job(2, 5, 2, 1.0, 1.0), base.tables()); // Flink retries failed tasks
            FAIL_AT.set(CommitHook.Point.IN_TRANSACTION);
            TableReport r = new SyncRunner(config, HOOK, false).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(FAIL_AT.get()).as("the failure was injected").isNull();
            assertThat(r.inserted).isEqualTo(2000);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history WHERE table_name = 't'")).isEqualTo(1);
        }
    }

    @Test
    void rowsThatReachTheTargetAfterPlanningTakeTheMergeInstead() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 1000)) {
            Indexes before = indexes(p.target);
            INSERT_INTO_TARGET_URL.set(p.targetPg.getJdbcUrl(p.targetDb));
            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2), HOOK, false).run(null).tables.get(0);
            assertThat(INSERT_INTO_TARGET_URL.get()).as("the row was inserted before the commit").isNull();
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            List<String> expected = new ArrayList<>(rows(p.source, "t", "id"));
            expected.add("(100000,\"arrived meanwhile\",-1)");
            assertThat(rows(p.target, "t", "id")).as("the MERGE applied the load next to the row").isEqualTo(expected);
            assertThat(indexes(p.target)).as("no index was dropped").isEqualTo(before);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // without the lock timeout the load would wait for the reader forever
    void aServiceQueryHoldingTheEmptyTargetIsNotQueuedBehindTheLoad() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 1000)) {
            Indexes before = indexes(p.target);
            HOLD_TARGET_URL.set(p.targetPg.getJdbcUrl(p.targetDb));
            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2), HOOK, false).run(null).tables.get(0);
            try (Connection reader = HOLDER.getAndSet(null)) {
                assertThat(reader).as("the reading session was opened").isNotNull();
                assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
                // the reader's transaction still holds its lock: the load gave up the exclusive lock and merged beside it
                assertThat(scalar(reader, "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND granted "
                        + "AND relation = 'public.t'::regclass AND mode = 'AccessShareLock'")).as("the reader's lock").isEqualTo(1L);
                reader.rollback();
            }
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(indexes(p.target)).as("no index was dropped: the MERGE path ran").isEqualTo(before);
        }
    }
}
