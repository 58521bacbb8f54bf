package io.snapsync.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Assigns ordered range splits statically: of N splits in ascending key order, subtask i of p reads splits
 * [i*N/p, (i+1)*N/p), lowest first. So each subtask reads one contiguous key range in ascending order, its
 * new cache file covers that range and no other file's, and its reader of the previous cache walks forward
 * through it once. Splits handed back (a failed attempt) return to their subtask and are read again in order.
 * Unlike dynamic assignment this does not balance a skewed key range across subtasks. Used by the JDBC ordered
 * read and by the bucketed UNLOAD read ({@code unload.UnloadBucketSource}).
 */
public final class RangeSplitAssigner<S extends SourceSplit & RangeSplitAssigner.Indexed> implements SplitEnumerator<S, Collection<S>> {
    /** A range split's position in its read's split list: range splits ascend with it. */
    public interface Indexed {
        int index();
    }

    private final SplitEnumeratorContext<S> context;
    private final int total;
    private final Map<Integer, TreeSet<S>> pending = new TreeMap<>();
    private final List<S> unassigned;

    public RangeSplitAssigner(SplitEnumeratorContext<S> context, Collection<S> splits) {
        this.context = context;
        this.unassigned = new ArrayList<>(splits);
        this.total = splits.size();
    }

    /** Which subtask of {@code parallelism} reads split {@code index} of {@code total}. */
    static int owner(int index, int total, int parallelism) {
        return (int) ((long) index * parallelism / total);
    }

    private TreeSet<S> queue(int subtask) {
        return pending.computeIfAbsent(subtask, s -> new TreeSet<>(Comparator.comparingInt(Indexed::index)));
    }

    @Override
    public void start() {
        int p = context.currentParallelism();
        int n = Math.max(total, 1);
        for (S s : unassigned) {
            queue(owner(s.index(), n, p)).add(s);
        }
        unassigned.clear();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        S next = queue(subtaskId).pollFirst();
        if (next == null) {
            context.signalNoMoreSplits(subtaskId);
        } else {
            context.assignSplit(next, subtaskId);
        }
    }

    @Override
    public void addSplitsBack(List<S> splits, int subtaskId) {
        queue(subtaskId).addAll(splits);
    }

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public Collection<S> snapshotState(long checkpointId) {
        List<S> all = new ArrayList<>(unassigned);
        pending.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {}
}
