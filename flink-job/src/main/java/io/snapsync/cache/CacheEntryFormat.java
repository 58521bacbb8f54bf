package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
import io.snapsync.schema.TableSchema;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.InputFile;

/**
 * Reads a cache file's key and hash columns for Flink's {@code FileSource}: one file per split, since
 * Parquet needs the footer first. Parquet's column projection means the full row columns are never
 * read from storage.
 */
public final class CacheEntryFormat implements StreamFormat<CacheEntry> {
    /** Set when the files were written under an older schema: rows are re-hashed under {@link #now}. */
    private final TableSchema before;
    private final TableSchema now;

    /** Key and hash as stored (the cache was written under the current schema). */
    public CacheEntryFormat() {
        this(null, null);
    }

    /** Full rows written under {@code before}, re-hashed as the current schema {@code now} encodes them. */
    public CacheEntryFormat(TableSchema before, TableSchema now) {
        this.before = before;
        this.now = now;
    }

    @Override
    public Reader<CacheEntry> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
            throws IOException {
        HadoopClasses.require(); // before any Parquet class needs Hadoop's
        ParquetCodecs.pin();
        EntryReader reader = open(FlinkParquetFiles.input(stream, fileLen), before, now);
        return new Reader<>() {
            @Override
            public CacheEntry read() throws IOException {
                return CacheEntryFormat.read(reader, null);
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    /** One cache file's entries, in file order; null at the end. */
    interface EntryReader extends java.io.Closeable {
        CacheEntry read() throws IOException;
    }

    /**
     * Key and hash of one cache file ({@code before} null: its two columns read directly, {@link KeyHashReader}),
     * or its full rows re-hashed from {@code before} to {@code now} (record assembly). Pages are verified against
     * their CRC32C either way: the pages read are the ones checked (see CacheIntegrity).
     */
    static EntryReader open(InputFile file, TableSchema before, TableSchema now) throws IOException {
        HadoopClasses.require(); // before any Parquet class needs Hadoop's
        ParquetCodecs.pin();
        try {
            if (before == null) {
                return new KeyHashReader(file);
            }
            ParquetReader<CacheEntry> rows = new ParquetReader.Builder<CacheEntry>(file, new PlainParquetConfiguration()) {
                @Override
                protected ReadSupport<CacheEntry> getReadSupport() {
                    return new RehashReadSupport(before, now);
                }
            }.usePageChecksumVerification(true).build();
            return new EntryReader() {
                @Override
                public CacheEntry read() throws IOException {
                    return rows.read();
                }

                @Override
                public void close() throws IOException {
                    rows.close();
                }
            };
        } catch (IOException | RuntimeException e) {
            // the planner checked every file; this one changed since: no cause chained, so this line is the one reported
            throw new IOException("the cache is damaged: a file of the previous cache version is not a readable Parquet file ("
                    + String.valueOf(e.getMessage()).replaceAll("\\S+@[0-9a-f]+", "the file")
                    + "); run `snapsync reconcile` to diff against the live target and write a fresh cache");
        }
    }

    /**
     * The next entry, or null at the end; a page whose bytes do not match its recorded CRC32C (or that cannot
     * be decoded) fails with the damaged-cache line naming the file ({@code path}, when known).
     */
    static CacheEntry read(EntryReader reader, String path) throws IOException {
        try {
            return reader.read();
        } catch (IOException | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // no cause chained: this line is the one reported
            throw new IOException("the cache is damaged: " + (path == null ? "a file of the previous cache version" : "file " + path) + " cannot be read ("
                    + String.valueOf(root.getMessage()).replaceAll("\\S+@[0-9a-f]+", "the file")
                    + "); run `snapsync reconcile` to diff against the live target and write a fresh cache");
        }
    }

    @Override
    public Reader<CacheEntry> restoreReader(Configuration config, FSDataInputStream stream, long restoredOffset, long fileLen, long splitEnd)
            throws IOException {
        // a bounded batch read never checkpoints a position inside a file
        throw new UnsupportedOperationException("cache files are read whole; no mid-file restore");
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<CacheEntry> getProducedType() {
        return TypeInformation.of(CacheEntry.class);
    }
}
