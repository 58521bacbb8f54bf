package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key and hash columns read from real Parquet files: the cache writer's own (PLAIN pages, decoded directly;
 * several row groups, several pages per row group) and files written with other encodings (a dictionary; the
 * version-2 writer's delta encodings), which take parquet-java's column readers. Both must give every entry in order.
 */
class KeyHashReaderTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(
            new Column("k", ColumnType.TEXT, "text", 0, 0, 0, false),
            new Column("v", ColumnType.INTEGER, "bigint", 8, 0, 0, true)), List.of("k"));

    @TempDir
    Path tmp;

    /** Keys of varying length (so values straddle page boundaries at different offsets), ascending. */
    private static List<SnapshotRow> rows(int n) {
        List<SnapshotRow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CanonicalRowWriter k = new CanonicalRowWriter();
            k.writeText(String.format("%08d", i) + "x".repeat(i % 37));
            CanonicalRowWriter r = new CanonicalRowWriter();
            r.writeText(String.format("%08d", i) + "x".repeat(i % 37));
            r.writeInteger(i * 31L);
            byte[] row = r.toByteArray();
            long[] h = RowHash.hash(row);
            out.add(new SnapshotRow(Keys.fromBytes(k.toByteArray()), h[0], h[1], row));
        }
        return out;
    }

    private static List<CacheEntry> read(Path file, boolean direct) throws Exception {
        List<CacheEntry> out = new ArrayList<>();
        try (KeyHashReader r = new KeyHashReader(new LocalInputFile(file))) {
            assertThat(r.decodesPages()).as("pages decoded directly").isEqualTo(direct);
            for (CacheEntry e = r.read(); e != null; e = r.read()) {
                out.add(e);
            }
            assertThat(r.read()).isNull();
        }
        return out;
    }

    private static void assertSame(List<CacheEntry> read, List<SnapshotRow> written) {
        assertThat(read).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            SnapshotRow w = written.get(i);
            CacheEntry e = read.get(i);
            assertThat(e.key).as("key %d", i).isEqualTo(w.key);
            assertThat(e.hashHi).as("hash %d", i).isEqualTo(w.hashHi);
            assertThat(e.hashLo).as("hash %d", i).isEqualTo(w.hashLo);
        }
    }

    private Path cacheFile(String name, List<SnapshotRow> rows, int rowGroupBytes) throws Exception {
        Path p = tmp.resolve(name);
        try (CacheFileWriter w = new CacheFileWriter(new org.apache.flink.core.fs.Path(p.toUri()), SCHEMA, CompressionCodecName.SNAPPY, rowGroupBytes)) {
            for (SnapshotRow r : rows) {
                w.write(r);
            }
        }
        return p;
    }

    @Test
    void theCacheWritersFilesAcrossRowGroupsAndPages() throws Exception {
        List<SnapshotRow> rows = rows(120_000);
        // one large row group: the key column (~5 MB) spans several 1 MB pages, the hash column (~2 MB) others
        assertSame(read(cacheFile("one-group.parquet", rows, 128 << 20), true), rows);
        // many small row groups, each with its own first page
        assertSame(read(cacheFile("many-groups.parquet", rows, 256 << 10), true), rows);
        // an empty file (a split with no rows)
        assertThat(read(cacheFile("empty.parquet", List.of(), 1 << 20), true)).isEmpty();
    }

    private Path otherWriter(String name, List<SnapshotRow> rows, boolean dictionary, ParquetProperties.WriterVersion version) throws Exception {
        Path p = tmp.resolve(name);
        SimpleGroupFactory groups = new SimpleGroupFactory(CacheParquetSchema.keyAndHash());
        try (ParquetWriter<org.apache.parquet.example.data.Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p))
                .withConf(new PlainParquetConfiguration())
                .withType(CacheParquetSchema.keyAndHash())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withDictionaryEncoding(dictionary)
                .withWriterVersion(version)
                .withPageWriteChecksumEnabled(true)
                .build()) {
            for (SnapshotRow r : rows) {
                byte[] hash = java.nio.ByteBuffer.allocate(16).putLong(r.hashHi).putLong(r.hashLo).array();
                w.write(groups.newGroup()
                        .append(CacheParquetSchema.KEY, Binary.fromConstantByteArray(Keys.toBytes(r.key)))
                        .append(CacheParquetSchema.HASH, Binary.fromConstantByteArray(hash)));
            }
        }
        return p;
    }

    @Test
    void filesInOtherEncodingsTakeParquetsColumnReadersWithTheSameResult() throws Exception {
        List<SnapshotRow> rows = rows(30_000);
        // a dictionary gives up on unique values after its first page: repeated keys and hashes keep one (this reader
        // does not check uniqueness; the merge does)
        List<SnapshotRow> repeated = rows.stream().map(r -> new SnapshotRow(r.key.substring(0, 12), 1, 7, r.row)).toList();
        assertSame(read(otherWriter("dictionary.parquet", repeated, true, ParquetProperties.WriterVersion.PARQUET_2_0), false), repeated);
        assertSame(read(otherWriter("v2-delta.parquet", rows, false, ParquetProperties.WriterVersion.PARQUET_2_0), false), rows);
        // another writer's PLAIN pages without a dictionary: decoded directly
        assertSame(read(otherWriter("v1-plain.parquet", rows, false, ParquetProperties.WriterVersion.PARQUET_1_0), true), rows);
    }
}
