package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad data in the snapshot (Redshift enforces no primary key): duplicated and NULL keys under each
 * policy, and values the target column cannot hold. Refusals happen before the target is touched and
 * leave the committed cache as it was; task retries are on, and bad data must not be retried.
 */
class DataPolicyTest extends EndToEndTestBase {

    private static SyncConfig config(PgPair p, String key, Object value) {
        SyncConfig base = p.config("k", List.of("id"), 2);
        SyncConfig.Table t = base.tables().get(0);
        return new SyncConfig(base.source(), base.target(), base.cache(), new SyncConfig.Job(2, 5, 3, 1.0, 1.0),
                List.of(key == null ? t : t.with(key, value)));
    }

    private static TableReport run(SyncConfig c) {
        return new SyncRunner(c).run(null).tables.get(0);
    }


    private static String controlRow(PgPair p) throws Exception {
        return rows(p.target, "snapsync.sync_state", "table_name").toString();
    }

    private static PgPair keylessSource(Path cache) throws Exception {
        PgPair p = new PgPair(pg, pg, cache);
        exec(p.source, "CREATE TABLE public.k (id integer, v text)"); // no primary key, as in Redshift
        exec(p.target, "CREATE TABLE public.k (id integer PRIMARY KEY, v text)");
        exec(p.source, "INSERT INTO k SELECT i, 'v' || i FROM generate_series(1, 100) i");
        return p;
    }

    private static void addDuplicates(PgPair p) throws Exception {
        exec(p.source, "INSERT INTO k VALUES (42, 'again'), (42, 'third'), (7, 'dup'), (500, 'a'), (500, 'b')");
        exec(p.source, "UPDATE k SET v = 'changed' WHERE id = 1");
    }

