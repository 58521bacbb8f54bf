package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
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

    @Override
    public Reader<CacheEntry> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
            throws IOException {
        ParquetCodecs.pin();
        InputFile file = FlinkParquetFiles.input(stream, fileLen);
        ParquetReader<CacheEntry> reader = new ParquetReader.Builder<CacheEntry>(file, new PlainParquetConfiguration()) {
            @Override
            protected ReadSupport<CacheEntry> getReadSupport() {
                return new CacheEntryReadSupport();
            }
        }.build();
        return new Reader<>() {
            @Override
            public CacheEntry read() throws IOException {
                return reader.read();
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
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
