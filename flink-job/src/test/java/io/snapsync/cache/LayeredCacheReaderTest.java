package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.KeyOrder;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base plus change layers read as one version, from real Parquet files written by the cache writer's file
 * class: the newest layer holding a key wins, a tombstone removes it, a key deleted and inserted again is back.
 */
class LayeredCacheReaderTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
    private static final KeyOrder ORDER = new KeyOrder(SCHEMA);

    @TempDir
    Path tmp;

    private static String key(long id) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        return Keys.fromBytes(w.toByteArray());
    }

    private static long[] hash(long id, String v) {
        CanonicalRowWriter r = new CanonicalRowWriter();
        r.writeInteger(id);
        r.writeText(v);
        return RowHash.hash(r.toByteArray());
    }

    /** Writes a file of {@code layer}: value "D" is a tombstone, anything else the row (id, value). */
    private SortedCacheReader.FileRange file(String name, int layer, Map<Long, String> rows) throws Exception {
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(tmp.resolve(name).toUri());
        try (CacheFileWriter w = new CacheFileWriter(p, SCHEMA, CompressionCodecName.SNAPPY, 1 << 20)) {
            for (Map.Entry<Long, String> e : rows.entrySet()) {
                if (e.getValue().equals("D")) {
                    w.write(new SnapshotRow(key(e.getKey()), 0, 0, null));
                } else {
                    CanonicalRowWriter r = new CanonicalRowWriter();
                    r.writeInteger(e.getKey());
                    r.writeText(e.getValue());
                    byte[] row = r.toByteArray();
                    long[] h = RowHash.hash(row);
                    w.write(new SnapshotRow(key(e.getKey()), h[0], h[1], row));
                }
            }
        }
        List<Long> ids = new ArrayList<>(rows.keySet());
        return new SortedCacheReader.FileRange(p.toString(), key(ids.get(0)), key(ids.get(ids.size() - 1)), layer);
    }

    private static Map<Long, String> rows(Object... idValue) {
        Map<Long, String> m = new LinkedHashMap<>();
        for (int i = 0; i < idValue.length; i += 2) {
            m.put(((Number) idValue[i]).longValue(), (String) idValue[i + 1]);
        }
        return m;
    }

    private static Map<Long, long[]> read(Iterator<CacheEntry> it) {
        Map<Long, long[]> out = new LinkedHashMap<>();
        it.forEachRemaining(e -> out.put(KeyOrder.firstInteger(e.key), new long[] {e.hashHi, e.hashLo}));
        return out;
    }

    @Test
    void newestLayerWinsTombstonesRemoveAndEveryRangeIsMergedInOrder() throws Exception {
        List<SortedCacheReader.FileRange> files = List.of(
                // the base: two files (two subtasks' ranges)
                file("base-0.parquet", 0, rows(1, "a", 2, "b", 3, "c", 4, "d")),
                file("base-1.parquet", 0, rows(10, "j", 11, "k", 12, "l")),
                // layer 1: 2 updated, 3 deleted, 5 inserted, 11 deleted
                file("l1-0.parquet", 1, rows(2, "B", 3, "D", 5, "e")),
                file("l1-1.parquet", 1, rows(11, "D")),
                // layer 2: 3 inserted again, 5 deleted, 2 updated again
                file("l2-0.parquet", 2, rows(2, "BB", 3, "cc", 5, "D")));
        try (LayeredCacheReader r = new LayeredCacheReader(files, ORDER, null, SCHEMA)) {
            Map<Long, long[]> low = read(r.range(new SplitRange(true, 0, false, 10)));
            assertThat(low.keySet()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(low.get(1L)).containsExactly(hash(1, "a"));
            assertThat(low.get(2L)).as("layer 2's update wins over layer 1's and the base's").containsExactly(hash(2, "BB"));
            assertThat(low.get(3L)).as("deleted in layer 1, inserted again in layer 2").containsExactly(hash(3, "cc"));
            Map<Long, long[]> high = read(r.range(new SplitRange(false, 10, true, 0)));
            assertThat(high.keySet()).as("11 deleted in layer 1").containsExactly(10L, 12L);
            // the whole version again (a range below what was walked starts every layer over)
            assertThat(read(r.range(SplitRange.ALL)).keySet()).containsExactly(1L, 2L, 3L, 4L, 10L, 12L);
        }
    }

    @Test
    void aTombstoneKeepsItsMarkWhenTheLayerIsReHashedUnderANewSchema() throws Exception {
        TableSchema before = new TableSchema(List.of(
                new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
                new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
        TableSchema now = new TableSchema(List.of(
                new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
                new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true),
                new Column("w", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
        List<SortedCacheReader.FileRange> files = List.of(
                file("base.parquet", 0, rows(1, "a", 2, "b")),
                file("l1.parquet", 1, rows(1, "D", 3, "c")));
        try (LayeredCacheReader r = new LayeredCacheReader(files, new KeyOrder(now), before, now)) {
            Map<Long, long[]> all = read(r.range(SplitRange.ALL));
            assertThat(all.keySet()).containsExactly(2L, 3L);
            assertThat(all.get(2L)).as("re-hashed under the new schema").doesNotContain(hash(2, "b")[0]);
        }
    }

    @Test
    void anInputOutOfOrderMakesTheMergedSequenceDescendForTheDiffToRefuse() {
        List<Iterator<CacheEntry>> inputs = List.of(
                List.of(new CacheEntry(key(1), 1, 1), new CacheEntry(key(4), 1, 1)).iterator(),
                List.of(new CacheEntry(key(5), 2, 2), new CacheEntry(key(3), 2, 2)).iterator());
        List<Long> ids = new ArrayList<>();
        LayeredCacheReader.merge(inputs, ORDER).forEachRemaining(e -> ids.add(KeyOrder.firstInteger(e.key)));
        assertThat(ids).containsExactly(1L, 4L, 5L, 3L);
    }
}
