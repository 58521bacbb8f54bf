package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the sync's own JVM (a real {@code snapsync sync} process with its own MiniCluster)
 * at random moments, several times in a row, then a run to completion: the target must end equal to
 * the source, with nothing left behind.
 */
class KillTest extends EndToEndTestBase {

    @Test
    void killingTheSyncProcessAtRandomMomentsNeverLosesOrCorruptsData() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text, n numeric(12,2))");
            exec(p.source, "INSERT INTO t SELECT i, md5(i::text), i / 3.0 FROM generate_series(1, 20000) i");
            SyncConfig config = p.config("t", List.of("id"), 2);
            assertThat(new SyncRunner(config).run(null).tables.get(0).status).isEqualTo("committed");

            update(p.source, "UPDATE t SET v = 'changed' WHERE id % 7 = 0");
            update(p.source, "DELETE FROM t WHERE id % 23 = 0");
            update(p.source, "INSERT INTO t SELECT i, 'new', NULL FROM generate_series(30001, 30500) i");

            Path yaml = tmp.resolve("kill.yaml");
            p.writeYaml(yaml, "parallelism: 2, max-delete-share: 1.0");

            // Kill at random moments until some kills hit a running job. A run that finishes first commits; the
            // source then changes again, so every run has work to do (syncs start fast: fixed delays would miss).
            Random rnd = new Random(42);
            List<Long> killedAfter = new ArrayList<>();
            int killedInJob = 0;
            int bound = 5000; // widened while kills land before the job is submitted (a loaded machine starts slower)
            List<String> committed = rows(p.target, "t", "id");
            for (int i = 0; i < 15 && (killedAfter.size() < 3 || killedInJob == 0); i++) {
                List<String> next = rows(p.source, "t", "id");
                Path log = tmp.resolve("kill-" + i + ".log");
                Process sync = new ProcessBuilder(javaCommand(yaml)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                long delay = 300 + rnd.nextInt(bound);
                if (!sync.waitFor(delay, TimeUnit.MILLISECONDS)) {
                    sync.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
                    sync.waitFor();
                    killedAfter.add(delay);
                    boolean inJob = Files.readString(log).contains(" submitted ");
                    killedInJob += inJob ? 1 : 0;
                    bound = inJob ? bound : Math.min(bound + 4000, 40000);
                } else {
                    // finished before the kill: it must have been a real, successful sync
                    assertThat(sync.exitValue()).as(Files.readString(log)).isZero();
                }
                // the target is always consistent in between: exactly the old or exactly the new rows
                List<String> now = rows(p.target, "t", "id");
                assertThat(now.equals(committed) || now.equals(next)).as("after run %d (killed after %s ms)", i, killedAfter).isTrue();
                if (now.equals(next) && !next.equals(committed)) {
                    committed = now;
                    update(p.source, "UPDATE t SET v = 'round " + i + "' WHERE id % " + (11 + i) + " = 0");
                }
            }
            assertThat(killedAfter).as("at least some runs must really have been killed").hasSizeGreaterThanOrEqualTo(3);
            assertThat(killedInJob).as("a kill while the job ran (after its submission)").isPositive();

            TableReport last = runOnceUnlocked(config);
            assertThat(last.status).as("error: %s", last.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
        }
    }

    /** Runs the sync, again while a killed run's table lock is still held (it goes when PostgreSQL notices the dead session). */
    static TableReport runOnceUnlocked(SyncConfig config) throws Exception {
        TableReport last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            last = new SyncRunner(config).run(null).tables.get(0);
            if ("committed".equals(last.status) || !last.error.contains("already being synced")) {
                break;
            }
            Thread.sleep(500);
        }
        return last;
    }

    /** A `snapsync sync --config yaml` process on this test's class path, with these JVM options added. */
    static List<String> javaCommand(Path yaml, String... jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(List.of(jvmOptions));
        for (String open : new String[] {"java.util", "java.lang", "java.lang.reflect", "java.nio", "java.time", "java.util.concurrent"}) {
            cmd.add("--add-opens=java.base/" + open + "=ALL-UNNAMED");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.snapsync.cli.Launcher");
        cmd.add("sync");
        cmd.add("--config");
        cmd.add(yaml.toString());
        return cmd;
    }
}
