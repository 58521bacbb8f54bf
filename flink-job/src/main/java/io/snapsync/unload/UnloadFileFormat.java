package io.snapsync.unload;

import io.snapsync.cache.FlinkParquetFiles;
import io.snapsync.cache.ParquetCodecs;
import io.snapsync.row.BadDataException;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;

/**
 * Reads the files of one UNLOAD for Flink's FileSource, one whole file per split (Parquet needs its footer first),
 * and checks each against its manifest entry: the size before reading, the row count after. A mismatch fails the
 * run without retries (a retry would read the same files) before the target is touched.
 */
public final class UnloadFileFormat implements BulkFormat<SnapshotRow, FileSourceSplit> {
    private static final int BATCH = 256;

    private final TableSchema schema;
    private final EncoderOptions options;
    private final HashMap<String, UnloadManifest.Entry> entries = new HashMap<>();

    public UnloadFileFormat(TableSchema schema, EncoderOptions options, Iterable<UnloadManifest.Entry> files) {
        this.schema = schema;
        this.options = options;
        for (UnloadManifest.Entry e : files) {
            entries.put(new org.apache.flink.core.fs.Path(e.url()).toString(), e);
        }
    }

    @Override
    public Reader<SnapshotRow> createReader(Configuration config, FileSourceSplit split) throws IOException {
        String path = split.path().toString();
        UnloadManifest.Entry entry = entries.get(path);
        if (entry == null) {
            throw new SuppressRestartsException(new IllegalStateException("file " + path + " is not in the UNLOAD manifest"));
        }
        if (entry.contentLength() >= 0 && entry.contentLength() != split.fileSize()) {
            throw new SuppressRestartsException(new IllegalStateException("UNLOAD file " + path + " has " + split.fileSize()
                    + " bytes but the manifest says " + entry.contentLength() + "; nothing applied"));
        }
        ParquetCodecs.pin();
        FSDataInputStream in = split.path().getFileSystem().open(split.path());
        ParquetReader<SnapshotRow> reader;
        try {
            reader = new ParquetReader.Builder<SnapshotRow>(FlinkParquetFiles.input(in, split.fileSize()), new PlainParquetConfiguration()) {
                @Override
                protected ReadSupport<SnapshotRow> getReadSupport() {
                    return new UnloadReadSupport(schema, options);
                }
            }.build();
        } catch (IllegalStateException e) {
            in.close();
            throw new SuppressRestartsException(new IllegalStateException(path + ": " + e.getMessage(), e));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return new FileReader(path, entry.recordCount(), reader, in);
    }

    @Override
    public Reader<SnapshotRow> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return createReader(config, split); // batch: a split is always read from its start
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<SnapshotRow> getProducedType() {
        return TypeInformation.of(SnapshotRow.class);
    }

    private static final class FileReader implements Reader<SnapshotRow> {
        private final String path;
        private final long expected;
        private final ParquetReader<SnapshotRow> reader;
        private final FSDataInputStream in;
        private long rows;
        private boolean done;

        FileReader(String path, long expected, ParquetReader<SnapshotRow> reader, FSDataInputStream in) {
            this.path = path;
            this.expected = expected;
            this.reader = reader;
            this.in = in;
        }

        @Override
        public BulkFormat.RecordIterator<SnapshotRow> readBatch() throws IOException {
            if (done) {
                return null;
            }
            SnapshotRow[] batch = new SnapshotRow[BATCH];
            int n = 0;
            try {
                while (n < BATCH) {
                    SnapshotRow r = reader.read();
                    if (r == null) {
                        done = true;
                        break;
                    }
                    batch[n++] = r;
                }
            } catch (BadDataException e) {
                throw new SuppressRestartsException(e); // bad data: a retry would read the same row
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new SuppressRestartsException(new IllegalStateException("UNLOAD file " + path + ": " + e.getMessage(), e));
            }
            rows += n;
            if (done && expected >= 0 && rows != expected) {
                throw new SuppressRestartsException(new IllegalStateException("UNLOAD file " + path + " has " + rows
                        + " rows but the manifest says " + expected + "; nothing applied"));
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<SnapshotRow> it = new ArrayResultIterator<>();
            it.set(batch, n, -1, rows - n);
            return it;
        }

        @Override
        public void close() throws IOException {
            try {
                reader.close();
            } finally {
                in.close();
            }
        }
    }

    /** For tests and messages. */
    Map<String, UnloadManifest.Entry> entries() {
        return entries;
    }
}
