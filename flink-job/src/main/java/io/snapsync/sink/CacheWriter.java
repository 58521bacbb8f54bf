package io.snapsync.sink;

import io.snapsync.cache.CacheFileWriter;
import io.snapsync.cache.CacheLayout;
import io.snapsync.fault.CommitHook;
import io.snapsync.result.WriteResult;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes today's snapshot as the next cache version: one Parquet file per subtask attempt in the run's
 * version directory. The file is only reported (and so only used) once it is completely written.
 */
public final class CacheWriter extends AbstractStreamOperator<WriteResult>
        implements OneInputStreamOperator<SnapshotRow, WriteResult>, BoundedOneInput {
    private final TableSchema schema;
    private final String versionDir;
    private final CompressionCodecName codec;
    private final int rowGroupBytes;
    private final CommitHook hook;

    private transient CacheFileWriter writer;
    private transient String fileName;
    /** Why this subtask gave up (its last attempt failed): the committer fails the table. */
    private transient String error;
    /** Null when the key has no proven order: the file is then never recorded as sorted. */
    private final io.snapsync.row.KeyOrder order;
    private transient String firstKey;
    private transient String lastKey;
    private transient boolean sorted;
    /**
     * Writes a change layer: only rows flagged {@link SnapshotRow#CHANGED} and tombstones ({@link SnapshotRow#TOMBSTONE})
     * go into the file; every other row is only counted (the snapshot's row count is still checked by the committer).
     */
    private final boolean layer;
    private transient long snapshotRows;

    public CacheWriter(TableSchema schema, String versionDir, CompressionCodecName codec, int rowGroupBytes, CommitHook hook) {
        this(schema, versionDir, codec, rowGroupBytes, hook, false);
    }

    public CacheWriter(TableSchema schema, String versionDir, CompressionCodecName codec, int rowGroupBytes, CommitHook hook,
                       boolean layer) {
        this.layer = layer;
        this.hook = hook;
        this.schema = schema;
        this.versionDir = versionDir;
        this.codec = codec;
        this.rowGroupBytes = rowGroupBytes;
        this.order = io.snapsync.row.KeyOrder.supports(schema) ? new io.snapsync.row.KeyOrder(schema) : null;
    }

    @Override
    public void processElement(StreamRecord<SnapshotRow> record) throws Exception {
        if (error != null) {
            return;
        }
        try {
            write(record);
        } catch (Exception e) {
            giveUpOrThrow(e);
        }
    }

    private void giveUpOrThrow(Exception e) throws Exception {
        if (!io.snapsync.task.Attempts.endsTable(getRuntimeContext(), e)) {
            throw e;
        }
        error = io.snapsync.task.Errors.describe(e);
        closeWriter();
    }

    private void write(StreamRecord<SnapshotRow> record) throws Exception {
        SnapshotRow row = record.getValue();
        if (!row.has(SnapshotRow.TOMBSTONE)) {
            snapshotRows++;
        }
        if (layer && !row.has(SnapshotRow.CHANGED) && !row.has(SnapshotRow.TOMBSTONE)) {
            return; // unchanged: the base or an older layer holds it already
        }
        if (writer == null) {
            fileName = CacheLayout.partFileName(
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                    getRuntimeContext().getTaskInfo().getAttemptNumber());
            writer = new CacheFileWriter(new Path(new Path(versionDir), fileName), schema, codec, rowGroupBytes);
            sorted = order != null;
        }
        // proven, not assumed: the next run merges this file in key order only if every key here ascended
        if (firstKey == null) {
            firstKey = row.key;
        } else if (sorted && order.compare(lastKey, row.key) >= 0) {
            sorted = false;
        }
        lastKey = row.key;
        writer.write(row);
        if (writer.rows() == CommitHook.AFTER_ROWS) {
            hook.at(CommitHook.Point.CACHE_FILE_WRITING);
        }
    }

    @Override
    public void endInput() throws Exception {
        long rows = 0;
        long bytes = 0;
        String checksum = null;
        boolean wrote = false;
        if (writer != null && error == null) {
            try {
                rows = writer.rows();
                wrote = rows > 0;
                writer.close();
                bytes = writer.bytes();
                checksum = writer.checksum();
                writer = null;
            } catch (Exception e) {
                giveUpOrThrow(e);
                rows = 0;
                wrote = false;
            }
        }
        long fileRows = rows;
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        // rows: the snapshot's rows this subtask saw (checked against the source's count); fileRows: those in the file
        output.collect(new StreamRecord<>(error != null
                ? new WriteResult.Failed(io.snapsync.result.Stage.CACHE, subtask, attempt, error)
                : !wrote ? new WriteResult.CacheFile(subtask, attempt, snapshotRows, null, 0, null, null, null, false, 0)
                : new WriteResult.CacheFile(subtask, attempt, snapshotRows, fileName, bytes, checksum, firstKey, lastKey, sorted, fileRows)));
    }

    @Override
    public void close() throws Exception {
        closeWriter();
        super.close();
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (Exception ignored) {
                // a failed attempt's partial file is never listed in a manifest
            }
            writer = null;
        }
    }
}
