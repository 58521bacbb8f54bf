package io.snapsync.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Assigns ordered range splits statically: of N splits in ascending key order, subtask i of p reads splits
 * [i*N/p, (i+1)*N/p), lowest first. So each subtask reads one contiguous key range in ascending order, its
 * new cache file covers that range and no other file's, and its reader of the previous cache walks forward
 * through it once. Splits handed back (a failed attempt) return to their subtask and are read again in order.
 * Unlike dynamic assignment this does not balance a skewed key range across subtasks.
 */
final class RangeSplitAssigner implements SplitEnumerator<JdbcSnapshotSource.QuerySplit, Collection<JdbcSnapshotSource.QuerySplit>> {
    private final SplitEnumeratorContext<JdbcSnapshotSource.QuerySplit> context;
    private final int total;
    private final Map<Integer, TreeSet<JdbcSnapshotSource.QuerySplit>> pending = new TreeMap<>();
    private final List<JdbcSnapshotSource.QuerySplit> unassigned;

    RangeSplitAssigner(SplitEnumeratorContext<JdbcSnapshotSource.QuerySplit> context, Collection<JdbcSnapshotSource.QuerySplit> splits) {
        this.context = context;
        this.unassigned = new ArrayList<>(splits);
        this.total = splits.size();
    }

    /** Which subtask of {@code parallelism} reads split {@code index} of {@code total}. */
    static int owner(int index, int total, int parallelism) {
        return (int) ((long) index * parallelism / total);
    }

    private TreeSet<JdbcSnapshotSource.QuerySplit> queue(int subtask) {
        return pending.computeIfAbsent(subtask, s -> new TreeSet<>(Comparator.comparingInt(JdbcSnapshotSource.QuerySplit::index)));
    }

    @Override
    public void start() {
        int p = context.currentParallelism();
        int n = Math.max(total, 1);
        for (JdbcSnapshotSource.QuerySplit s : unassigned) {
            queue(owner(s.index(), n, p)).add(s);
        }
        unassigned.clear();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        JdbcSnapshotSource.QuerySplit next = queue(subtaskId).pollFirst();
        if (next == null) {
            context.signalNoMoreSplits(subtaskId);
        } else {
            context.assignSplit(next, subtaskId);
        }
    }

    @Override
    public void addSplitsBack(List<JdbcSnapshotSource.QuerySplit> splits, int subtaskId) {
        queue(subtaskId).addAll(splits);
    }

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public Collection<JdbcSnapshotSource.QuerySplit> snapshotState(long checkpointId) {
        List<JdbcSnapshotSource.QuerySplit> all = new ArrayList<>(unassigned);
        pending.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {}
}
