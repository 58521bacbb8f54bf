package io.snapsync.unload;

import io.snapsync.fault.CommitHook;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.RangeSplitAssigner;
import io.snapsync.source.SequentialSplitReader;
import io.snapsync.source.SplitRange;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
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

/**
 * A bucketed UNLOAD read for the ordered diff: one split per key-range bucket ({@link UnloadBuckets}), assigned as the
 * JDBC ordered read assigns its range splits ({@link RangeSplitAssigner}: contiguous buckets per subtask, lowest first).
 * A bucket's files (in no order: UNLOAD's slices write in parallel) are read whole through {@link UnloadFileFormat}
 * (the same checks against the manifest, the same row encoder), its rows sorted in memory by {@link KeyOrder}, then
 * emitted behind the bucket's range marker ({@link SplitRange#marker}) in key order, exactly what an ordered JDBC split
 * emits. The planner sized the buckets so that one fits in memory (else the run takes the keyed diff); a bucket that
 * holds more than twice the bound when read fails its table instead of the task's heap. Like the JDBC reader, a bucket
 * that has emitted {@link CommitHook#AFTER_ROWS} rows reaches {@link CommitHook.Point#SOURCE_READ} (tests inject a
 * failure there; production passes {@link CommitHook#NONE}).
 */
public final class UnloadBucketSource implements Source<SnapshotRow, UnloadBucketSource.BucketSplit, Collection<UnloadBucketSource.BucketSplit>>,
        ResultTypeQueryable<SnapshotRow> {

    private final TableSchema schema;
    private final EncoderOptions options;
    private final List<UnloadBuckets.Bucket> buckets;
    private final long maxHeldBytes;
    private final CommitHook hook;

    /**
     * @param maxHeldBytes a bucket holding more than this in memory while read fails the table (never the heap)
     * @param hook test-only fault injection at {@link CommitHook.Point#SOURCE_READ}
     */
    public UnloadBucketSource(TableSchema schema, EncoderOptions options, List<UnloadBuckets.Bucket> buckets, long maxHeldBytes,
                              CommitHook hook) {
        this.schema = schema;
        this.options = options;
        this.buckets = List.copyOf(buckets);
        this.maxHeldBytes = maxHeldBytes;
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
                new KeyOrder(schema), maxHeldBytes, hook);
    }

    @Override
    public TypeInformation<SnapshotRow> getProducedType() {
        return TypeInformation.of(SnapshotRow.class);
    }

    /**
     * Sorts one bucket's rows by key: rows with a NULL key column last (the ordered JDBC query's NULLS LAST; the merge
     * only counts them). Stable, so duplicate keys keep no particular order, which the duplicate policies do not need.
     */
    static List<SnapshotRow> sorted(List<SnapshotRow> rows, KeyOrder order) {
        List<SnapshotRow> keyed = new ArrayList<>(rows.size());
        List<SnapshotRow> nullKeys = new ArrayList<>();
        for (SnapshotRow r : rows) {
            (r.has(SnapshotRow.NULL_KEY) ? nullKeys : keyed).add(r);
        }
        keyed.sort((a, b) -> order.compare(a.key, b.key));
        keyed.addAll(nullKeys);
        return keyed;
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
        private final long maxHeldBytes;
        private final CommitHook hook;

        Reader(SourceReaderContext context, UnloadFileFormat format, KeyOrder order, long maxHeldBytes, CommitHook hook) {
            super(context);
            this.format = format;
            this.order = order;
            this.maxHeldBytes = maxHeldBytes;
            this.hook = hook;
        }

        @Override
        protected Iterator<SnapshotRow> open(BucketSplit split) throws IOException {
            return withHook(read(split.bucket()).iterator(), hook);
        }

        /**
         * The bucket's marker and rows in key order. What the data gets wrong (a file disagreeing with the manifest,
         * bad data, a bucket too large) becomes the marker and one error row: the merge fails the table with it.
         */
        List<SnapshotRow> read(UnloadBuckets.Bucket bucket) throws IOException {
            List<SnapshotRow> all = new ArrayList<>();
            long held = 0;
            for (UnloadManifest.Entry e : bucket.files()) {
                Path path = new Path(e.url());
                FileStatus status = path.getFileSystem().getFileStatus(path);
                FileSourceSplit split = new FileSourceSplit(path.toString(), path, 0, status.getLen(), status.getModificationTime(), status.getLen());
                try (BulkFormat.Reader<SnapshotRow> r = format.createReader(new Configuration(), split)) {
                    BulkFormat.RecordIterator<SnapshotRow> batch;
                    while ((batch = r.readBatch()) != null) {
                        RecordAndPosition<SnapshotRow> rp;
                        while ((rp = batch.next()) != null) {
                            SnapshotRow row = rp.getRecord();
                            if (row.has(SnapshotRow.ERROR)) {
                                return List.of(SplitRange.marker(bucket.range()), row);
                            }
                            held += UnloadBuckets.heldBytes(row);
                            if (held > maxHeldBytes) {
                                return List.of(SplitRange.marker(bucket.range()), SnapshotRow.error("UNLOAD key-range bucket "
                                        + bucket.index() + " " + bucket.range() + " holds more than " + (maxHeldBytes >> 20) + " MB in memory, "
                                        + "more than its files' sizes let the planner estimate; set source.unload.max-bucket-mb lower (the run "
                                        + "then takes the keyed diff) or extract: jdbc; nothing applied"));
                            }
                            all.add(row);
                        }
                        batch.releaseBatch();
                    }
                }
            }
            List<SnapshotRow> out = new ArrayList<>(all.size() + 1);
            out.add(SplitRange.marker(bucket.range()));
            out.addAll(sorted(all, order));
            return out;
        }
    }
}
