package io.snapsync.diff;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Compares today's snapshot (input 1) with the previous snapshot's key/hash cache (input 2), keyed by
 * primary key. In BATCH mode Flink sorts both inputs by key and hands over all records of one key
 * before the next, then fires that key's timers: so state holds at most one key at a time and the
 * decision is made in {@link #onTimer}, when both sides of the key have been seen.
 *
 * <p>Inserts and updates (full rows) go to the main output; deletes (keys only) to {@link #DELETES}.
 */
public class DiffFunction extends KeyedCoProcessFunction<String, SnapshotRow, CacheEntry, Change> {
    public static final OutputTag<Change> DELETES = new OutputTag<>("deletes") {};

    private final TableSchema schema;
    private transient ValueState<SnapshotRow> snapshot;
    private transient ValueState<CacheEntry> cached;

    public DiffFunction(TableSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(OpenContext openContext) {
        snapshot = getRuntimeContext().getState(new ValueStateDescriptor<>("snapshot", SnapshotRow.class));
        cached = getRuntimeContext().getState(new ValueStateDescriptor<>("cached", CacheEntry.class));
    }

    @Override
    public void processElement1(SnapshotRow row, Context ctx, Collector<Change> out) throws Exception {
        if (snapshot.value() != null) {
            // bad data, not a transient fault: retrying the task would fail the same way
            throw new SuppressRestartsException(new DuplicateKeyException("duplicate primary key in the source snapshot: "
                    + KeyFormatter.format(schema, Keys.toBytes(row.key))));
        }
        snapshot.update(row);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void processElement2(CacheEntry entry, Context ctx, Collector<Change> out) throws Exception {
        if (cached.value() != null) {
            throw new SuppressRestartsException(new DuplicateKeyException("duplicate primary key in the cache (corrupt cache version?): "
                    + KeyFormatter.format(schema, Keys.toBytes(entry.key))));
        }
        cached.update(entry);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Change> out) throws Exception {
        SnapshotRow s = snapshot.value();
        CacheEntry c = cached.value();
        snapshot.clear();
        cached.clear();
        ChangeKind kind = DiffDecision.decide(
                s != null, s == null ? 0 : s.hashHi, s == null ? 0 : s.hashLo,
                c != null, c == null ? 0 : c.hashHi, c == null ? 0 : c.hashLo);
        switch (kind) {
            case INSERT, UPDATE -> out.collect(new Change(kind, s.key, s.row));
            case DELETE -> ctx.output(DELETES, new Change(ChangeKind.DELETE, c.key, null));
            case UNCHANGED -> { }
        }
    }
}
