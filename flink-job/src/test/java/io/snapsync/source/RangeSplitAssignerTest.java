package io.snapsync.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.junit.jupiter.api.Test;

/** Static, contiguous, ascending split assignment for the ordered read, including splits handed back after a failure. */
class RangeSplitAssignerTest {
    private final Map<Integer, List<String>> assigned = new TreeMap<>();
    private final List<Integer> finished = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private SplitEnumeratorContext<JdbcSnapshotSource.QuerySplit> context(int parallelism) {
        return (SplitEnumeratorContext<JdbcSnapshotSource.QuerySplit>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SplitEnumeratorContext.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "currentParallelism" -> parallelism;
                    case "assignSplit" -> {
                        assigned.computeIfAbsent((Integer) args[1], k -> new ArrayList<>())
                                .add(((JdbcSnapshotSource.QuerySplit) args[0]).splitId());
                        yield null;
                    }
                    case "signalNoMoreSplits" -> {
                        finished.add((Integer) args[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static List<JdbcSnapshotSource.QuerySplit> splits(int n) {
        return JdbcSnapshotSource.ordered(null, SplitPlanner.byRange(
                new io.snapsync.schema.TableSchema(List.of(new io.snapsync.schema.Column("id", io.snapsync.schema.ColumnType.INTEGER,
                        "bigint", 8, 0, 0, false)), List.of("id")),
                io.snapsync.schema.TableName.parse("public.t"), "id", 0, 999, n), null, 100, null, null).splits();
    }

    private void drain(RangeSplitAssigner a, int subtask) {
        for (int i = 0; i < 10; i++) {
            a.handleSplitRequest(subtask, null);
        }
    }

    @Test
    void eachSubtaskReadsOneContiguousRangeLowestFirst() {
        RangeSplitAssigner a = new RangeSplitAssigner(context(3), splits(8));
        a.start();
        drain(a, 2);
        drain(a, 0);
        drain(a, 1);
        assertThat(assigned).containsExactly(Map.entry(0, List.of("0", "1", "2")), Map.entry(1, List.of("3", "4", "5")),
                Map.entry(2, List.of("6", "7")));
    }

    @Test
    void splitsHandedBackReturnToTheirSubtaskInOrder() {
        List<JdbcSnapshotSource.QuerySplit> all = splits(4);
        RangeSplitAssigner a = new RangeSplitAssigner(context(2), all);
        a.start();
        a.handleSplitRequest(0, null);
        a.handleSplitRequest(0, null);
        a.addSplitsBack(List.of(all.get(1), all.get(0)), 0);
        assigned.clear();
        drain(a, 0);
        assertThat(assigned.get(0)).containsExactly("0", "1");
        assertThat(finished).contains(0);
    }

    @Test
    void fewerSplitsThanSubtasks() {
        assertThat(RangeSplitAssigner.owner(0, 1, 4)).isZero();
        assertThat(List.of(RangeSplitAssigner.owner(0, 2, 4), RangeSplitAssigner.owner(1, 2, 4))).containsExactly(0, 2);
    }
}
