package io.snapsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.fs.s3hadoop.common.HadoopFileSystem;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proves {@link S3TestServer}: Flink's {@code s3://} FileSystem (flink-s3-fs-hadoop from the class
 * path, no plugins directory) writes, lists, reads with seeks, renames and deletes objects on it,
 * from the test thread and from the tasks of a MiniCluster job.
 */
class S3TestServerTest {

    private static final int MB = 1024 * 1024;

    /** Started first: the MiniCluster below is configured with its endpoint. */
    private static final S3TestServer S3 = S3TestServer.start();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    () -> {
                        Configuration conf = S3.flinkConfig();
                        conf.setString("restart-strategy.type", "none");
                        return new MiniClusterResourceConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(2)
                                .build();
                    });

    @AfterEach
    void resetFileSystems() {
        // tests below re-initialize with other options; every test starts from the fixture's
        S3.initializeFlinkFileSystems();
    }

    @AfterAll
    static void stopServer() {
        S3.close();
        FileSystem.initialize(new Configuration(), null);
    }

    @Test
    void writesListsSeeksAndDeletesAFileOverFiveMegabytes() throws Exception {
        S3.initializeFlinkFileSystems();
        byte[] data = randomBytes(12 * MB + 12345, 42);
        Path dir = new Path(S3.uri("basic"));
        Path file = new Path(S3.uri("basic/x.bin"));
        FileSystem fs = FileSystem.get(file.toUri());
        assertThat(fs.getUri().getScheme()).isEqualTo("s3");

        try (FSDataOutputStream out = fs.create(file, WriteMode.NO_OVERWRITE)) {
            for (int off = 0; off < data.length; off += MB) {
                out.write(data, off, Math.min(MB, data.length - off));
            }
        }

        // the object really is in the server's backend
        java.nio.file.Path stored = S3.dataDir().resolve(S3.bucket()).resolve("basic/x.bin");
        assertThat(Files.size(stored)).isEqualTo(data.length);

        assertThat(fs.exists(file)).isTrue();
        FileStatus status = fs.getFileStatus(file);
        assertThat(status.getLen()).isEqualTo(data.length);
        assertThat(status.isDir()).isFalse();
        FileStatus[] listing = fs.listStatus(dir);
        assertThat(listing).extracting(s -> s.getPath().getName()).containsExactly("x.bin");
        assertThat(listing[0].getLen()).isEqualTo(data.length);
        assertThat(fs.getFileStatus(dir).isDir()).isTrue();

        try (FSDataInputStream in = fs.open(file)) {
            // Parquet's pattern: footer length and magic at the end, then column chunks
            long[] positions = {
                data.length - 8, 0, 6 * MB + 7, 3, data.length - 1, 2 * MB, 11 * MB + 1
            };
            for (long pos : positions) {
                int len = (int) Math.min(64 * 1024, data.length - pos);
                in.seek(pos);
                assertThat(in.getPos()).isEqualTo(pos);
                byte[] buf = readFully(in, len);
                assertThat(buf).as("bytes at %d", pos)
                        .isEqualTo(Arrays.copyOfRange(data, (int) pos, (int) pos + len));
                assertThat(in.getPos()).isEqualTo(pos + len);
            }
            in.seek(data.length);
            assertThat(in.read()).isEqualTo(-1);
        }
        try (FSDataInputStream in = fs.open(file)) {
            assertThat(readFully(in, data.length)).isEqualTo(data);
            assertThat(in.read()).isEqualTo(-1);
        }

        fs.create(file, WriteMode.OVERWRITE).close();
        assertThat(fs.getFileStatus(file).getLen()).isZero();

        assertThat(fs.delete(file, false)).isTrue();
        assertThat(fs.exists(file)).isFalse();
        assertThat(Files.exists(stored)).isFalse();
        assertThatThrownBy(() -> fs.getFileStatus(file)).isInstanceOf(IOException.class);
    }

    @Test
    void uploadsInPartsWhenTheFileExceedsTheMultipartSize() throws Exception {
        Configuration conf = S3.flinkConfig();
        conf.setString("s3.multipart.size", "5M"); // S3's minimum part size
        FileSystem.initialize(conf, null);
        byte[] data = randomBytes(11 * MB, 7);
        Path file = new Path(S3.uri("multipart/y.bin"));
        FileSystem fs = FileSystem.get(file.toUri());
        org.apache.hadoop.fs.FileSystem s3a = ((HadoopFileSystem) fs).getHadoopFileSystem();
        long initiatedBefore = counter(s3a, "object_multipart_initiated");
        long putsBefore = counter(s3a, "object_put_request_completed");

        try (FSDataOutputStream out = fs.create(file, WriteMode.NO_OVERWRITE)) {
            out.write(data);
        }

        // one multipart upload of three parts (5 + 5 + 1 MB)
        assertThat(counter(s3a, "object_multipart_initiated") - initiatedBefore).isEqualTo(1);
        assertThat(counter(s3a, "object_put_request_completed") - putsBefore).isEqualTo(3);
        assertThat(fs.getFileStatus(file).getLen()).isEqualTo(data.length);
        try (FSDataInputStream in = fs.open(file)) {
            in.seek(5 * MB - 3); // across the first part boundary
            assertThat(readFully(in, 6))
                    .isEqualTo(Arrays.copyOfRange(data, 5 * MB - 3, 5 * MB + 3));
            in.seek(0);
            assertThat(readFully(in, data.length)).isEqualTo(data);
        }
        assertThat(fs.delete(file, false)).isTrue();
    }

    @Test
    void renamesAndDeletesDirectoriesRecursively() throws Exception {
        S3.initializeFlinkFileSystems();
        FileSystem fs = FileSystem.get(S3.uri("/"));
        Path tmp = new Path(S3.uri("tree/_tmp/part-0"));
        writeString(fs, tmp, "zero");
        writeString(fs, new Path(S3.uri("tree/a/part-1")), "one");
        writeString(fs, new Path(S3.uri("tree/a/b/part-2")), "two");

        Path committed = new Path(S3.uri("tree/a/part-0"));
        assertThat(fs.rename(tmp, committed)).isTrue();
        assertThat(fs.exists(tmp)).isFalse();
        assertThat(readString(fs, committed)).isEqualTo("zero");

        FileStatus[] a = fs.listStatus(new Path(S3.uri("tree/a")));
        assertThat(a).extracting(s -> s.getPath().getName())
                .containsExactlyInAnyOrder("part-0", "part-1", "b");

        assertThat(fs.delete(new Path(S3.uri("tree")), true)).isTrue();
        assertThat(fs.exists(new Path(S3.uri("tree/a/b/part-2")))).isFalse();
        assertThat(fs.exists(new Path(S3.uri("tree")))).isFalse();
    }

    /** Task code of an in-JVM MiniCluster job writes to s3:// through the same static config. */
    @Test
    void miniClusterTasksWriteAndReadS3() throws Exception {
        S3.initializeFlinkFileSystems();
        String prefix = S3.uri("job").toString();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);

        List<String> written =
                env.fromData(0, 1, 2, 3)
                        .map(new WriteToS3(prefix))
                        .executeAndCollect("write-to-s3", 10);

        assertThat(written).hasSize(4);
        FileSystem fs = FileSystem.get(URI.create(prefix));
        FileStatus[] files = fs.listStatus(new Path(prefix));
        assertThat(files).extracting(s -> s.getPath().getName())
                .containsExactlyInAnyOrder("part-0", "part-1", "part-2", "part-3");
        assertThat(readString(fs, new Path(prefix + "/part-2"))).isEqualTo("record 2\n".repeat(1000));
        assertThat(fs.delete(new Path(prefix), true)).isTrue();
    }

    /**
     * Tasks of an in-JVM MiniCluster do NOT take S3 settings from the cluster's or the job's
     * Configuration: the MiniCluster never calls FileSystem.initialize (only the ClusterEntrypoint
     * and TaskManagerRunner processes do). Here the cluster has the right secret and the JVM-wide
     * FileSystem a wrong one: the task is refused, so it saw the JVM-wide one.
     */
    @Test
    void miniClusterTasksUseTheJvmWideFileSystemConfigurationNotTheClusters() throws Exception {
        Configuration wrong = S3.flinkConfig();
        wrong.setString("s3.secret-key", "not-the-secret");
        FileSystem.initialize(wrong, null);
        // the job's own configuration carries the right secret too
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(S3.flinkConfig());
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        String prefix = S3.uri("refused").toString();

        assertThatThrownBy(
                        () -> env.fromData(0).map(new WriteToS3(prefix)).executeAndCollect("refused", 1))
                .rootCause()
                .hasMessageContaining("403");
        assertThat(Files.exists(S3.dataDir().resolve(S3.bucket()).resolve("refused"))).isFalse();
    }

    /** Writes {@code PREFIX/part-N} from task code and reads it back. */
    private static final class WriteToS3 implements MapFunction<Integer, String> {
        private final String prefix;

        WriteToS3(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public String map(Integer n) throws Exception {
            Path path = new Path(prefix + "/part-" + n);
            FileSystem fs = path.getFileSystem();
            String content = ("record " + n + "\n").repeat(1000);
            writeString(fs, path, content);
            if (!readString(fs, path).equals(content)) {
                throw new IllegalStateException("read back something else from " + path);
            }
            return path.toString();
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * One of this S3A instance's own counters. Not {@code getStorageStatistics()}: S3A registers
     * that globally, under one name, so it shows the first S3A instance of the JVM.
     */
    private static long counter(org.apache.hadoop.fs.FileSystem fs, String name) {
        Long value = ((IOStatisticsSource) fs).getIOStatistics().counters().get(name);
        return value == null ? 0 : value;
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] readFully(FSDataInputStream in, int len) throws IOException {
        byte[] buf = new byte[len];
        int off = 0;
        while (off < len) {
            int n = in.read(buf, off, len - off);
            if (n < 0) {
                throw new IOException("EOF after " + off + " of " + len + " bytes");
            }
            off += n;
        }
        return buf;
    }

    static void writeString(FileSystem fs, Path path, String s) throws IOException {
        try (FSDataOutputStream out = fs.create(path, WriteMode.OVERWRITE)) {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    static String readString(FileSystem fs, Path path) throws IOException {
        try (FSDataInputStream in = fs.open(path)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
