package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base file a layered version lists from an older version's directory is not checksummed whole every run; a file
 * put in its place from another version (same rows, so the same length and row count) must still be refused, by the
 * identity each file carries in its footer.
 */
class CacheFileIdentityTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));

    @TempDir
    Path tmp;

    /** Writes the same 100 rows as file {@code name} of {@code version}; returns its manifest entry. */
    private CacheManifest.FileEntry write(CacheLayout layout, String version, String name) throws Exception {
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(layout.versionDir("t", version), name);
        try (CacheFileWriter w = new CacheFileWriter(p, SCHEMA, CompressionCodecName.SNAPPY, 1 << 20)) {
            for (long id = 1; id <= 100; id++) {
                CanonicalRowWriter k = new CanonicalRowWriter();
                k.writeInteger(id);
                CanonicalRowWriter r = new CanonicalRowWriter();
                r.writeInteger(id);
                r.writeText("value " + id);
                byte[] row = r.toByteArray();
                long[] h = RowHash.hash(row);
                w.write(new SnapshotRow(Keys.fromBytes(k.toByteArray()), h[0], h[1], row));
            }
            w.close();
            return new CacheManifest.FileEntry(name, w.rows(), w.bytes(), w.checksum(), null, null, version, 0);
        }
    }

    /** Version 3 listing version 1's base file (as a layered version lists its base). */
    private static CacheManifest v3(CacheManifest.FileEntry base) {
        return new CacheManifest(CacheManifest.FORMAT, "t", "3", base.rows(), SCHEMA.fingerprint(), SCHEMA.columns(), SCHEMA.keyColumns(),
                List.of(base), "now");
    }

    @Test
    void aBaseFileReplacedByAnotherVersionsFileOfTheSameLengthIsRefused() throws Exception {
        CacheLayout layout = new CacheLayout(tmp.toUri().toString());
        CacheManifest.FileEntry base = write(layout, "1", "part-0.parquet");
        CacheManifest.FileEntry other = write(layout, "2", "part-0.parquet");
        assertThat(other.bytes()).as("same rows, same length").isEqualTo(base.bytes());
        assertThat(other.crc32c()).isNotEqualTo(base.crc32c());

        CacheIntegrity.verify(layout, v3(base), "t", "3", 100, SCHEMA.fingerprint()); // as written: passes

        Path v1 = Path.of(layout.versionDir("t", "1").toUri()).resolve("part-0.parquet");
        Files.copy(Path.of(layout.versionDir("t", "2").toUri()).resolve("part-0.parquet"), v1, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> CacheIntegrity.verify(layout, v3(base), "t", "3", 100, SCHEMA.fingerprint()))
                .isInstanceOf(CacheIntegrity.DamagedException.class)
                .hasMessageContaining("was written as t/v-2/part-0.parquet, not as this file")
                .hasMessageContaining("snapsync reconcile");
    }

    @Test
    void theIdentityIsTheFilesPlaceBelowTheCacheRoot() {
        assertThat(CacheIntegrity.identity(new org.apache.flink.core.fs.Path("s3://bucket/cache/public.t/v-20261201/part-3.parquet")))
                .isEqualTo("public.t/v-20261201/part-3.parquet");
    }
}
