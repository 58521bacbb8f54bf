package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cache.CacheManifest;
import io.snapsync.config.ConfigLoader;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cache as a sorted base plus change layers on a real MiniCluster and PostgreSQL: day 2 onwards writes
 * only the changed rows and tombstones, the manifest references the older base, a compaction day writes a
 * full base again, keep-versions keeps every version a kept manifest references, and a damaged referenced
 * base file is refused before the target is touched.
 */
class LayeredCacheTest extends EndToEndTestBase {
    private static final String DDL = "CREATE TABLE public.t (id bigint PRIMARY KEY, v text, n integer)";

    private Path yaml(PgPair p, String cacheExtra) throws Exception {
        Path file = tmp.resolve("layers.yaml");
        Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s"%s }
                job:    { parallelism: 2, restart-attempts: 0, splits: 4 }
                tables:
                  - { name: t, source: public.t, target: public.t, primary-key: [id] }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), cacheExtra));
        return file;
    }

    private TableReport run(Path yaml) throws Exception {
        return new SyncRunner(ConfigLoader.load(yaml)).run(null).tables.get(0);
    }

    private static CacheManifest manifest(PgPair p, String version) throws Exception {
        return CacheManifest.read(new org.apache.flink.core.fs.Path(p.cache.resolve("t/v-" + version + "/_manifest.json").toUri()));
    }

    /** Rows in the Parquet files of the version's own directory, as its manifest lists them. */
    private static long ownRows(CacheManifest m) {
        return m.files().stream().filter(f -> f.version() == null || f.version().equals(m.version()))
                .mapToLong(CacheManifest.FileEntry::rows).sum();
    }

    /** An offset in the middle of the first row group's {@code __snapsync_key} column chunk (its pages). */
    private static int keyColumnMiddle(Path file, byte[] bytes) throws Exception {
        var input = new org.apache.parquet.io.LocalInputFile(file);
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(input)) {
            var chunk = reader.getFooter().getBlocks().get(0).getColumns().stream()
                    .filter(c -> c.getPath().toDotString().equals("__snapsync_key")).findFirst().orElseThrow();
            long middle = chunk.getStartingPos() + chunk.getTotalSize() / 2;
            assertThat(middle).isLessThan(bytes.length);
            return (int) middle;
        }
    }

    private static long parquetFiles(PgPair p, String version) throws Exception {
        try (Stream<Path> s = Files.list(p.cache.resolve("t/v-" + version))) {
            return s.filter(f -> f.toString().endsWith(".parquet")).count();
        }
    }

    /** One day's changes: updates, deletes (some of rows a layer inserted or changed), inserts. */
    private static void change(PgPair p, int day) throws Exception {
        update(p.source, "UPDATE t SET v = v || '+' WHERE id % 97 = " + day);
        update(p.source, "DELETE FROM t WHERE id % 101 = " + (day + 1) + " OR id = " + (100000 + day - 1));
        update(p.source, "INSERT INTO t SELECT 100000 + " + day + " * 10 + i, 'new', " + day + " FROM generate_series(0, 4) i");
        update(p.source, "INSERT INTO t VALUES (" + (100000 + day) + ", 'again', " + day + ") ON CONFLICT (id) DO UPDATE SET n = -1");
    }

    private static void assertSynced(PgPair p, TableReport r) throws Exception {
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
        assertThat(rows(p.target, "t", "id")).as("every row, every column").isEqualTo(rows(p.source, "t", "id"));
        assertThat(scalar(p.target, "SELECT count(*) FROM t")).isEqualTo(scalar(p.source, "SELECT count(*) FROM t"));
    }

    @Test
    void changeLayersDayAfterDayACompactionAndKeepVersionsKeepingReferencedBases() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i, i % 13 FROM generate_series(1, 5000) i");
            Path yaml = yaml(p, ", keep-versions: 2, compact-layers: 2, compact-at: 0.5");

            TableReport day1 = run(yaml);
            assertSynced(p, day1);
            CacheManifest v1 = manifest(p, day1.cacheVersion);
            assertThat(v1.isLayered()).isFalse();
            assertThat(v1.baseRows()).isEqualTo(5000);

            change(p, 2);
            TableReport day2 = run(yaml);
            assertSynced(p, day2);
            CacheManifest v2 = manifest(p, day2.cacheVersion);
            long changes2 = day2.inserted + day2.updated + day2.deleted;
            assertThat(changes2).isBetween(50L, 300L);
            assertThat(v2.isLayered()).isTrue();
            assertThat(v2.topLayer()).isEqualTo(1);
            assertThat(v2.rowCount()).isEqualTo(day2.snapshotRows).isEqualTo(scalar(p.source, "SELECT count(*) FROM t"));
            assertThat(v2.files().stream().filter(f -> f.layerOrBase() == 0))
                    .as("the base is day 1's files, where they are").isNotEmpty()
                    .allSatisfy(f -> assertThat(f.version()).isEqualTo(day1.cacheVersion));
            assertThat(ownRows(v2)).as("day 2 wrote the changed rows and tombstones only").isEqualTo(changes2);
            assertThat(v2.layerRows()).isEqualTo(changes2);
            assertThat(parquetFiles(p, day2.cacheVersion)).isBetween(1L, 2L);

            change(p, 3);
            TableReport day3 = run(yaml);
            assertSynced(p, day3);
            CacheManifest v3 = manifest(p, day3.cacheVersion);
            assertThat(v3.topLayer()).isEqualTo(2);
            assertThat(ownRows(v3)).isEqualTo(day3.inserted + day3.updated + day3.deleted);
            assertThat(v3.referencedVersions()).containsExactlyInAnyOrder(day1.cacheVersion, day2.cacheVersion, day3.cacheVersion);

            // compact-layers 2 reached: a full base again
            change(p, 4);
            TableReport day4 = run(yaml);
            assertSynced(p, day4);
            CacheManifest v4 = manifest(p, day4.cacheVersion);
            assertThat(v4.isLayered()).as("compaction").isFalse();
            assertThat(v4.baseRows()).isEqualTo(day4.snapshotRows);
            assertThat(v4.referencedVersions()).containsExactly(day4.cacheVersion);
            assertThat(Files.exists(p.cache.resolve("t/v-" + day1.cacheVersion)))
                    .as("keep-versions 2 keeps day 3 and day 2, and day 3 reads day 1's base").isTrue();

            change(p, 5);
            TableReport day5 = run(yaml);
            assertSynced(p, day5);
            assertThat(manifest(p, day5.cacheVersion).topLayer()).isEqualTo(1);
            assertThat(Files.exists(p.cache.resolve("t/v-" + day1.cacheVersion))).as("day 3 is still kept").isTrue();

            change(p, 6);
            TableReport day6 = run(yaml);
            assertSynced(p, day6);
            // kept: day 5 (the previous) and day 4, which day 5 references; nothing references days 1-3 any more
            for (String gone : List.of(day1.cacheVersion, day2.cacheVersion, day3.cacheVersion)) {
                assertThat(Files.exists(p.cache.resolve("t/v-" + gone))).as("version %s pruned", gone).isFalse();
            }
            assertThat(Files.exists(p.cache.resolve("t/v-" + day4.cacheVersion))).isTrue();

            TableReport idle = run(yaml);
            assertSynced(p, idle);
            assertThat(idle.inserted + idle.updated + idle.deleted).isZero();
            assertThat(manifest(p, idle.cacheVersion).isLayered()).as("compact-layers 2 reached again: compaction").isFalse();
        }
    }

    @Test
    void aDamagedReferencedBaseFileIsRefusedBeforeTheTargetIsTouched() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both(DDL);
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i, i % 13 FROM generate_series(1, 3000) i");
            Path yaml = yaml(p, "");
            TableReport day1 = run(yaml);
            assertSynced(p, day1);
            change(p, 2);
            TableReport day2 = run(yaml);
            assertSynced(p, day2);
            assertThat(manifest(p, day2.cacheVersion).isLayered()).isTrue();
            TableReport idle = run(yaml);
            assertSynced(p, idle);
            assertThat(idle.inserted + idle.updated + idle.deleted).isZero();
            assertThat(manifest(p, idle.cacheVersion).isLayered()).isTrue();
            assertThat(ownRows(manifest(p, idle.cacheVersion))).as("nothing changed, nothing written").isZero();
            assertThat(manifest(p, idle.cacheVersion).referencedVersions()).contains(day1.cacheVersion, day2.cacheVersion);

            Path base;
            try (Stream<Path> s = Files.list(p.cache.resolve("t/v-" + day1.cacheVersion))) {
                base = s.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
            }
            byte[] intact = Files.readAllBytes(base);
            int keyPages = keyColumnMiddle(base, intact);
            change(p, 3);
            List<String> target = rows(p.target, "t", "id");
            List<String> manifests = PgPair.manifests(p.cache);

            // lost or truncated: the planner's length check, before anything runs
            Files.write(base, java.util.Arrays.copyOf(intact, intact.length - 100));
            TableReport truncated = run(yaml);
            assertThat(truncated.status).isEqualTo("failed");
            assertThat(truncated.error).contains("the cache is damaged: version " + idle.cacheVersion)
                    .contains("file v-" + day1.cacheVersion + "/" + base.getFileName() + " is " + (intact.length - 100) + " bytes, written as "
                            + intact.length)
                    .contains("run `snapsync reconcile`");
            Files.delete(base);
            TableReport lost = run(yaml);
            assertThat(lost.status).isEqualTo("failed");
            assertThat(lost.error).contains("file v-" + day1.cacheVersion + "/" + base.getFileName() + " is missing");

            // a byte changed inside the key column's pages of the base (checksummed whole two runs ago, not re-read
            // whole since): the page checksum of the diff's own read fails the table before the commit
            byte[] flipped = intact.clone();
            flipped[keyPages] ^= 0x5a;
            Files.write(base, flipped);
            TableReport broken = run(yaml);
            assertThat(broken.status).isEqualTo("failed");
            assertThat(broken.error).contains("the cache is damaged: file ").contains(base.getFileName().toString())
                    .contains(" cannot be read (").contains("run `snapsync reconcile`");
            assertThat(rows(p.target, "t", "id")).as("target untouched").isEqualTo(target);
            assertThat(PgPair.manifests(p.cache)).as("no version committed").isEqualTo(manifests);

            TableReport repaired = new SyncRunner(ConfigLoader.load(yaml), io.snapsync.fault.CommitHook.NONE, true).reconcile(true).run(null).tables.get(0);
            assertSynced(p, repaired);
            assertThat(manifest(p, repaired.cacheVersion).isLayered()).as("reconcile writes a full base").isFalse();
            change(p, 4);
            assertSynced(p, run(yaml));
        }
    }
}
