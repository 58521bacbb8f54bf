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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first load by swap (real PostgreSQL, real MiniCluster): the writers COPY the rows into a new table shaped like the
 * empty live one, the commit builds the live table's definition on it and swaps it in. The live table's OID tells which
 * path ran; everything else of its definition must be as it was. Where the swap cannot be done safely (rows arrived, a
 * session holds the table) the loaded rows are merged into the live table instead.
 */
class FirstLoadSwapTest extends EndToEndTestBase {
    static final AtomicReference<CommitHook.Point> FAIL_AT = new AtomicReference<>();
    static final AtomicReference<String> INSERT_INTO_TARGET_URL = new AtomicReference<>();
    static final AtomicReference<String> HOLD_TARGET_URL = new AtomicReference<>();
    static final AtomicReference<Connection> HOLDER = new AtomicReference<>();

    static final CommitHook HOOK = point -> {
        if (FAIL_AT.compareAndSet(point, null)) {
            throw new IllegalStateException("injected failure at " + point);
        }
        if (point == CommitHook.Point.CACHE_WRITTEN) {
            String url = INSERT_INTO_TARGET_URL.getAndSet(null);
            if (url != null) {
                try (Connection c = PgPair.connect(url)) {
                    exec(c, "INSERT INTO public.t (id, v, n) VALUES (100000, 'arrived meanwhile', -1)");
                }
            }
            String hold = HOLD_TARGET_URL.getAndSet(null);
            if (hold != null) {
                Connection reader = PgPair.connect(hold);
                reader.setAutoCommit(false);
                assertThat(scalar(reader, "SELECT count(*) FROM public.t")).isZero(); // ACCESS SHARE until it ends
                HOLDER.set(reader);
            }
        }
    };

    /** Columns in another order than the source's, a collation, a default, comments, a grant, keys, a check and a hash index. */
    private static final String TARGET_DDL = "CREATE TABLE public.t (id integer, n integer DEFAULT 7, v text COLLATE \"C\" NOT NULL, "
            + "d numeric(10,2), CONSTRAINT t_pk PRIMARY KEY (id), CONSTRAINT \"t v/n\" UNIQUE (v, n), "
            + "CONSTRAINT t_n_small CHECK (n IS NULL OR n < 1000000));"
            + "CREATE INDEX t_lower_v ON public.t USING hash (lower(v));"
            + "COMMENT ON TABLE public.t IS 'the table''s comment'; COMMENT ON COLUMN public.t.v IS 'v''s comment';"
            + "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'swap_reader') THEN CREATE ROLE swap_reader; END IF; END $$;"
            + "GRANT SELECT ON public.t TO swap_reader; GRANT UPDATE (n) ON public.t TO swap_reader";

    private static PgPair pair(PgPair p, int rows) throws Exception {
        exec(p.source, "CREATE TABLE public.t (id integer PRIMARY KEY, v text NOT NULL, n integer, d numeric(10,2))");
        exec(p.source, "INSERT INTO t SELECT i, 'v' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE i END, i / 100.0 FROM generate_series(1, "
                + rows + ") i");
        exec(p.target, TARGET_DDL);
        return p;
    }

