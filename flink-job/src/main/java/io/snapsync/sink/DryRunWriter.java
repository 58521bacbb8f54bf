package io.snapsync.sink;

import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.KeyFormatter;
import io.snapsync.row.Keys;
import io.snapsync.schema.TableSchema;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Stands in for a writer in {@code --dry-run}: counts what would be written and keeps a few sample keys
 * per kind, writing nothing anywhere. Input is either changes (staging) or snapshot rows (cache).
 */
public final class DryRunWriter<T> extends AbstractStreamOperator<WriteResult>
        implements OneInputStreamOperator<T, WriteResult>, BoundedOneInput {
    static final int SAMPLES = 5;
    private final Stage kind;
    private final TableSchema schema;
    private transient long rows;
    private transient long inserted;
    private transient long updated;
    private transient Map<ChangeKind, List<String>> samples;

    private final ValueValidator validator;
    private transient String error;

    public DryRunWriter(Stage kind, TableSchema schema) {
        this(kind, schema, null);
    }

    /** @param validator upserts: fail the dry run on a value the target could not hold, as a real run would */
    public DryRunWriter(Stage kind, TableSchema schema, ValueValidator validator) {
        this.kind = kind;
        this.schema = schema;
        this.validator = validator;
    }

    @Override
    public void open() throws Exception {
        super.open();
        samples = new EnumMap<>(ChangeKind.class);
    }

    @Override
    public void processElement(StreamRecord<T> record) {
        if (error != null) {
            return;
        }
        rows++;
        if (record.getValue() instanceof Change c) {
            if (validator != null) {
                try {
                    validator.require(c.row, c.key);
                } catch (io.snapsync.row.BadDataException e) {
                    error = e.getMessage(); // as a real run would: the table fails, the others carry on
                    return;
                }
            }
            if (c.kind == ChangeKind.INSERT) {
                inserted++;
            } else if (c.kind == ChangeKind.UPDATE) {
                updated++;
            }
            List<String> s = samples.computeIfAbsent(c.kind, k -> new ArrayList<>());
            if (s.size() < SAMPLES) {
                s.add(c.kind + " " + KeyFormatter.format(schema, Keys.toBytes(c.key)));
            }
        }
    }

    @Override
    public void endInput() {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        WriteResult r;
        if (error != null) {
            r = new WriteResult.Failed(kind, subtask, attempt, error);
        } else if (kind == Stage.CACHE) {
            r = new WriteResult.CacheFile(subtask, attempt, rows, null, 0, null);
        } else {
            r = new WriteResult.StagedPart(kind, subtask, attempt, rows, inserted, updated,
                    samples.values().stream().flatMap(List::stream).toList());
        }
        output.collect(new StreamRecord<>(r));
    }
}
