package io.snapsync.source;

import io.snapsync.row.SnapshotRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads the splits the enumerator hands out, one at a time: asks for a split, streams it, asks for
 * the next, until the enumerator has none left. Unlike Flink's IteratorSourceReader it copes with
 * splits that have no rows (an empty key range) and closes the open cursor when the task ends early.
 */
final class QuerySplitReader implements SourceReader<SnapshotRow, JdbcSnapshotSource.QuerySplit> {
    private final SourceReaderContext context;
    private final Queue<JdbcSnapshotSource.QuerySplit> splits = new ArrayDeque<>();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private JdbcSnapshotSource.QuerySplit current;
    private JdbcSnapshotSource.RowIterator rows;
    private boolean noMoreSplits;

    QuerySplitReader(SourceReaderContext context) {
        this.context = context;
    }

    @Override
    public void start() {
        context.sendSplitRequest();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<SnapshotRow> output) {
        while (true) {
            if (rows != null) {
                if (rows.hasNext()) {
                    output.collect(rows.next());
                    return InputStatus.MORE_AVAILABLE;
                }
                rows = null;
                current = null;
                if (splits.isEmpty() && !noMoreSplits) {
                    context.sendSplitRequest();
                }
            }
            current = splits.poll();
            if (current != null) {
                rows = current.getIterator();
                continue;
            }
            if (noMoreSplits) {
                return InputStatus.END_OF_INPUT;
            }
            if (available.isDone()) {
                available = new CompletableFuture<>();
            }
            return InputStatus.NOTHING_AVAILABLE;
        }
    }

    @Override
    public List<JdbcSnapshotSource.QuerySplit> snapshotState(long checkpointId) {
        // a split in progress is handed back whole: a restored reader reads it again from the start
        List<JdbcSnapshotSource.QuerySplit> state = new ArrayList<>(splits);
        if (current != null) {
            state.add(0, current);
        }
        return state;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<JdbcSnapshotSource.QuerySplit> newSplits) {
        splits.addAll(newSplits);
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() {
        if (rows != null) {
            rows.close();
            rows = null;
        }
    }
}
