package io.snapsync.source;

import io.snapsync.row.SnapshotRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads the splits the enumerator hands out, one at a time: asks for a split, streams its rows ({@link #open}), asks
 * for the next, until the enumerator has none left. Unlike Flink's IteratorSourceReader it copes with splits that have
 * no rows (an empty key range) and closes the open rows when the task ends early. With {@link RangeSplitAssigner}
 * a subtask's rows come out in key order, split after split.
 */
public abstract class SequentialSplitReader<S extends SourceSplit> implements SourceReader<SnapshotRow, S> {
    private final SourceReaderContext context;
    private final Queue<S> splits = new ArrayDeque<>();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private S current;
    private Iterator<SnapshotRow> rows;
    private boolean noMoreSplits;

    protected SequentialSplitReader(SourceReaderContext context) {
        this.context = context;
    }

    /** The split's rows, in the order they are to be emitted. */
    protected abstract Iterator<SnapshotRow> open(S split) throws Exception;

    @Override
    public void start() {
        context.sendSplitRequest();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<SnapshotRow> output) throws Exception {
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
                rows = open(current);
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
    public List<S> snapshotState(long checkpointId) {
        // a split in progress is handed back whole: a restored reader reads it again from the start
        List<S> state = new ArrayList<>(splits);
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
    public void addSplits(List<S> newSplits) {
        splits.addAll(newSplits);
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() throws Exception {
        if (rows instanceof AutoCloseable c) {
            c.close();
        }
        rows = null;
    }
}
