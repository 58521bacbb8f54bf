package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.Test;

/**
 * {@code reconcile}: the diff is taken against the live target table, so it repairs a target that was
 * edited by hand or a lost cache, and adopts an already filled target without re-inserting its rows.
 */
class ReconcileTest extends EndToEndTestBase {

    private static TableReport sync(SyncConfig c) {
        return new SyncRunner(c).run(null).tables.get(0);
    }

    private static TableReport reconcile(SyncConfig c) {
        return new SyncRunner(c).reconcile(true).run(null).tables.get(0);
    }

    @Test
    void repairsAHandEditedTargetAndWritesAFreshCache() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (a integer, b text, v numeric(12,2), PRIMARY KEY (a, b))");
            exec(p.source, "INSERT INTO t SELECT i / 3, 'k' || (i % 3), i * 1.5 FROM generate_series(0, 2999) i");
            SyncConfig config = p.config("t", List.of("a", "b"), 3);
            assertThat(sync(config).status).isEqualTo("committed");

            // someone edits the target by hand: the cache does not know, so a daily sync cannot see it
            long edited = update(p.target, "UPDATE t SET v = -1 WHERE a % 40 = 0");
            long removed = update(p.target, "DELETE FROM t WHERE a % 97 = 5");
            long added = update(p.target, "INSERT INTO t SELECT i, 'extra', 0 FROM generate_series(5000, 5011) i");
            // and the source moves on as usual
            long srcUpdated = update(p.source, "UPDATE t SET v = v + 1 WHERE a % 40 = 1");
            TableReport daily = sync(config);
            assertThat(daily.updated).isEqualTo(srcUpdated);
            assertThat(rows(p.target, "t", "a, b")).as("a daily sync cannot repair drift").isNotEqualTo(rows(p.source, "t", "a, b"));

            TableReport r = reconcile(config);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(r.reconcile).contains("reconcile");
            assertThat(rows(p.target, "t", "a, b")).isEqualTo(rows(p.source, "t", "a, b"));
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(removed, edited, added);
            assertThat(r.appliedUpserts).isEqualTo(removed + edited);
            assertThat(r.appliedDeletes).isEqualTo(added);

            // the fresh cache matches the target: the next daily sync has nothing to do
            TableReport next = sync(config);
            assertThat(new long[] {next.inserted, next.updated, next.deleted}).containsExactly(0, 0, 0);
            assertThat(next.previousCacheVersion).isEqualTo(r.cacheVersion);
        }
    }

    @Test
    void recoversALostCache() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id bigint PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 2000) i");
            SyncConfig config = p.config("t", List.of("id"), 2);
            sync(config);
            try (Stream<Path> s = Files.list(p.cache)) {
                for (Path d : s.toList()) {
                    PathUtils.deleteDirectory(d);
                }
            }
            update(p.source, "DELETE FROM t WHERE id <= 10");

            TableReport lost = sync(config);
            assertThat(lost.status).isEqualTo("failed");
            assertThat(lost.error).contains("cache manifest").contains("does not exist");

            TableReport r = reconcile(config);
            assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
            assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(0, 0, 10);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(sync(config).status).isEqualTo("committed");
        }
    }

    @Test
    void adoptsAnAlreadyFilledTargetThroughTheCli() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text, d date)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i, DATE '2020-01-01' + i FROM generate_series(1, 4000) i");
            // loaded some other way before snapsync was used: the same rows but a few
            exec(p.target, "INSERT INTO t SELECT i, 'v' || i, DATE '2020-01-01' + i FROM generate_series(1, 3990) i");
            update(p.target, "UPDATE t SET d = NULL WHERE id IN (7, 8, 9)");
            Path yaml = tmp.resolve("snapsync.yaml");
            p.writeYaml(yaml, "parallelism: 2, restart-attempts: 0");
            Path report = tmp.resolve("report.json");
            assertThat(Main.run("reconcile", "--config", yaml.toString(), "--report", report.toString())).isZero();
            String json = Files.readString(report);
            assertThat(json).contains("\"inserted\" : 10").contains("\"updated\" : 3").contains("\"deleted\" : 0");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE table_name = 't'")).isEqualTo(1);

            update(p.source, "UPDATE t SET v = 'x' WHERE id = 1");
            assertThat(Main.run("sync", "--config", yaml.toString(), "--report", report.toString())).isZero();
            assertThat(Files.readString(report)).contains("\"updated\" : 1").contains("\"inserted\" : 0");
        }
    }
}