    /** Everything of public.t's definition a swap must keep, without OIDs. */
    private static List<String> definition(Connection c) throws Exception {
        List<String> out = new ArrayList<>();
        for (String sql : List.of(
                "SELECT attname || ' ' || format_type(atttypid, atttypmod) || ' ' || coalesce(collname, '-') || ' ' || attnotnull || ' '"
                        + " || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' ' || coalesce(col_description(a.attrelid, a.attnum), '-')"
                        + " || ' ' || attstorage::text || ' ' || coalesce(array_to_string(attacl, ','), '-') FROM pg_attribute a"
                        + " LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100"
                        + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                        + " WHERE attrelid = 'public.t'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                "SELECT ic.relname || ' ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                        + " WHERE i.indrelid = 'public.t'::regclass ORDER BY 1",
                "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.t'::regclass ORDER BY 1",
                "SELECT coalesce(obj_description('public.t'::regclass, 'pg_class'), '-') || ' ' || pg_get_userbyid(relowner) || ' '"
                        + " || array_to_string(relacl, ',') || ' ' || relpersistence::text || ' ' || coalesce(array_to_string(reloptions, ','), '-')"
                        + " FROM pg_class WHERE oid = 'public.t'::regclass")) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static long oid(Connection c) throws Exception {
        return scalar(c, "SELECT 'public.t'::regclass::oid::bigint");
    }

    private static void assertNoLeftovers(PgPair p) throws Exception {
        assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%' OR tablename LIKE 'snapsync_rs_%'"))
                .as("staging, parts and new tables are gone").isZero();
    }

    @Test
    void aFirstLoadGoesIntoANewTableThatKeepsTheWholeDefinitionAndDay2MergesAsBefore() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 3000)) {
            List<String> before = definition(p.target);
            long oidBefore = oid(p.target);

            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(new long[] {r.inserted, r.updated, r.deleted, r.appliedUpserts}).containsExactly(3000, 0, 0, 3000);
            assertThat(r.resync).as("a first load is not reported as a resync").isNull();
            assertThat(oid(p.target)).as("a new table was swapped in").isNotEqualTo(oidBefore);
            assertThat(definition(p.target)).isEqualTo(before);
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertNoLeftovers(p);
            // the rebuilt keys and check hold
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(p.target, "INSERT INTO t (id, v) VALUES (1, 'x')"))
                    .hasMessageContaining("t_pk");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(p.target, "INSERT INTO t (id, v, n) VALUES (-1, 'x', 2000000)"))
                    .hasMessageContaining("t_n_small");

            exec(p.source, "UPDATE t SET v = 'changed' || id WHERE id % 10 = 0");
            exec(p.source, "DELETE FROM t WHERE id % 50 = 1");
            exec(p.source, "INSERT INTO t VALUES (5000, 'new', 5000, 1.5)");
            long oidAfter = oid(p.target);
            TableReport day2 = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(day2.status).as("error: %s", day2.error).isEqualTo("committed");
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(1, 300, 60);
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(oid(p.target)).as("day 2 merges into the table").isEqualTo(oidAfter);
        }
    }

    @Test
    void aWriterThatDiesAfterItsCopyCommittedIsRetriedAndItsRowsAreNotKeptTwice() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 4000)) {
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(base.source(), base.target(), base.cache(),
                    new SyncConfig.Job(2, 5, 2, 1.0, 1.0), base.tables()); // Flink retries failed tasks
            long oidBefore = oid(p.target);
            FAIL_AT.set(CommitHook.Point.STAGING_COMMITTED);
            TableReport r = new SyncRunner(config, HOOK, false).run(null).tables.get(0);
            assertThat(FAIL_AT.get()).as("the failure was injected").isNull();
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(new long[] {r.inserted, r.appliedUpserts}).containsExactly(4000, 4000);
            assertThat(oid(p.target)).isNotEqualTo(oidBefore);
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isEqualTo(4000);
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertNoLeftovers(p);

            TableReport next = new SyncRunner(config).run(null).tables.get(0);
            assertThat(new long[] {next.inserted, next.updated, next.deleted}).as("the cache matches the target").containsExactly(0, 0, 0);
        }
    }

    @Test
    void aCommitterRetriedAfterItBuiltTheNewTableSwapsItInOnce() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 2000)) {
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(base.source(), base.target(), base.cache(),
                    new SyncConfig.Job(2, 5, 2, 1.0, 1.0), base.tables());
            List<String> before = definition(p.target);
            FAIL_AT.set(CommitHook.Point.SHADOW_BUILT); // the new table's rows, indexes and grants are committed
            TableReport r = new SyncRunner(config, HOOK, false).run(null).tables.get(0);
            assertThat(FAIL_AT.get()).as("the failure was injected").isNull();
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(definition(p.target)).as("built again, not twice").isEqualTo(before);
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history WHERE table_name = 't'")).isEqualTo(1);
            assertNoLeftovers(p);
        }
    }

    @Test
    void rowsThatReachTheTableDuringTheLoadAreKeptAndTheLoadIsMergedBesideThem() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 1000)) {
            List<String> before = definition(p.target);
            long oidBefore = oid(p.target);
            INSERT_INTO_TARGET_URL.set(p.targetPg.getJdbcUrl(p.targetDb));
            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2), HOOK, false).run(null).tables.get(0);
            assertThat(INSERT_INTO_TARGET_URL.get()).as("the row was inserted before the commit").isNull();
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            List<String> expected = new ArrayList<>(rows(p.source, "t", "id"));
            expected.add("(100000,\"arrived meanwhile\",-1,)");
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(expected);
            assertThat(oid(p.target)).as("no swap").isEqualTo(oidBefore);
            assertThat(definition(p.target)).isEqualTo(before);
            assertNoLeftovers(p);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a swap waiting for the reader would queue the service's queries behind it
    void aSessionHoldingTheEmptyTableGetsTheRowsMergedInsteadOfWaiting() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 1000)) {
            long oidBefore = oid(p.target);
            HOLD_TARGET_URL.set(p.targetPg.getJdbcUrl(p.targetDb));
            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2), HOOK, false).run(null).tables.get(0);
            try (Connection reader = HOLDER.getAndSet(null)) {
                assertThat(reader).as("the reading session was opened").isNotNull();
                assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
                assertThat(scalar(reader, "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND granted "
                        + "AND relation = 'public.t'::regclass AND mode = 'AccessShareLock'")).as("the reader's lock").isEqualTo(1L);
                reader.rollback();
            }
            assertThat(oid(p.target)).as("no swap").isEqualTo(oidBefore);
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertNoLeftovers(p);
        }
    }

    @Test
    void aConstraintTheRowsBreakFailsTheRunAndLeavesTheEmptyTableAsItWas() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 2000)) {
            exec(p.target, "ALTER TABLE t ADD CONSTRAINT t_n_tiny CHECK (n < 1000)");
            List<String> before = definition(p.target);
            long oidBefore = oid(p.target);
            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).contains("t_n_tiny").contains("is unchanged");
            assertThat(oid(p.target)).isEqualTo(oidBefore);
            assertThat(definition(p.target)).isEqualTo(before);
            assertThat(scalar(p.target, "SELECT count(*) FROM t")).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE table_name = 't'")).isZero();
            assertNoLeftovers(p);
        }
    }

    @Test
    void aTableThatANewOneCannotReplaceIsLoadedInPlace() throws Exception {
        try (PgPair p = pair(new PgPair(pg, pg, tmp), 1000)) {
            exec(p.target, "CREATE VIEW public.t_view AS SELECT id, v FROM public.t");
            long oidBefore = oid(p.target);
            TableReport r = new SyncRunner(p.config("t", List.of("id"), 2)).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(oid(p.target)).as("loaded in place").isEqualTo(oidBefore);
            assertThat(scalar(p.target, "SELECT count(*) FROM public.t_view")).isEqualTo(1000);
            assertThat(rows(p.target, "(SELECT id, v, n, d FROM t)", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }
}
