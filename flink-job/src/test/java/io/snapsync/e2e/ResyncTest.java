package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.cli.Main;
import io.snapsync.fault.CommitHook;
import io.snapsync.targetdb.ShadowNames;
import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.schema.TableName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code snapsync resync}: the whole snapshot into a shadow table swapped in for the live one. The new
 * table equals the source and keeps the live table's indexes, constraints, defaults, comments, owned
 * sequences and grants; the next daily sync diffs against the resync's cache; a schema change under
 * {@code schema-evolution: resync} converges; a failure before the swap leaves the live table as it was.
 */
class ResyncTest extends EndToEndTestBase {
    static final AtomicReference<CommitHook.Point> FAIL_AT = new AtomicReference<>();
    static final CommitHook FAIL_ONCE = point -> {
        if (FAIL_AT.compareAndSet(point, null)) {
            throw new IllegalStateException("injected failure at " + point);
        }
    };

    /** Source and target {@code t}; the target carries DDL of its own that a resync must keep. */
    private static String setUp(PgPair p) throws Exception {
        p.both("CREATE TABLE public.t (id integer PRIMARY KEY, code text NOT NULL, v text, n integer)");
        exec(p.source, "INSERT INTO t SELECT i, 'c' || i, 'v' || i, i % 17 FROM generate_series(1, 600) i");
        String role = "reader_" + p.targetDb;
        exec(p.target, "CREATE ROLE " + role);
        exec(p.target, "CREATE INDEX t_v_idx ON t (v) WHERE v IS NOT NULL");
        exec(p.target, "ALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE (code)");
        exec(p.target, "ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n >= 0)");
        exec(p.target, "ALTER TABLE t ALTER COLUMN n SET DEFAULT 42");
        exec(p.target, "CREATE SEQUENCE t_id_seq OWNED BY t.id");
        exec(p.target, "ALTER TABLE t ALTER COLUMN id SET DEFAULT nextval('t_id_seq')");
        exec(p.target, "GRANT SELECT ON t TO " + role);
        exec(p.target, "GRANT UPDATE (v) ON t TO " + role);
        exec(p.target, "COMMENT ON TABLE t IS 'the service''s table'");
        exec(p.target, "COMMENT ON COLUMN t.v IS 'a value'");
        return role;
    }

    /** Everything of the target's definition a resync must keep, as comparable text. */
    private static List<String> definition(PgPair p) throws Exception {
        List<String> out = new ArrayList<>();
        out.addAll(strings(p, "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE tablename = 't' ORDER BY 1"));
        out.addAll(strings(p, "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE conrelid = 'public.t'::regclass ORDER BY 1"));
        out.addAll(strings(p, "SELECT column_name || ' default ' || coalesce(column_default, '-') || ' ' || is_nullable "
                + "FROM information_schema.columns WHERE table_name = 't' ORDER BY 1"));
        out.addAll(strings(p, "SELECT grantee || ' ' || privilege_type FROM information_schema.role_table_grants "
                + "WHERE table_name = 't' ORDER BY 1"));
        out.addAll(strings(p, "SELECT grantee || ' ' || privilege_type || ' (' || column_name || ')' "
                + "FROM information_schema.column_privileges WHERE table_name = 't' AND grantee LIKE 'reader%' ORDER BY 1"));
        out.addAll(strings(p, "SELECT 'comment ' || obj_description('public.t'::regclass, 'pg_class') || ' / ' "
                + "|| col_description('public.t'::regclass, 3)"));
        out.addAll(strings(p, "SELECT 'sequence ' || s.relname || ' owned by ' || d.refobjid::regclass || '.' || d.refobjsubid "
                + "FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' WHERE d.deptype = 'a' "
                + "AND d.refobjid = 'public.t'::regclass"));
        out.addAll(strings(p, "SELECT 'owner ' || pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.t'::regclass"));
        return out;
    }

