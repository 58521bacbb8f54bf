package io.snapsync.diff;

import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** Sums the diff's data issues per subtask and hands the committer one result when input ends. */
public final class IssueCounter extends AbstractStreamOperator<WriteResult>
        implements OneInputStreamOperator<DataIssue, WriteResult>, BoundedOneInput {
    static final int SAMPLES = 5;
    private transient long duplicateKeys;
    private transient long nullKeyRows;
    private transient long nulFixedRows;
    private transient long droppedRows;
    private transient long carriedEntries;
    private transient String error;
    private transient Map<DataIssue.Kind, List<String>> samples;

    @Override
    public void open() throws Exception {
        super.open();
        samples = new EnumMap<>(DataIssue.Kind.class);
    }

    @Override
    public void processElement(StreamRecord<DataIssue> record) {
        DataIssue i = record.getValue();
        if (i.kind == DataIssue.Kind.ERROR) {
            if (error == null) {
                error = i.key;
            }
            return;
        }
        switch (i.kind) {
            case DUPLICATE_KEY -> duplicateKeys++;
            case NULL_KEY -> nullKeyRows++;
            case NUL_FIXED -> nulFixedRows++;
            default -> { }
        }
        droppedRows += i.dropped;
        carriedEntries += i.carried ? 1 : 0;
        List<String> s = samples.computeIfAbsent(i.kind, k -> new ArrayList<>());
        if (s.size() < SAMPLES) {
            s.add(i.kind + " " + i.key + (i.kind == DataIssue.Kind.DUPLICATE_KEY ? " x" + i.rows : ""));
        }
    }

    @Override
    public void endInput() {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        output.collect(new StreamRecord<>(error != null ? new WriteResult.Failed(Stage.ISSUES, subtask, attempt, error)
                : new WriteResult.IssueCounts(subtask, attempt, duplicateKeys, nullKeyRows, nulFixedRows, droppedRows,
                        carriedEntries, samples.values().stream().flatMap(List::stream).toList())));
    }
}
