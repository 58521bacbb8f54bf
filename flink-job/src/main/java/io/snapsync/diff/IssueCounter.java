package io.snapsync.diff;

import io.snapsync.result.WriteResult;
import io.snapsync.result.WriterKind;
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
    private transient WriteResult result;
    private transient Map<DataIssue.Kind, List<String>> samples;

    @Override
    public void open() throws Exception {
        super.open();
        result = new WriteResult(WriterKind.ISSUES, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getAttemptNumber(), 0, 0, 0, null);
        samples = new EnumMap<>(DataIssue.Kind.class);
    }

    @Override
    public void processElement(StreamRecord<DataIssue> record) {
        DataIssue i = record.getValue();
        if (i.kind == DataIssue.Kind.ERROR) {
            if (result.error == null) {
                result.error = i.key;
            }
            return;
        }
        switch (i.kind) {
            case DUPLICATE_KEY -> result.duplicateKeys++;
            case NULL_KEY -> result.nullKeyRows++;
            case NUL_FIXED -> result.nulFixedRows++;
            default -> { }
        }
        result.rows++;
        result.droppedRows += i.dropped;
        result.carriedEntries += i.carried ? 1 : 0;
        List<String> s = samples.computeIfAbsent(i.kind, k -> new ArrayList<>());
        if (s.size() < SAMPLES) {
            s.add(i.kind + " " + i.key + (i.kind == DataIssue.Kind.DUPLICATE_KEY ? " x" + i.rows : ""));
        }
    }

    @Override
    public void endInput() {
        result.issueSamples = String.join("\n", samples.values().stream().flatMap(List::stream).toList());
        output.collect(new StreamRecord<>(result));
    }
}