    private static List<String> strings(PgPair p, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = p.target.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long leftovers(PgPair p) throws Exception {
        return scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync\\_%'");
    }

    @Test
    void resyncReplacesTheTableKeepingItsDefinitionAndTheNextSyncDiffsAgainstItsCache() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            String role = setUp(p);
            Path config = tmp.resolve("snapsync.yaml");
            p.writeYaml(config, "parallelism: 2, restart-attempts: 0");
            Path report = tmp.resolve("report.json");
            assertThat(Main.run("sync", "--config", config.toString())).isZero();
            List<String> before = definition(p);
            assertThat(before).contains("t_v_idx: CREATE INDEX t_v_idx ON public.t USING btree (v) WHERE (v IS NOT NULL)",
                    "t_code_key: UNIQUE (code)", role + " SELECT", "comment the service's table / a value",
                    "sequence t_id_seq owned by t.1");

            // a day's changes in the source, drift in the target that only a full reload repairs
            update(p.source, "UPDATE t SET v = 'changed ' || id WHERE id % 10 = 0");
            update(p.source, "DELETE FROM t WHERE id % 25 = 1");
            update(p.source, "INSERT INTO t SELECT i, 'c' || i, NULL, 3 FROM generate_series(1000, 1040) i");
            update(p.target, "UPDATE t SET n = 99 WHERE id = 7");
            update(p.target, "DELETE FROM t WHERE id = 8");
            long sourceRows = scalar(p.source, "SELECT count(*) FROM t");

            assertThat(Main.run("resync", "--config", config.toString(), "--report", report.toString())).isZero();
            JsonNode r = new ObjectMapper().readTree(report.toFile()).get("tables").get(0);
            assertThat(r.get("status").asText()).isEqualTo("committed");
            assertThat(r.get("resync").asText()).contains("resync requested");
            assertThat(r.get("snapshotRows").asLong()).isEqualTo(sourceRows);
            assertThat(r.get("inserted").asLong()).isEqualTo(sourceRows);
            assertThat(r.get("appliedUpserts").asLong()).isEqualTo(sourceRows);
            assertThat(r.get("updated").asLong()).isZero();
            assertThat(r.get("deleted").asLong()).isZero();
            assertThat(r.has("resyncNotes")).as("nothing lost: %s", r.get("resyncNotes")).isFalse();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(definition(p)).isEqualTo(before);
            assertThat(leftovers(p)).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE table_name = 't' AND cache_version = '"
                    + r.get("cacheVersion").asText() + "'")).isEqualTo(1);
            // the kept sequence and default still work for the service
            assertThat(scalar(p.target, "SELECT nextval('t_id_seq')")).isEqualTo(1);

            // the next daily sync diffs against the resync's cache: no changes
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            r = new ObjectMapper().readTree(report.toFile()).get("tables").get(0);
            assertThat(r.get("previousCacheVersion").asText()).isNotEmpty();
            assertThat(r.has("resync")).isFalse();
            assertThat(new long[] {r.get("inserted").asLong(), r.get("updated").asLong(), r.get("deleted").asLong()})
                    .containsExactly(0, 0, 0);
            long changed = update(p.source, "UPDATE t SET n = n + 1 WHERE id % 50 = 0");
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).isZero();
            r = new ObjectMapper().readTree(report.toFile()).get("tables").get(0);
            assertThat(r.get("updated").asLong()).isEqualTo(changed);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }

    @Test
    void aSchemaChangeUnderSchemaEvolutionResyncConverges() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text, w text)");
            exec(p.source, "INSERT INTO t SELECT i, (i * 3)::text, 'w' || i FROM generate_series(1, 400) i");
            exec(p.target, "CREATE INDEX t_w_idx ON t (w)");
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = base.withTables(List.of(base.tables().get(0).with("schema-evolution", "resync")));
            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");

            // incompatible: text -> integer, plus a new column
            exec(p.source, "ALTER TABLE t ALTER COLUMN v TYPE integer USING v::integer");
            exec(p.source, "ALTER TABLE t ADD COLUMN added date");
            update(p.source, "UPDATE t SET added = date '2024-01-01' + id, v = v + 1 WHERE id % 3 = 0");
            TableReport r = new SyncRunner(config).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.resync).contains("schema changed");
            assertThat(r.inserted).isEqualTo(400);
            assertThat(strings(p, "SELECT column_name || ' ' || data_type FROM information_schema.columns "
                    + "WHERE table_name = 't' ORDER BY ordinal_position"))
                    .containsExactly("id integer", "v integer", "w text", "added date");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(strings(p, "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1"))
                    .containsExactly("t_pkey", "t_w_idx");

            TableReport next = new SyncRunner(config).run(null).tables.get(0);
            assertThat(next.status).as("error: %s", next.error).isEqualTo("committed");
            assertThat(next.resync).isNull();
            assertThat(new long[] {next.inserted, next.updated, next.deleted}).containsExactly(0, 0, 0);
        }
    }

    @ParameterizedTest(name = "failure at {0}")
    @EnumSource(value = CommitHook.Point.class, names = {"CACHE_WRITTEN", "SHADOW_BUILT", "IN_TRANSACTION"})
    void aFailureBeforeTheSwapLeavesTheLiveTableAsItWasAndTheNextRunConverges(CommitHook.Point point) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            setUp(p);
            SyncConfig config = p.config("t", List.of("id"), 2); // no task retries: the failure ends the run
            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");
            update(p.source, "UPDATE t SET v = NULL WHERE id % 4 = 0");
            List<String> liveRows = rows(p.target, "t", "id");
            List<String> liveDefinition = definition(p);
            long liveOid = scalar(p.target, "SELECT 'public.t'::regclass::oid");

            FAIL_AT.set(point);
            TableReport failed = new SyncRunner(config, FAIL_ONCE, false).resync(true).run(null).tables.get(0);
            assertThat(failed.status).isEqualTo("failed");
            assertThat(failed.error).contains("injected failure at " + point);
            assertThat(rows(p.target, "t", "id")).isEqualTo(liveRows);
            assertThat(definition(p)).isEqualTo(liveDefinition);
            assertThat(scalar(p.target, "SELECT 'public.t'::regclass::oid")).as("the very same table").isEqualTo(liveOid);
            assertThat(leftovers(p)).as("the failed run drops its shadow and staging").isZero();

            // a run killed before it could clean up leaves a shadow; the next run of the table removes it,
            // and only it (a shadow of another table with a similar name stays)
            TableName dead = ShadowNames.shadow(new TableName("public", "t"), "20200101T000000Z-abcdef");
            TableName other = ShadowNames.shadow(new TableName("public", "t_other"), "20200101T000000Z-abcdef");
            exec(p.target, "CREATE TABLE " + dead.quoted() + " AS SELECT * FROM t");
            exec(p.target, "CREATE TABLE " + other.quoted() + " (x int)");

            TableReport rerun = new SyncRunner(config).resync(true).run(null).tables.get(0);
            assertThat(rerun.status).as("error: %s", rerun.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(definition(p)).isEqualTo(liveDefinition);
            assertThat(strings(p, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'snapsync\\_%'"))
                    .containsExactly(other.table());
        }
    }

    @ParameterizedTest(name = "retried committer after failure at {0}")
    @EnumSource(value = CommitHook.Point.class, names = {"SHADOW_BUILT", "IN_TRANSACTION", "COMMITTED"})
    void aRetriedCommitterSwapsExactlyOnce(CommitHook.Point point) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            setUp(p);
            SyncConfig base = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(base.source(), base.target(), base.cache(),
                    new SyncConfig.Job(2, 5, 2, 1.0, 1.0), base.tables()); // Flink retries failed tasks
            new SyncRunner(config).run(null);
            List<String> liveDefinition = definition(p);
            update(p.source, "DELETE FROM t WHERE id > 500");

            FAIL_AT.set(point);
            TableReport r = new SyncRunner(config, FAIL_ONCE, false).resync(true).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.snapshotRows).isEqualTo(500);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(definition(p)).isEqualTo(liveDefinition);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history WHERE table_name = 't'")).isEqualTo(2);
            assertThat(leftovers(p)).isZero();
        }
    }

    @Test
    void aDependentViewIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            setUp(p);
            SyncConfig config = p.config("t", List.of("id"), 2);
            new SyncRunner(config).run(null);
            exec(p.target, "CREATE VIEW t_view AS SELECT id, v FROM t");
            exec(p.target, "CREATE TABLE child (id int PRIMARY KEY, t_id int REFERENCES t (id))");
            update(p.source, "UPDATE t SET v = 'x'");
            List<String> liveRows = rows(p.target, "t", "id");
            long history = scalar(p.target, "SELECT count(*) FROM snapsync.sync_history");

            TableReport r = new SyncRunner(config).resync(true).run(null).tables.get(0);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).contains("cannot resync t: public.t cannot be replaced", "view t_view",
                    "foreign key child_t_id_fkey of child", "the live table is unchanged");
            assertThat(rows(p.target, "t", "id")).isEqualTo(liveRows);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history")).isEqualTo(history);
            assertThat(leftovers(p)).isZero();
        }
    }
    @Test
    void aDryRunWritesNothingAndExtraTargetColumnsAreDroppedOnlyWhenAllowed() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            setUp(p);
            SyncConfig config = p.config("t", List.of("id"), 2);
            new SyncRunner(config).run(null);
            update(p.source, "DELETE FROM t WHERE id <= 100");
            List<String> liveRows = rows(p.target, "t", "id");
            long history = scalar(p.target, "SELECT count(*) FROM snapsync.sync_history");

            TableReport dry = new SyncRunner(config, CommitHook.NONE, false, true).resync(true).run(null).tables.get(0);
            assertThat(dry.status).as("error: %s", dry.error).isEqualTo("dry-run");
            assertThat(dry.inserted).isEqualTo(500);
            assertThat(rows(p.target, "t", "id")).isEqualTo(liveRows);
            assertThat(leftovers(p)).isZero();

            exec(p.target, "ALTER TABLE t ADD COLUMN note text DEFAULT 'kept by the service'");
            liveRows = rows(p.target, "t", "id");

            TableReport refused = new SyncRunner(config).resync(true).run(null).tables.get(0);
            assertThat(refused.status).isEqualTo("failed");
            assertThat(refused.error).contains("has column(s) [note] the source lacks", "on-column-dropped: drop");
            assertThat(rows(p.target, "t", "id")).isEqualTo(liveRows);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_history")).isEqualTo(history);
            assertThat(leftovers(p)).isZero();

            SyncConfig dropping = config.withTables(List.of(config.tables().get(0).with("on-column-dropped", "drop")));
            TableReport r = new SyncRunner(dropping).resync(true).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }
    @Test
    void hostileNamesAreKeptThroughTheSwap() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            String table = HostileNamesTest.TABLE_SQL;
            p.both("CREATE TABLE canary (x int)");
            p.both("CREATE SCHEMA \"Sch\"\"ema; DROP\"");
            p.both("CREATE TABLE " + table + " (\"Key\"\"Id\" integer PRIMARY KEY, \"v'); DROP TABLE canary; --\" text)");
            exec(p.source, "INSERT INTO " + table + " SELECT i, 'x' || i FROM generate_series(1, 200) i");
            String role = "\"Rö le; \"\"" + p.targetDb + "\"";
            exec(p.target, "CREATE ROLE " + role);
            exec(p.target, "CREATE INDEX \"Ind ex\"\"; --\" ON " + table + " (lower(\"v'); DROP TABLE canary; --\"))");
            exec(p.target, "GRANT SELECT ON " + table + " TO " + role);
            exec(p.target, "COMMENT ON TABLE " + table + " IS 'it''s $$ -- odd'");
            String quotedName = "\"Sch\"\"ema; DROP\".\"Tab.le \"\"x\"\"; DROP TABLE canary; --\"";
            SyncConfig base = p.config("x", List.of("Key\"Id"), 2);
            SyncConfig config = base.withTables(List.of(new SyncConfig.Table("hostile \"name\" ü", quotedName, quotedName,
                    List.of("Key\"Id"), null, null, null)));
            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");
            String defs = "SELECT string_agg(indexdef, ' | ' ORDER BY indexname) || ' / ' || obj_description(" + "'"
                    + table.replace("'", "''") + "'::regclass, 'pg_class') || ' / ' || (SELECT string_agg(grantee || ' ' "
                    + "|| privilege_type, ',' ORDER BY grantee, privilege_type) FROM information_schema.role_table_grants "
                    + "WHERE table_schema = 'Sch\"ema; DROP') FROM pg_indexes WHERE schemaname = 'Sch\"ema; DROP'";
            List<String> before = strings(p, defs);
            update(p.source, "UPDATE " + table + " SET \"v'); DROP TABLE canary; --\" = 'y' WHERE \"Key\"\"Id\" % 3 = 0");

            TableReport r = new SyncRunner(config).resync(true).run(null).tables.get(0);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.resyncNotes).isNull();
            assertThat(rows(p.target, table, "1")).isEqualTo(rows(p.source, table, "1"));
            assertThat(strings(p, defs)).isEqualTo(before);
            assertThat(before.get(0)).contains("Ind ex", "it's $$ -- odd", "SELECT");
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename = 'canary'")).isEqualTo(1);
            assertThat(leftovers(p)).isZero();
        }
    }
}
