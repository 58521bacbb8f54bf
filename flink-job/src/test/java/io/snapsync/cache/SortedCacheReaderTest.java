package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.KeyOrder;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SplitRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading sorted cache files key range by key range, from real Parquet files written by the cache writer's file class. */
class SortedCacheReaderTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));

    @TempDir
    Path tmp;

    private static String key(long id) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        return Keys.fromBytes(w.toByteArray());
    }

    private SortedCacheReader.FileRange file(String name, long from, long to) throws Exception {
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(tmp.resolve(name).toUri());
        try (CacheFileWriter w = new CacheFileWriter(p, SCHEMA, CompressionCodecName.SNAPPY, 1 << 20)) {
            for (long id = from; id <= to; id++) {
                CanonicalRowWriter r = new CanonicalRowWriter();
                r.writeInteger(id);
                r.writeText("v" + id);
                byte[] row = r.toByteArray();
                long[] h = RowHash.hash(row);
                w.write(new SnapshotRow(key(id), h[0], h[1], row));
            }
        }
        return new SortedCacheReader.FileRange(p.toString(), key(from), key(to));
    }

    private static List<Long> ids(Iterator<CacheEntry> it) {
        List<Long> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(KeyOrder.firstInteger(e.key)));
        return out;
    }

    @Test
    void rangesInAscendingOrderWalkTheFilesOnceAndALowerRangeStartsOver() throws Exception {
        List<SortedCacheReader.FileRange> files = List.of(file("b.parquet", 10, 19), file("a.parquet", -5, 4), file("c.parquet", 30, 34));
        try (SortedCacheReader r = new SortedCacheReader(files, new KeyOrder(SCHEMA), null, SCHEMA)) {
            assertThat(ids(r.range(new SplitRange(true, 0, false, 0)))).containsExactly(-5L, -4L, -3L, -2L, -1L);
            assertThat(ids(r.range(new SplitRange(false, 0, false, 12)))).containsExactly(0L, 1L, 2L, 3L, 4L, 10L, 11L);
            assertThat(ids(r.range(new SplitRange(false, 12, false, 30)))).containsExactly(12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
            assertThat(ids(r.range(new SplitRange(false, 30, true, 0)))).containsExactly(30L, 31L, 32L, 33L, 34L);
            // a range below what was walked (a split read again after a failure): the walk starts over
            assertThat(ids(r.range(new SplitRange(false, 2, false, 11)))).containsExactly(2L, 3L, 4L, 10L);
            assertThat(ids(r.range(SplitRange.ALL))).hasSize(25);
        }
    }

    @Test
    void disjointOnlyWhenNoTwoFilesOverlapAndEveryFileHasARange() {
        CacheManifest.FileEntry a = entry("a", 1, 10);
        CacheManifest.FileEntry b = entry("b", 11, 20);
        assertThat(SortedCacheReader.disjoint(List.of(b, a), SCHEMA)).isTrue();
        assertThat(SortedCacheReader.disjoint(List.of(a, entry("c", 10, 12)), SCHEMA)).as("10 in both").isFalse();
        assertThat(SortedCacheReader.disjoint(List.of(a, new CacheManifest.FileEntry("d", 1, 1L, "0")), SCHEMA)).isFalse();
        assertThat(SortedCacheReader.disjoint(List.of(), SCHEMA)).isTrue();
        TableSchema jsonKey = new TableSchema(List.of(new Column("f", ColumnType.JSON, "jsonb", 0, 0, 0, false)), List.of("f"));
        assertThat(SortedCacheReader.disjoint(List.of(), jsonKey)).as("json keys are ordered by their text").isTrue();
    }

    private static CacheManifest.FileEntry entry(String name, long first, long last) {
        return new CacheManifest.FileEntry(name, last - first + 1, 1L, "0", SortedCacheReader.encodeKey(key(first)),
                SortedCacheReader.encodeKey(key(last)));
    }
}
