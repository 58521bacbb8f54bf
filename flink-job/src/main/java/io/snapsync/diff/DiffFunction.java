package io.snapsync.diff;

import io.snapsync.config.TablePolicies;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.KeyFormatter;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Compares today's snapshot (input 1) with the previous snapshot's key/hash cache (input 2), keyed by
 * primary key. In BATCH mode Flink sorts both inputs by key and hands over all records of one key
 * before the next, then fires that key's timers: so state holds at most one key at a time and the
 * decision is made in {@link #onTimer}, when both sides of the key have been seen.
 *
 * <p>Outputs: inserts and updates (full rows) on the main output; deletes (keys only) on
 * {@link #DELETES}; every row of the new snapshot on {@link #CACHE} (what the next run diffs against);
 * bad data (duplicated keys, NULL keys, fixed NUL characters) on {@link #ISSUES}, counted for the
 * committer, which refuses the run when the table's policy is {@code fail}.
 */
public class DiffFunction extends KeyedCoProcessFunction<Tuple2<Long, Long>, SnapshotRow, CacheEntry, Change> {
    public static final OutputTag<Change> DELETES = new OutputTag<>("deletes") {};
    public static final OutputTag<SnapshotRow> CACHE = new OutputTag<>("cache") {};
    public static final OutputTag<DataIssue> ISSUES = new OutputTag<>("issues") {};

    private final TableSchema schema;
    private final TablePolicies.DuplicateKeys onDuplicate;
    private transient ValueState<SnapshotRow> snapshot;
    private transient ValueState<Long> extraRows;
    private transient ValueState<CacheEntry> cached;

    public DiffFunction(TableSchema schema, TablePolicies policies) {
        this.schema = schema;
        this.onDuplicate = policies.onDuplicateKey();
    }

    @Override
    public void open(OpenContext openContext) {
        snapshot = getRuntimeContext().getState(new ValueStateDescriptor<>("snapshot", SnapshotRow.class));
        extraRows = getRuntimeContext().getState(new ValueStateDescriptor<>("extra", Long.class));
        cached = getRuntimeContext().getState(new ValueStateDescriptor<>("cached", CacheEntry.class));
    }

    @Override
    public void processElement1(SnapshotRow row, Context ctx, Collector<Change> out) throws Exception {
        if (row.has(SnapshotRow.ERROR)) {
            ctx.output(ISSUES, new DataIssue(DataIssue.Kind.ERROR, new String(row.row, java.nio.charset.StandardCharsets.UTF_8), 0, 0, false));
            return;
        }
        if (row.has(SnapshotRow.NULL_KEY)) {
            // never keyed state: NULL-key rows cannot be matched, only counted (they all share the NULL key bytes)
            ctx.output(ISSUES, new DataIssue(DataIssue.Kind.NULL_KEY, format(row.key), 1, 1, false));
            return;
        }
        if (row.has(SnapshotRow.NUL_FIXED)) {
            ctx.output(ISSUES, new DataIssue(DataIssue.Kind.NUL_FIXED, format(row.key), 1, 0, false));
        }
        SnapshotRow current = snapshot.value();
        if (current != null && !sameKey(current.key, row.key, ctx)) {
            return;
        }
        if (current == null) {
            snapshot.update(row);
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            return;
        }
        Long extra = extraRows.value();
        extraRows.update(extra == null ? 1 : extra + 1);
        if (DuplicateRows.preferred(row, current)) {
            snapshot.update(row); // keep-one keeps the same row whatever order the source returned them in
        }
    }

    @Override
    public void processElement2(CacheEntry entry, Context ctx, Collector<Change> out) throws Exception {
        CacheEntry previous = cached.value();
        if (previous != null) {
            if (!sameKey(previous.key, entry.key, ctx)) {
                return;
            }
            // not retried (the cache is what it is): the table's committer fails the table
            ctx.output(ISSUES, new DataIssue(DataIssue.Kind.ERROR, "duplicate primary key in the cache (corrupt cache version?): "
                    + format(entry.key), 0, 0, false));
            return;
        }
        cached.update(entry);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Change> out) throws Exception {
        SnapshotRow s = snapshot.value();
        CacheEntry c = cached.value();
        Long extra = extraRows.value();
        snapshot.clear();
        cached.clear();
        extraRows.clear();
        if (s != null && c != null && !sameKey(s.key, c.key, ctx)) {
            return;
        }
        if (extra != null) {
            long rows = extra + 1;
            if (onDuplicate == TablePolicies.DuplicateKeys.KEEP_ONE) {
                ctx.output(ISSUES, new DataIssue(DataIssue.Kind.DUPLICATE_KEY, format(s.key), rows, extra, false));
            } else {
                // skip (or fail, which the committer enforces): the key's target row stays as it is, so its
                // cache entry is carried over unchanged: the cache must not claim the key changed or vanished
                boolean carry = c != null;
                if (carry) {
                    SnapshotRow carried = new SnapshotRow(c.key, c.hashHi, c.hashLo, null);
                    ctx.output(CACHE, carried);
                }
                ctx.output(ISSUES, new DataIssue(DataIssue.Kind.DUPLICATE_KEY, format(s.key), rows, rows, carry));
                return;
            }
        }
        if (s != null) {
            ctx.output(CACHE, s);
        }
        ChangeKind kind = DiffDecision.decide(
                s != null, s == null ? 0 : s.hashHi, s == null ? 0 : s.hashLo,
                c != null, c == null ? 0 : c.hashHi, c == null ? 0 : c.hashLo);
        switch (kind) {
            case INSERT, UPDATE -> out.collect(new Change(kind, s.key, s.row));
            case DELETE -> ctx.output(DELETES, new Change(ChangeKind.DELETE, c.key, null));
            case UNCHANGED -> { }
        }
    }

    /**
     * Records meet here by a 128-bit hash of their key (see {@link KeyHash}): a collision must not pass as a
     * duplicate or a match. Reported as an error issue, with which the table's committer fails the table.
     */
    private boolean sameKey(String a, String b, Context ctx) {
        if (a.equals(b)) {
            return true;
        }
        ctx.output(ISSUES, new DataIssue(DataIssue.Kind.ERROR, "primary keys " + format(a) + " and " + format(b)
                + " share a 128-bit key hash; the diff cannot tell them apart", 0, 0, false));
        return false;
    }

    private String format(String key) {
        return KeyFormatter.format(schema, Keys.toBytes(key));
    }
}
