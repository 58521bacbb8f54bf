package io.snapsync.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.snapsync.schema.Column;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The description of one complete cache version, written by the committer after every cache file is
 * closed and before the target transaction. Readers use only the files it lists, so stray files of
 * failed task attempts are ignored.
 */
public record CacheManifest(
        int format,
        String table,
        String version,
        long rowCount,
        String schemaFingerprint,
        List<Column> columns,
        List<String> keyColumns,
        List<FileEntry> files,
        String createdAt,
        Boolean sorted) {

    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One Parquet file of the version, relative to the version directory, with its row count, length and
     * CRC32C (hex) as written; {@code bytes}/{@code crc32c} are null in manifests of older snapsync versions.
     */
    public record FileEntry(String name, long rows, Long bytes, String crc32c, String firstKey, String lastKey) {
        public FileEntry(String name, long rows) {
            this(name, rows, null, null);
        }

        public FileEntry(String name, long rows, Long bytes, String crc32c) {
            this(name, rows, bytes, crc32c, null, null);
        }
    }

    /**
     * A manifest without {@code sorted} (older snapsync versions): its files are in no particular order.
     * {@code sorted} true means each file holds its rows in key order ({@code row.KeyOrder}), the files' key
     * ranges ({@code firstKey}/{@code lastKey}, canonical key bytes in Base64) do not overlap, and the next run
     * can merge a key range of it with the source's rows of that range.
     */
    public CacheManifest(int format, String table, String version, long rowCount, String schemaFingerprint, List<Column> columns,
                         List<String> keyColumns, List<FileEntry> files, String createdAt) {
        this(format, table, version, rowCount, schemaFingerprint, columns, keyColumns, files, createdAt, null);
    }

    /** True when the version's files are sorted by key with their key ranges recorded (see the constructor above). */
    public boolean isSorted() {
        return Boolean.TRUE.equals(sorted) && files.stream().allMatch(f -> f.firstKey() != null && f.lastKey() != null);
    }

    public void write(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        try (OutputStream out = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
            JSON.writeValue(out, this);
        }
    }

    /** Reads a manifest; a missing one is reported as such, because it means a lost cache version. */
    public static CacheManifest read(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        if (!fs.exists(path)) {
            throw new FileNotFoundException("cache manifest " + path + " does not exist");
        }
        try (InputStream in = fs.open(path)) {
            CacheManifest m = JSON.readValue(in, CacheManifest.class);
            if (m.format() != FORMAT) {
                throw new IOException("cache manifest " + path + " has format " + m.format() + ", this snapsync reads " + FORMAT);
            }
            return m;
        }
    }
}
