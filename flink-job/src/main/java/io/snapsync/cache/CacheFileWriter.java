package io.snapsync.cache;

import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import java.io.Closeable;
import java.io.IOException;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/** Writes one Parquet cache file through Flink's FileSystem (local, S3, ...). */
public final class CacheFileWriter implements Closeable {
    static final int DICTIONARY_PAGE_BYTES = 64 * 1024;
    private final FSDataOutputStream stream;
    private final ParquetWriter<SnapshotRow> writer;
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    /** Bytes that went through {@link #digest}: the file's length (the stream is closed by Parquet, so no getPos after). */
    private long written;
    private final java.util.zip.Checksum digest = new java.util.zip.Checksum() {
        @Override
        public void update(int b) {
            crc.update(b);
            written++;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
            written += len;
        }

        @Override
        public long getValue() {
            return crc.getValue();
        }

        @Override
        public void reset() {
            crc.reset();
            written = 0;
        }
    };
    private long rows;
    private long bytes = -1;

    public CacheFileWriter(Path path, TableSchema schema, CompressionCodecName codec, int rowGroupBytes) throws IOException {
        HadoopClasses.require(); // before any Parquet class needs Hadoop's
        ParquetCodecs.pin();
        this.stream = path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE);
        OutputFile out = FlinkParquetFiles.output(stream, digest);
        this.writer = new Builder(out, schema, CacheIntegrity.identity(path))
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(codec)
                .withRowGroupSize((long) rowGroupBytes)
                // nothing reads min/max or size statistics (the cache is read whole or by column, never filtered),
                // and key and hash are unique: a dictionary for them is built only to be abandoned
                .withStatisticsEnabled(false)
                .withSizeStatisticsEnabled(false)
                .withDictionaryEncoding(CacheParquetSchema.KEY, false)
                .withDictionaryEncoding(CacheParquetSchema.HASH, false)
                // a column falls back to plain encoding once its dictionary outgrows this; at 64 KB instead of the
                // page size (1 MB) a column of many distinct values (ids, prices, comments) stops hashing every value
                // into a dictionary it then drops: ~10% less CPU per row written, 3% larger files (lineitem-shaped rows)
                .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
                .build();
    }

    private static final class Builder extends ParquetWriter.Builder<SnapshotRow, Builder> {
        private final TableSchema schema;
        private final String identity;

        Builder(OutputFile out, TableSchema schema, String identity) {
            super(out);
            this.schema = schema;
            this.identity = identity;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<SnapshotRow> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new CacheRowWriteSupport(schema, identity);
        }

        @Override
        protected WriteSupport<SnapshotRow> getWriteSupport(org.apache.parquet.conf.ParquetConfiguration conf) {
            return new CacheRowWriteSupport(schema, identity);
        }
    }

    public void write(SnapshotRow row) throws IOException {
        writer.write(row);
        rows++;
    }

    public long rows() {
        return rows;
    }

    /** Closes the Parquet writer (footer) and the stream; on S3 the object becomes visible here. */
    @Override
    public void close() throws IOException {
        try {
            writer.close();
            bytes = written;
        } finally {
            stream.close();
        }
    }

    /** The file's length once closed (-1 before). */
    public long bytes() {
        return bytes;
    }

    /** CRC32C of every byte of the file, as hex, once closed: computed while writing. */
    public String checksum() {
        return CacheIntegrity.hex(crc.getValue());
    }
}
