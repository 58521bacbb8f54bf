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
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;

/**
 * Reads the files of one UNLOAD for Flink's FileSource, one whole file per split (Parquet needs its footer first),
 * and checks each against its manifest entry: the size before reading, the row count after. A mismatch fails the
 * table (see {@link FileReader}) before the target is touched.
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
            return new FileReader(path, "file " + path + " is not in the UNLOAD manifest; nothing applied");
        }
        if (entry.contentLength() >= 0 && entry.contentLength() != split.fileSize()) {
            return new FileReader(path, "UNLOAD file " + path + " has " + split.fileSize() + " bytes but the manifest says "
                    + entry.contentLength() + "; nothing applied");
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
            return new FileReader(path, "UNLOAD file " + path + ": " + e.getMessage()); // a column it cannot read faithfully
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

    /**
     * Reads one file in batches. What the data itself gets wrong (bad data, a file that disagrees with the manifest,
     * a column that cannot be read faithfully) is not thrown: a retry would read the same bytes. It becomes one
     * {@link SnapshotRow#error} row, which the table's committer turns into the table's failure, before the target is
     * touched, while the other tables of the run carry on.
     */
    private static final class FileReader implements Reader<SnapshotRow> {
        private final String path;
        private final long expected;
        private final ParquetReader<SnapshotRow> reader;
        private final FSDataInputStream in;
        private String error;
        private long rows;
        private boolean done;

        FileReader(String path, long expected, ParquetReader<SnapshotRow> reader, FSDataInputStream in) {
            this.path = path;
            this.expected = expected;
            this.reader = reader;
            this.in = in;
        }

        /** A file refused before reading: it yields only the error. */
        FileReader(String path, String error) {
            this(path, -1, null, null);
            this.error = error;
            this.done = true;
        }

        @Override
        public BulkFormat.RecordIterator<SnapshotRow> readBatch() throws IOException {
            if (error != null) {
                SnapshotRow e = SnapshotRow.error(error);
                error = null;
                return batch(new SnapshotRow[] {e}, 1);
            }
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
                done = true;
                error = e.getMessage();
            } catch (IllegalArgumentException | ArithmeticException e) {
                done = true;
                error = "UNLOAD file " + path + ": " + e.getMessage() + "; nothing applied";
            }
            rows += n;
            if (done && error == null && expected >= 0 && rows != expected) {
                error = "UNLOAD file " + path + " has " + rows + " rows but the manifest says " + expected + "; nothing applied";
            }
            if (n == 0) {
                return readBatch();
            }
            return batch(batch, n);
        }

        private BulkFormat.RecordIterator<SnapshotRow> batch(SnapshotRow[] records, int n) {
            ArrayResultIterator<SnapshotRow> it = new ArrayResultIterator<>();
            it.set(records, n, -1, 0);
            return it;
        }

        @Override
        public void close() throws IOException {
            try {
                if (reader != null) {
                    reader.close();
                }
            } finally {
                if (in != null) {
                    in.close();
                }
            }
        }
    }

    /** For tests and messages. */
    Map<String, UnloadManifest.Entry> entries() {
        return entries;
    }
}
