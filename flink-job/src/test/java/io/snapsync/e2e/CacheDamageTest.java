package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapsync.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A committed cache version that lost or changed a file, or whose manifest was edited, is refused before the
 * target is touched with "the cache is damaged: ... run snapsync reconcile" naming the file; reconcile is the
 * way out. Before, a manifest without one of its files made the run exit 0 and those rows were never deleted.
 */
class CacheDamageTest extends EndToEndTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Damage(String name, Consumer<Path> apply, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Path biggest(Path versionDir) {
        try (Stream<Path> s = Files.list(versionDir)) {
            return s.filter(f -> f.toString().endsWith(".parquet")).max(java.util.Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void editManifest(Path manifest, Consumer<ObjectNode> edit) {
        try {
            ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
            edit.accept(m);
            JSON.writeValue(manifest.toFile(), m);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void write(Path f, byte[] bytes) {
        try {
            Files.write(f, bytes);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Old manifests (before lengths and checksums): the fields removed. */
    private static void makeOld(Path manifest) {
        editManifest(manifest, m -> m.withArray("files").forEach(f -> ((ObjectNode) f).remove(List.of("bytes", "crc32c"))));
    }

    static Stream<Arguments> damages() {
        return Stream.of(
                new Damage("a file dropped from the manifest", dir -> editManifest(dir.resolve("_manifest.json"), m -> {
                    ArrayNode files = m.withArray("files");
                    files.remove(files.size() - 1);
                }), "rows but the manifest records"),
                new Damage("a file and its rows dropped from the manifest", dir -> editManifest(dir.resolve("_manifest.json"), m -> {
                    ArrayNode files = m.withArray("files");
                    long rows = files.get(files.size() - 1).get("rows").asLong();
                    files.remove(files.size() - 1);
                    m.put("rowCount", m.get("rowCount").asLong() - rows);
                }), "rows but the control row"),
                new Damage("a file deleted", dir -> biggest(dir).toFile().delete(), " is missing"),
                new Damage("a file truncated", dir -> {
                    Path f = biggest(dir);
                    try {
                        write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), (int) f.toFile().length() / 2));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, " bytes, written as "),
                new Damage("a file overwritten with garbage of the same length", dir -> {
                    Path f = biggest(dir);
                    byte[] junk = new byte[(int) f.toFile().length()];
                    new java.util.Random(7).nextBytes(junk);
                    write(f, junk);
                }, " has CRC32C "),
                new Damage("old manifest, garbage file", dir -> {
                    makeOld(dir.resolve("_manifest.json"));
                    write(biggest(dir), "not parquet at all".getBytes(StandardCharsets.UTF_8));
                }, " is not a readable Parquet file ("),
                new Damage("old manifest, a footer claiming a huge size", dir -> {
                    makeOld(dir.resolve("_manifest.json"));
                    Path f = biggest(dir);
                    try {
                        byte[] b = Files.readAllBytes(f);
                        ByteBuffer.wrap(b, b.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7fff_fff0);
                        write(f, b);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, " is not a readable Parquet file (")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void refusedBeforeTheTargetIsTouchedAndReconcileRepairs(Damage damage) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
            Path yaml = p.writeYaml(tmp.resolve("s.yaml"), "parallelism: 2, splits: 4, restart-attempts: 0");
            assertThat(Main.run("sync", "--config", yaml.toString())).isZero();
            List<String> manifests = PgPair.manifests(p.cache);
            assertThat(manifests).hasSize(1);
            Path dir = Path.of(manifests.get(0)).getParent();
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.filter(f -> f.toString().endsWith(".parquet")).count()).as("two cache files").isEqualTo(2);
            }
            exec(p.source, "DELETE FROM t WHERE id % 10 = 0");
            exec(p.source, "UPDATE t SET v = 'x' WHERE id % 7 = 0");
            List<String> target = rows(p.target, "t", "id");
            List<String> control = rows(p.target, "snapsync.sync_state", "table_name");

            damage.apply().accept(dir);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.run("sync", "--config", yaml.toString(), "--allow-mass-change");
            } finally {
                System.setErr(old);
            }
            String stderr = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as(stderr).isEqualTo(1);
            assertThat(stderr).startsWith("snapsync: table t failed: the cache is damaged: version ")
                    .contains(damage.message()).contains("run `snapsync reconcile`")
                    .doesNotContain("FlinkParquetFiles").doesNotContain("Exception");
            if (!damage.name().contains("manifest")) {
                assertThat(stderr).containsPattern("file part-\\d+-a\\d+\\.parquet");
            }
            assertThat(stderr.lines().toList()).hasSize(1);
            assertThat(rows(p.target, "t", "id")).isEqualTo(target);
            assertThat(rows(p.target, "snapsync.sync_state", "table_name")).isEqualTo(control);

            assertThat(Main.run("reconcile", "--config", yaml.toString(), "--allow-mass-change")).isZero();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
            exec(p.source, "DELETE FROM t WHERE id = 1");
            assertThat(Main.run("sync", "--config", yaml.toString())).isZero();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }
}
