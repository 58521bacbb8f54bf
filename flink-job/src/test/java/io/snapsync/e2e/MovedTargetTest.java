package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The control row names the target table the cache describes. A config that moves the target is refused
 * before anything is created; {@code reconcile} adopts the new target; a first run into a table that
 * already holds rows diffs against it instead of only upserting the snapshot.
 */
class MovedTargetTest extends EndToEndTestBase {

    private static Path yaml(PgPair p, Path file, String name, String target) throws Exception {
        Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0 }
                tables:
                  - { name: %s, source: public.t, target: %s, primary-key: [id] }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), name, target));
        return file;
    }

    private static String stderrOf(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return code + " " + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void aMovedTargetIsRefusedBeforeAnythingIsCreatedAndReconcileAdoptsIt() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 2000) i");
            Path config = yaml(p, tmp.resolve("a.yaml"), "items", "public.t");
            assertThat(Main.run("sync", "--config", config.toString())).isZero();
            exec(p.source, "UPDATE t SET v = 'changed' WHERE id <= 30");
            List<String> control = rows(p.target, "snapsync.sync_state", "table_name");
            List<String> manifests = PgPair.manifests(p.cache);

            Path moved = yaml(p, tmp.resolve("b.yaml"), "items", "app.t");
            String result = stderrOf("sync", "--config", moved.toString());
            assertThat(result).startsWith("1 snapsync: ").contains("table items was last synced into public.t")
                    .contains("but target is now app.t; run `snapsync reconcile` to adopt app.t");
            assertThat(result.lines().toList()).hasSize(1);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'")).as("nothing created").isZero();
            assertThat(rows(p.target, "snapsync.sync_state", "table_name")).isEqualTo(control);
            assertThat(PgPair.manifests(p.cache)).isEqualTo(manifests);

            // the way out: reconcile loads the new target fully and records it; then daily syncs work on it
            assertThat(Main.run("reconcile", "--config", moved.toString())).isZero();
            assertThat(rows(p.target, "app.t", "id")).isEqualTo(rows(p.source, "t", "id")).hasSize(2000);
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_state WHERE target_table = 'app.t' AND source_table = 'public.t'"))
                    .isEqualTo(1);
            exec(p.source, "DELETE FROM t WHERE id <= 5");
            Path report = tmp.resolve("r.json");
            assertThat(Main.run("sync", "--config", moved.toString(), "--report", report.toString())).isZero();
            assertThat(Files.readString(report)).contains("\"deleted\" : 5").contains("\"appliedDeletes\" : 5");
            assertThat(rows(p.target, "app.t", "id")).isEqualTo(rows(p.source, "t", "id"));
            // reconcile into a target that cannot take the table says why, and writes nothing
            exec(p.target, "CREATE TABLE public.narrow (id integer PRIMARY KEY); CREATE TABLE public.nokey (id integer, v text)");
            List<String> controlNow = rows(p.target, "snapsync.sync_state", "table_name");
            assertThat(stderrOf("reconcile", "--config", yaml(p, tmp.resolve("c.yaml"), "items", "public.narrow").toString()))
                    .startsWith("1 snapsync: ").contains("target table public.narrow lacks source column(s) [v]");
            assertThat(stderrOf("reconcile", "--config", yaml(p, tmp.resolve("d.yaml"), "items", "public.nokey").toString()))
                    .startsWith("1 snapsync: ")
                    .contains("primary-key [id] is not the primary key or a unique index of target table public.nokey (it has none)");
            assertThat(rows(p.target, "snapsync.sync_state", "table_name")).isEqualTo(controlNow);
            // and moving back is refused the same way
            assertThat(stderrOf("sync", "--config", config.toString())).startsWith("1 snapsync: ")
                    .contains("table items was last synced into app.t");
        }
    }

    @Test
    void aFirstRunIntoAFilledTableDiffsAgainstItInsteadOfKeepingItsExtraRows() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 2000) i");
            Path config = yaml(p, tmp.resolve("a.yaml"), "items", "public.t");
            assertThat(Main.run("sync", "--config", config.toString())).isZero();
            exec(p.source, "DELETE FROM t WHERE id > 1990");
            // the table entry renamed (a new cache directory, no control row): the target still holds rows the source lost
            Path renamed = yaml(p, tmp.resolve("b.yaml"), "items_v2", "public.t");
            Path report = tmp.resolve("r.json");
            assertThat(Main.run("sync", "--config", renamed.toString(), "--report", report.toString())).isZero();
            assertThat(Files.readString(report)).contains("already holds rows; diffing the source against the live target table")
                    .contains("\"deleted\" : 10");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }
}
