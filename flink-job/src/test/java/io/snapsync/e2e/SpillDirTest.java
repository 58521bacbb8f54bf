package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code job.spill-dir} routes Flink's spill and shuffle files: a real {@code snapsync sync} process (its own
 * MiniCluster, as in production) with its {@code java.io.tmpdir} (Flink's default) and the spill directory set
 * to two separate directories, both watched while it runs. Flink deletes its files when the job ends, so the
 * test records what is created (inotify events are queued even for files already gone when they are read).
 */
class SpillDirTest extends EndToEndTestBase {

    @Test
    void flinksSpillAndShuffleFilesGoToTheNamedDirectoryNotToTheDefaultTemporaryDirectory() throws Exception {
        try (PgPair p = new PgPair(pg, pg, Files.createDirectories(tmp.resolve("cache")))) {
            // a jsonb key: it took the keyed diff (which sorts and shuffles full rows) until json keys were ordered by their
            // text; the ordered diff it takes now still writes Flink's I/O directories and the blocking shuffle of the
            // stages' results to the committer, which is what is asserted below
            p.both("CREATE TABLE public.t (id jsonb PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT to_jsonb(i + 0.5), repeat(md5(i::text), 4) FROM generate_series(1, 20000) i");
            Path spill = Files.createDirectories(tmp.resolve("spill"));
            Path defaultTmp = Files.createDirectories(tmp.resolve("java-io-tmpdir"));
            Path yaml = p.writeYaml(tmp.resolve("spill.yaml"), "parallelism: 2, spill-dir: \"" + spill + "\"");

            Map<Path, Boolean> inSpill = new ConcurrentHashMap<>();
            Map<Path, Boolean> inDefault = new ConcurrentHashMap<>();
            Process sync;
            Path log = tmp.resolve("sync.log");
            try (Watcher spillWatch = new Watcher(spill, inSpill); Watcher defaultWatch = new Watcher(defaultTmp, inDefault)) {
                sync = new ProcessBuilder(KillTest.javaCommand(yaml, "-Djava.io.tmpdir=" + defaultTmp)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                while (!sync.waitFor(20, TimeUnit.MILLISECONDS)) {
                    spillWatch.poll();
                    defaultWatch.poll();
                }
                spillWatch.poll();
                defaultWatch.poll();
            }
            assertThat(sync.exitValue()).as(Files.readString(log)).isZero();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            List<String> spillTop = topLevel(spill, inSpill);
            // Flink's I/O manager (sort spill files, blocking-shuffle partitions) and its shuffle environment
            assertThat(spillTop).as("created in the spill dir: %s", inSpill.keySet())
                    .anyMatch(n -> n.startsWith("flink-io-")).anyMatch(n -> n.startsWith("flink-netty-shuffle-"));
            // and the job's blocking-shuffle data in it (the directory above exists from the cluster's start, seconds before
            // the job writes, so the watcher has registered it by then)
            assertThat(inSpill.keySet()).as("shuffle data written under the spill dir")
                    .anyMatch(f -> f.startsWith(spill) && f.getFileName().toString().endsWith(".shuffle.data"));
            assertThat(topLevel(defaultTmp, inDefault)).as("created in java.io.tmpdir: %s", inDefault.keySet())
                    .noneMatch(n -> n.startsWith("flink-io-") || n.startsWith("flink-netty-shuffle-"));
        }
    }

    private static List<String> topLevel(Path dir, Map<Path, Boolean> created) {
        return created.keySet().stream().filter(f -> dir.equals(f.getParent())).map(f -> f.getFileName().toString()).toList();
    }

    /** Records every file and directory created under a directory, registering new subdirectories as they appear. */
    private static final class Watcher implements AutoCloseable {
        private final WatchService service = FileSystems.getDefault().newWatchService();
        private final Map<WatchKey, Path> dirs = new ConcurrentHashMap<>();
        private final Map<Path, Boolean> created;

        Watcher(Path root, Map<Path, Boolean> created) throws Exception {
            this.created = created;
            dirs.put(root.register(service, ENTRY_CREATE), root);
        }

        void poll() {
            for (WatchKey key; (key = service.poll()) != null; ) {
                Path dir = dirs.get(key);
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.context() instanceof Path name) {
                        Path f = dir.resolve(name);
                        created.put(f, Boolean.TRUE);
                        if (Files.isDirectory(f)) {
                            try {
                                dirs.put(f.register(service, ENTRY_CREATE), f);
                            } catch (Exception gone) {
                                // deleted already: its creation is recorded, its contents cannot be
                            }
                        }
                    }
                }
                key.reset();
            }
        }

        @Override
        public void close() throws Exception {
            service.close();
        }
    }
}
