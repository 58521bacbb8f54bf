package io.snapsync.unload;

import io.snapsync.fault.CommitHook;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import io.snapsync.sort.ExternalRowSorter;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.RangeSplitAssigner;
import io.snapsync.source.SequentialSplitReader;
import io.snapsync.source.SplitRange;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bucketed UNLOAD read for the ordered diff: one split per key-range bucket ({@link UnloadBuckets}), assigned as the
 * JDBC ordered read assigns its range splits ({@link RangeSplitAssigner}: contiguous buckets per subtask, lowest first).
 * A bucket's files (in no order: UNLOAD's slices write in parallel) are read whole through {@link UnloadFileFormat}
 * (the same checks against the manifest, the same row encoder), its rows sorted by {@link KeyOrder} (in memory up to
 * {@code source.unload.max-bucket-mb}, beyond it through sorted run files in the job's spill directory, see
 * {@link ExternalRowSorter}), then emitted behind the bucket's range marker ({@link SplitRange#marker}) in key order,
 * exactly what an ordered JDBC split emits. A table whose first key column is not bucketed is one bucket of range
 * {@link SplitRange#ALL} (the whole table, sorted externally). Like the JDBC reader, a bucket
 * that has emitted {@link CommitHook#AFTER_ROWS} rows reaches {@link CommitHook.Point#SOURCE_READ} (tests inject a
 * failure there; production passes {@link CommitHook#NONE}).
 */
public final class UnloadBucketSource implements Source<SnapshotRow, UnloadBucketSource.BucketSplit, Collection<UnloadBucketSource.BucketSplit>>,
        ResultTypeQueryable<SnapshotRow> {
    private static final Logger LOG = LoggerFactory.getLogger(UnloadBucketSource.class);

    private final TableSchema schema;
    private final EncoderOptions options;
    private final List<UnloadBuckets.Bucket> buckets;
    private final long budget;
    private final CommitHook hook;

    /**
     * @param budget the rows of a bucket held in memory (by {@link UnloadBuckets#heldBytes}) before the rest spills to run files
     * @param hook test-only fault injection at {@link CommitHook.Point#SOURCE_READ}
     */
    public UnloadBucketSource(TableSchema schema, EncoderOptions options, List<UnloadBuckets.Bucket> buckets, long budget,
                              CommitHook hook) {
        this.schema = schema;
        this.options = options;
        this.buckets = List.copyOf(buckets);
        this.budget = budget;
        this.hook = hook;
    }

    /** One bucket: its index among the buckets (ascending with its key range) and its files. */
    public record BucketSplit(UnloadBuckets.Bucket bucket) implements SourceSplit, RangeSplitAssigner.Indexed, Serializable {
        @Override
        public String splitId() {
            return Integer.toString(bucket.index());
        }

        @Override
        public int index() {
            return bucket.index();
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SplitEnumerator<BucketSplit, Collection<BucketSplit>> createEnumerator(SplitEnumeratorContext<BucketSplit> context) {
        return new RangeSplitAssigner<>(context, buckets.stream().map(BucketSplit::new).toList());
    }

    @Override
    public SplitEnumerator<BucketSplit, Collection<BucketSplit>> restoreEnumerator(SplitEnumeratorContext<BucketSplit> context,
                                                                                  Collection<BucketSplit> checkpoint) {
        return new RangeSplitAssigner<>(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<BucketSplit> getSplitSerializer() {
        return new JdbcSnapshotSource.JavaSerializer<>();
    }

    @Override
    public SimpleVersionedSerializer<Collection<BucketSplit>> getEnumeratorCheckpointSerializer() {
        return new JdbcSnapshotSource.JavaSerializer<>();
    }

    @Override
    public SourceReader<SnapshotRow, BucketSplit> createReader(SourceReaderContext context) {
        return new Reader(context, new UnloadFileFormat(schema, options, buckets.stream().flatMap(b -> b.files().stream()).toList()),
                new KeyOrder(schema), budget, hook);
    }

    @Override
    public TypeInformation<SnapshotRow> getProducedType() {
        return TypeInformation.of(SnapshotRow.class);
    }

    /**
     * The bucket's rows, reaching {@link CommitHook.Point#SOURCE_READ} once {@link CommitHook#AFTER_ROWS} of them (the
     * marker not counted) are emitted and before the next is: where the JDBC reader reaches it in a split, so that a
     * failure there leaves part of a bucket downstream, as a failing read would.
     */
    static Iterator<SnapshotRow> withHook(Iterator<SnapshotRow> rows, CommitHook hook) {
        return new Iterator<>() {
            private int emitted;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public SnapshotRow next() {
                SnapshotRow row = rows.next();
                if (!row.has(SnapshotRow.SPLIT) && ++emitted == CommitHook.AFTER_ROWS) {
                    try {
                        hook.at(CommitHook.Point.SOURCE_READ);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                }
                return row;
            }
        };
    }

    /** Reads the buckets assigned to it one at a time: marker, then the bucket's rows in key order. */
    static final class Reader extends SequentialSplitReader<BucketSplit> {
        private final UnloadFileFormat format;
        private final KeyOrder order;
        private final long budget;
        private final CommitHook hook;
        private final java.nio.file.Path spillDir;
        private final int subtask;
        /** The bucket being emitted: its run files are deleted when it ends, when the next opens and when the reader closes. */
        private ExternalRowSorter sorter;

        Reader(SourceReaderContext context, UnloadFileFormat format, KeyOrder order, long budget, CommitHook hook) {
            this(context, format, order, budget, hook, spillDir(context.getConfiguration(), context.getIndexOfSubtask()),
                    context.getIndexOfSubtask());
        }

        Reader(SourceReaderContext context, UnloadFileFormat format, KeyOrder order, long budget, CommitHook hook,
               java.nio.file.Path spillDir, int subtask) {
            super(context);
            this.format = format;
            this.order = order;
            this.budget = budget;
            this.hook = hook;
            this.spillDir = spillDir;
            this.subtask = subtask;
        }

        /**
         * The task manager's temporary directories ({@code io.tmp.dirs}, which {@code job.spill-dir} sets; default
         * java.io.tmpdir), where Flink's own sorts spill: one per subtask, round robin.
         */
        static java.nio.file.Path spillDir(Configuration conf, int subtask) {
            String[] dirs = org.apache.flink.configuration.ConfigurationUtils.parseTempDirectories(conf);
            return java.nio.file.Path.of(dirs[Math.floorMod(subtask, dirs.length)]);
        }

        @Override
        protected Iterator<SnapshotRow> open(BucketSplit split) throws IOException {
            closeSorter();
            return withHook(read(split.bucket()), hook);
        }

        @Override
        public void close() throws Exception {
            try {
                super.close();
            } finally {
                closeSorter();
            }
        }

        private void closeSorter() {
            if (sorter != null) {
                sorter.close();
                sorter = null;
            }
        }

        /**
         * The bucket's marker and rows in key order: held in memory up to the budget (source.unload.max-bucket-mb), the
         * rest sorted through run files in the spill directory and merged as it is emitted (see {@link BucketSort}).
         */
        Iterator<SnapshotRow> read(UnloadBuckets.Bucket bucket) throws IOException {
            BucketSort sort = new BucketSort(bucket, new ExternalRowSorter(ExternalRowSorter.byKey(order), budget, UnloadBuckets::heldBytes,
                    spillDir, "snapsync-unload-bucket" + bucket.index() + "-subtask" + subtask), spillDir);
            sorter = sort.sorter;
            files:
            for (UnloadManifest.Entry e : bucket.files()) {
                Path path = new Path(e.url());
                FileStatus status = path.getFileSystem().getFileStatus(path);
                FileSourceSplit split = new FileSourceSplit(path.toString(), path, 0, status.getLen(), status.getModificationTime(), status.getLen());
                try (BulkFormat.Reader<SnapshotRow> r = format.createReader(new Configuration(), split)) {
                    BulkFormat.RecordIterator<SnapshotRow> batch;
                    while ((batch = r.readBatch()) != null) {
                        RecordAndPosition<SnapshotRow> rp;
                        while ((rp = batch.next()) != null) {
                            if (!sort.add(rp.getRecord())) {
                                break files;
                            }
                        }
                        batch.releaseBatch();
                    }
                }
            }
            if (sort.sorter.runs() > 0) {
                LOG.info("UNLOAD key-range bucket {} {}: {} rows, more than source.unload.max-bucket-mb ({} KB) holds: sorted through {} run "
                                + "files, {} rows and {} bytes (zstd) written to {}", bucket.index(), bucket.range(), sort.rows, budget >> 10,
                        sort.sorter.runs(), sort.sorter.spilledRows(), sort.sorter.spilledBytes(), spillDir);
            }
            return sort.rows();
        }
    }

    /**
     * One bucket's rows through its sorter, then out behind the bucket's marker. What the data gets wrong (an error row
     * from the file reader: a file disagreeing with the manifest, bad data) and a spill that cannot be written or read
     * back end the bucket with one error row, its runs deleted: the merge fails the table with it (not the job).
     */
    static final class BucketSort {
        private final UnloadBuckets.Bucket bucket;
        final ExternalRowSorter sorter;
        private final java.nio.file.Path spillDir;
        private SnapshotRow error;
        long rows;

        BucketSort(UnloadBuckets.Bucket bucket, ExternalRowSorter sorter, java.nio.file.Path spillDir) {
            this.bucket = bucket;
            this.sorter = sorter;
            this.spillDir = spillDir;
        }

        /** Takes a read row; false when the bucket is over (an error), and no more rows are wanted. */
        boolean add(SnapshotRow row) {
            if (row.has(SnapshotRow.ERROR)) {
                sorter.close();
                error = row;
                return false;
            }
            try {
                sorter.add(row);
            } catch (IOException | RuntimeException ex) {
                error = spillFailed(ex);
                return false;
            }
            rows++;
            return true;
        }

        /** The marker, then the rows in key order (or the error row). */
        Iterator<SnapshotRow> rows() {
            SnapshotRow marker = SplitRange.marker(bucket.range());
            if (error != null) {
                return List.of(marker, error).iterator();
            }
            Iterator<SnapshotRow> sorted;
            try {
                sorted = sorter.sorted();
            } catch (IOException | RuntimeException ex) {
                return List.of(marker, spillFailed(ex)).iterator();
            }
            return new Iterator<>() {
                private boolean markerSent;
                private boolean failed;

                @Override
                public boolean hasNext() {
                    return !markerSent || (!failed && sorted.hasNext());
                }

                @Override
                public SnapshotRow next() {
                    if (!markerSent) {
                        markerSent = true;
                        return marker;
                    }
                    try {
                        return sorted.next();
                    } catch (java.io.UncheckedIOException ex) {
                        // a run that cannot be read back: the bucket's rows so far are downstream, the error row after
                        // them fails the table, as bad data in a JDBC split does
                        failed = true;
                        return spillFailed(ex);
                    }
                }
            };
        }

        private SnapshotRow spillFailed(Exception ex) {
            sorter.close();
            return SnapshotRow.error("sorting UNLOAD key-range bucket " + bucket.index() + " " + bucket.range() + " through run files in "
                    + spillDir + " failed (job.spill-dir; source.unload.max-bucket-mb is the memory a bucket's sort holds before it "
                    + "spills): " + ex.getMessage() + "; nothing applied");
        }
    }
}