    @Test
    void duplicateKeysFailByDefaultWithTheirNumberAndSamplesAndTouchNothing() throws Exception {
        try (PgPair p = keylessSource(tmp.resolve("fail"))) {
            SyncConfig config = config(p, null, null);
            assertThat(run(config).status).isEqualTo("committed");
            List<String> before = rows(p.target, "k", "id");
            List<String> cache = PgPair.manifests(p.cache);
            String control = controlRow(p);

            addDuplicates(p);
            TableReport r = run(config);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).startsWith("table k: 3 primary key(s) occur more than once in the source snapshot, e.g. ")
                    .contains("(id=42) x3").contains("(id=7) x2").contains("(id=500) x2")
                    .contains("on-duplicate-key: keep-one or skip").endsWith("nothing applied");
            assertThat(rows(p.target, "k", "id")).isEqualTo(before);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
            assertThat(controlRow(p)).isEqualTo(control);

            TableReport dry = new SyncRunner(config, io.snapsync.fault.CommitHook.NONE, false, true).run(null).tables.get(0);
            assertThat(dry.status).as("error: %s", dry.error).isEqualTo("dry-run");
            assertThat(dry.duplicateKeys).isEqualTo(3);
            assertThat(dry.wouldBeRefused).contains("3 primary key(s) occur more than once");
        }
    }

    @Test
    void keepOneLoadsOneRowPerKeyDeterministically() throws Exception {
        try (PgPair p = keylessSource(tmp.resolve("keep"))) {
            SyncConfig config = config(p, "on-duplicate-key", "keep-one");
            run(config);
            addDuplicates(p);
            TableReport r = run(config);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.duplicateKeys).isEqualTo(3);
            assertThat(r.issueSamples).contains("DUPLICATE_KEY (id=42) x3");
            assertThat(r.snapshotRows).as("every source row was read").isEqualTo(105);
            // 42 and 7 updated unless the kept row is the old one; 500 inserted; 1 updated
            assertThat(r.inserted).isEqualTo(1);
            assertThat(scalar(p.target, "SELECT count(*) FROM k")).isEqualTo(101);
            List<String> kept = rows(p.target, "k", "id");
            // every target row is one of the source's rows for that key
            List<String> source = rows(p.source, "k", "id, v");
            assertThat(source).containsAll(kept);

            TableReport again = run(config);
            assertThat(new long[] {again.inserted, again.updated, again.deleted}).as("the same rows are kept every day")
                    .containsExactly(0, 0, 0);
            assertThat(rows(p.target, "k", "id")).isEqualTo(kept);
        }
    }

    @Test
    void skipLeavesDuplicatedKeysAsTheyWereUntilTheSourceIsFixed() throws Exception {
        try (PgPair p = keylessSource(tmp.resolve("skip"))) {
            SyncConfig config = config(p, "on-duplicate-key", "skip");
            run(config);
            List<String> day1 = rows(p.target, "k", "id");
            addDuplicates(p);
            TableReport r = run(config);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.duplicateKeys).isEqualTo(3);
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(0, 1, 0);
            // 42 and 7 keep their day-1 rows, 500 is not loaded, 1 is updated
            assertThat(scalar(p.target, "SELECT count(*) FROM k WHERE id = 500")).isZero();
            assertThat(rows(p.target, "k", "id").subList(1, 100)).isEqualTo(day1.subList(1, 100));

            // the provider removes the duplicates: the keys converge (the carried cache entries were right)
            exec(p.source, "DELETE FROM k WHERE v IN ('again', 'third', 'dup', 'b')");
            exec(p.source, "UPDATE k SET v = 'fixed' WHERE id = 42");
            TableReport fixed = run(config);
            assertThat(fixed.duplicateKeys).isNull();
            assertThat(rows(p.target, "k", "id")).isEqualTo(rows(p.source, "k", "id"));
            assertThat(new long[] {fixed.inserted, fixed.updated, fixed.deleted}).containsExactly(1, 1, 0);
        }
    }

    @Test
    void nullKeysFailByDefaultOrAreLeftOut() throws Exception {
        try (PgPair p = keylessSource(tmp.resolve("nulls"))) {
            SyncConfig config = config(p, null, null);
            run(config);
            List<String> before = rows(p.target, "k", "id");
            List<String> cache = PgPair.manifests(p.cache);
            exec(p.source, "INSERT INTO k VALUES (NULL, 'no key'), (NULL, 'neither')");
            exec(p.source, "UPDATE k SET v = 'changed' WHERE id = 3");

            TableReport r = run(config);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).isEqualTo("table k: 2 source row(s) have a NULL primary-key column, e.g. (id=NULL), (id=NULL) "
                    + "(on-null-key: skip to leave them out); nothing applied");
            assertThat(rows(p.target, "k", "id")).isEqualTo(before);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);

            TableReport skipped = run(config(p, "on-null-key", "skip"));
            assertThat(skipped.status).as("error: %s", skipped.error).isEqualTo("committed");
            assertThat(skipped.nullKeyRows).isEqualTo(2);
            assertThat(skipped.snapshotRows).isEqualTo(102);
            assertThat(new long[] {skipped.inserted, skipped.updated, skipped.deleted}).containsExactly(0, 1, 0);
            assertThat(rows(p.target, "k", "id")).isEqualTo(rows(p.source, "(SELECT * FROM k WHERE id IS NOT NULL)", "id"));
        }
    }

    @Test
    void valuesTheTargetColumnCannotHoldFailNamingTableColumnAndKey() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("limits"))) {
            exec(p.source, "CREATE TABLE public.k (id bigint PRIMARY KEY, s text, n numeric(12,4), i bigint, d date)");
            // the target was created by hand with narrower types
            exec(p.target, "CREATE TABLE public.k (id bigint PRIMARY KEY, s varchar(5), n numeric(8,2), i integer, d timestamp)");
            exec(p.source, "INSERT INTO k SELECT g, 'ab', 1.25, g, DATE '2020-01-01' FROM generate_series(1, 50) g");
            SyncConfig config = config(p, null, null);
            assertThat(run(config).status).isEqualTo("committed");
            List<String> before = rows(p.target, "k", "id");
            List<String> cache = PgPair.manifests(p.cache);

            String[][] cases = {
                {"UPDATE k SET s = 'äbcdéf' WHERE id = 3", "column \"s\": a value of 6 characters does not fit character varying(5), key (id=3)"},
                {"UPDATE k SET n = 1.255 WHERE id = 4", "column \"n\": value 1.255 has 3 decimal places; numeric(8,2) keeps 2 (PostgreSQL would round it), key (id=4)"},
                {"UPDATE k SET n = 1234567.5 WHERE id = 5", "column \"n\": value 1234567.5 has 7 digits before the point; numeric(8,2) allows 6, key (id=5)"},
                {"UPDATE k SET i = 3000000000 WHERE id = 6", "column \"i\": value 3000000000 is out of range for integer, key (id=6)"},
                {"UPDATE k SET d = DATE '300000-01-01' WHERE id = 7", "column \"d\": date +300000-01-01 is out of range for timestamp without time zone, key (id=7)"},
            };
            for (String[] c : cases) {
                exec(p.source, "BEGIN; " + c[0] + "; COMMIT");
                TableReport r = run(config);
                assertThat(r.status).as(c[0]).isEqualTo("failed");
                assertThat(r.error).isEqualTo("table k, " + c[1] + "; nothing applied");
                assertThat(rows(p.target, "k", "id")).isEqualTo(before);
                assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);
                exec(p.source, "UPDATE k SET s = 'ab', n = 1.25, i = id, d = DATE '2020-01-01'");
            }
            exec(p.source, "UPDATE k SET n = 1.3 WHERE id = 9");
            TableReport ok = run(config);
            assertThat(ok.status).as("error: %s", ok.error).isEqualTo("committed");
            assertThat(ok.updated).isEqualTo(1);
        }
    }
}
