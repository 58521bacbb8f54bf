package io.snapsync.unload;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.sort.ExternalRowSorter;
import io.snapsync.source.SplitRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bucket through {@link UnloadBucketSource.BucketSort}: the marker first, the rows in key order through real run
 * files, and what goes wrong (an error row from the file reader, a spill that cannot be written or read back) ends the
 * bucket with one error row, its run files deleted, so the merge fails the table and not the job.
 */
class UnloadBucketSortTest {
    @TempDir
    Path dir;

    private static final UnloadBuckets.Bucket BUCKET = new UnloadBuckets.Bucket(3, SplitRange.ALL, List.of());

    private UnloadBucketSource.BucketSort sort(Path spillDir, long budget) {
        return new UnloadBucketSource.BucketSort(BUCKET, new ExternalRowSorter(ExternalRowSorter.byKey(new KeyOrder(UnloadBucketsTest.SCHEMA)),
                budget, UnloadBuckets::heldBytes, spillDir, "snapsync-unload-bucket3-subtask0"), spillDir);
    }

    private static SnapshotRow row(long k) {
        return new SnapshotRow(UnloadBucketsTest.key(k), k, 0, new byte[40]);
    }

    private static List<SnapshotRow> drain(Iterator<SnapshotRow> it) {
        List<SnapshotRow> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static String message(SnapshotRow r) {
        return new String(r.row, StandardCharsets.UTF_8);
    }

    @Test
    void theMarkerThenTheRowsInKeyOrderThroughRunFiles() throws IOException {
        UnloadBucketSource.BucketSort s = sort(dir, 10 * UnloadBuckets.heldBytes(row(0)));
        for (long k = 500; k > 0; k--) {
            assertThat(s.add(row(k * 7 % 501))).isTrue();
        }
        assertThat(s.sorter.runs()).isGreaterThan(40);
        List<SnapshotRow> out = drain(s.rows());
        assertThat(SplitRange.ofMarker(out.get(0))).isEqualTo(SplitRange.ALL);
        assertThat(out.subList(1, out.size())).extracting(r -> r.hashHi).isSorted().hasSize(500);
        assertThat(files()).isEmpty();
    }

    @Test
    void anErrorRowEndsTheBucketAndDeletesItsRuns() throws IOException {
        UnloadBucketSource.BucketSort s = sort(dir, 10 * UnloadBuckets.heldBytes(row(0)));
        for (long k = 0; k < 100; k++) {
            s.add(row(k));
        }
        assertThat(files()).isNotEmpty();
        assertThat(s.add(SnapshotRow.error("bad value"))).isFalse();
        List<SnapshotRow> out = drain(s.rows());
        assertThat(out).hasSize(2);
        assertThat(out.get(0).has(SnapshotRow.SPLIT)).isTrue();
        assertThat(message(out.get(1))).isEqualTo("bad value");
        assertThat(files()).isEmpty();
    }

    @Test
    void aSpillThatCannotBeWrittenFailsTheTableNotTheJob() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        UnloadBucketSource.BucketSort s = sort(notADirectory, 10 * UnloadBuckets.heldBytes(row(0)));
        boolean more = true;
        for (long k = 0; k < 100 && more; k++) {
            more = s.add(row(k));
        }
        assertThat(more).isFalse();
        List<SnapshotRow> out = drain(s.rows());
        assertThat(out).hasSize(2);
        assertThat(out.get(1).has(SnapshotRow.ERROR)).isTrue();
        assertThat(message(out.get(1))).startsWith("sorting UNLOAD key-range bucket 3 [-inf, +inf) through run files in " + notADirectory + " failed")
                .endsWith("nothing applied");
        assertThat(files()).containsExactly(notADirectory);
    }

    @Test
    void aRunThatCannotBeReadBackEndsTheBucketWithAnErrorRow() throws IOException {
        UnloadBucketSource.BucketSort s = sort(dir, 100 * UnloadBuckets.heldBytes(row(0)));
        for (long k = 0; k < 1000; k++) {
            s.add(row(k));
        }
        for (Path run : files()) {
            byte[] bytes = Files.readAllBytes(run);
            Files.write(run, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        }
        List<SnapshotRow> out = drain(s.rows());
        assertThat(out.get(0).has(SnapshotRow.SPLIT)).isTrue();
        SnapshotRow last = out.get(out.size() - 1);
        assertThat(last.has(SnapshotRow.ERROR)).isTrue();
        assertThat(message(last)).contains("sorting UNLOAD key-range bucket 3").contains("sort run");
        assertThat(out.subList(1, out.size() - 1)).noneMatch(r -> r.has(SnapshotRow.ERROR));
        assertThat(files()).isEmpty();
    }
}
