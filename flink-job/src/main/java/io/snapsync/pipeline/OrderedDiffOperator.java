package io.snapsync.pipeline;

import io.snapsync.cache.LayeredCacheReader;
import io.snapsync.cache.SortedCacheReader;
import io.snapsync.config.JdbcEndpoint;
import io.snapsync.config.TablePolicies;
import io.snapsync.diff.DataIssue;
import io.snapsync.diff.DiffFunction;
import io.snapsync.diff.OrderedMerge;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.Change;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SplitRange;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The ordered diff, chained to an ordered JDBC read ({@link JdbcSnapshotSource#ordered}): for each split's
 * marker it opens the previous snapshot's entries of the same key range, then merges them with the split's
 * rows as they stream by ({@link OrderedMerge}). Outputs are {@link DiffFunction}'s: changes on the main
 * output, {@link DiffFunction#DELETES}, {@link DiffFunction#CACHE} and {@link DiffFunction#ISSUES}, so the same
 * writers follow, chained by forward edges: no shuffle, no sort.
 */
public final class OrderedDiffOperator extends AbstractStreamOperator<Change>
        implements OneInputStreamOperator<SnapshotRow, Change>, BoundedOneInput {

    /**
     * Where the previous snapshot comes from: nothing (first run, resync), a sorted cache version's files
     * ({@code before}: the schema they were written under when it encodes differently, re-hashed), or the
     * live target table read by the same ordered range query (reconcile, or a cache not written sorted).
     */
    public record Previous(List<SortedCacheReader.FileRange> files, TableSchema before,
                           JdbcEndpoint target, String targetSql, boolean targetRanged, int fetchSize, String targetName)
            implements Serializable {
        public static Previous none() {
            return new Previous(List.of(), null, null, null, false, 0, null);
        }

        public static Previous cache(List<SortedCacheReader.FileRange> files, TableSchema before) {
            return new Previous(files, before, null, null, false, 0, null);
        }

        public static Previous target(JdbcEndpoint target, String orderedSql, boolean ranged, int fetchSize, String name) {
            return new Previous(List.of(), null, target, orderedSql, ranged, fetchSize, name);
        }
    }

    private final TableSchema schema;
    private final TablePolicies.DuplicateKeys onDuplicate;
    private final Previous previous;
    /** The cache writer writes a change layer: deletes go to it as tombstones (see sink.CacheWriter). */
    private final boolean layered;
    private final String table;
    private final boolean unloaded;

    private transient OrderedMerge merge;
    private transient LayeredCacheReader cache;
    private transient JdbcSnapshotSource.RowIterator targetRows;
    private transient boolean inRange;
    private transient boolean gaveUp;
    /** The current split's range (checked against its rows, see {@link #outsideRange}) and its last ordered row's key. */
    private transient SplitRange range;
    private transient SplitRange.Bounds bounds;
    private transient String lastKey;
    private transient KeyOrder firstColumn;

    public OrderedDiffOperator(TableSchema schema, TablePolicies policies, Previous previous) {
        this(schema, policies, previous, false);
    }

    public OrderedDiffOperator(TableSchema schema, TablePolicies policies, Previous previous, boolean layered) {
        this(schema, policies, previous, layered, null, false);
    }

    /**
     * @param table the table's name, for messages
     * @param unloaded the ranges are UNLOAD's key-range buckets (their rows placed by UNLOAD's CASE), not JDBC range splits
     */
    public OrderedDiffOperator(TableSchema schema, TablePolicies policies, Previous previous, boolean layered, String table, boolean unloaded) {
        this.table = table;
        this.unloaded = unloaded;
        this.layered = layered;
        this.schema = schema;
        this.onDuplicate = policies.onDuplicateKey();
        this.previous = previous;
    }

    @Override
    public void open() throws Exception {
        super.open();
        merge = new OrderedMerge(schema, onDuplicate, new KeyOrder(schema), new OrderedMerge.Output() {
            @Override
            public void change(Change upsert) {
                output.collect(new StreamRecord<>(upsert));
            }

            @Override
            public void delete(Change delete) {
                output.collect(DiffFunction.DELETES, new StreamRecord<>(delete));
                if (layered) {
                    SnapshotRow tombstone = new SnapshotRow(delete.key, 0, 0, null);
                    tombstone.flags = SnapshotRow.TOMBSTONE;
                    output.collect(DiffFunction.CACHE, new StreamRecord<>(tombstone));
                }
            }

            @Override
            public void cache(SnapshotRow row) {
                output.collect(DiffFunction.CACHE, new StreamRecord<>(row));
            }

            @Override
            public void issue(DataIssue issue) {
                output.collect(DiffFunction.ISSUES, new StreamRecord<>(issue));
            }
        });
        firstColumn = KeyOrder.ofFirstColumn(schema);
        if (!previous.files().isEmpty()) {
            cache = new LayeredCacheReader(previous.files(), new KeyOrder(schema), previous.before(), schema);
        }
    }

    @Override
    public void processElement(StreamRecord<SnapshotRow> record) throws Exception {
        if (gaveUp) {
            return;
        }
        SnapshotRow row = record.getValue();
        try {
            if (row.has(SnapshotRow.SPLIT)) {
                if (!finishRange()) {
                    return;
                }
                range = SplitRange.ofMarker(row);
                bounds = range.bounds(firstColumn);
                lastKey = null;
                merge.begin(entries(range));
                inRange = true;
            } else if (!inRange) {
                throw new IllegalStateException("an ordered read sent a row before its split's range");
            } else {
                // NULL-key rows are never matched nor ordered (the first split takes a NULL first column)
                if ((row.flags & (SnapshotRow.NULL_KEY | SnapshotRow.ERROR)) == 0) {
                    if (lastKey == null && bounds.below(row.key)) {
                        outsideRange(row.key);
                        return;
                    }
                    lastKey = row.key;
                }
                merge.row(row);
            }
        } catch (Exception e) {
            giveUpOrThrow(e);
        }
    }

    @Override
    public void endInput() throws Exception {
        if (gaveUp) {
            return;
        }
        try {
            finishRange();
        } catch (Exception e) {
            giveUpOrThrow(e);
        }
    }

    /** Ends the current range; false when its rows were found outside it (the table failed). */
    private boolean finishRange() {
        if (inRange) {
            inRange = false;
            // the rows ascend (the merge checks that), so the first at or above the lower bound and the last below the
            // upper one put every row inside
            if (lastKey != null && bounds.above(lastKey) && !merge.failed()) {
                outsideRange(lastKey);
                return false;
            }
            merge.end();
        }
        closeTarget();
        return true;
    }

    /**
     * A row the database put in a split whose range, as snapsync compares keys, does not hold it: the cache's entry
     * of its key would be read with another split, and the row taken for an insert there and the entry for a delete.
     * The table fails before anything is applied (the database compares the first key column differently from
     * row.KeyOrder: e.g. a collation the range predicate did not override).
     */
    private void outsideRange(String key) {
        gaveUp = true;
        closeTarget();
        String column = io.snapsync.schema.Identifiers.quote(schema.keyColumnList().get(0).name());
        String where = unloaded
                ? "UNLOAD put a row in the key-range bucket " + range + " of column " + column + " that does not hold it"
                : "the source returned a row outside its range split " + range + " of column " + column;
        String why = (unloaded ? "UNLOAD's CASE" : "the database") + " compares that column differently from snapsync's key order ("
                + io.snapsync.row.KeyOrder.DESCRIPTION + ")";
        output.collect(DiffFunction.ISSUES, new StreamRecord<>(new DataIssue(DataIssue.Kind.ERROR, (table == null ? "" : "table " + table + ": ")
                + where + ": " + io.snapsync.row.KeyFormatter.format(schema, io.snapsync.row.Keys.toBytes(key)) + "; " + why
                + ", so the row would be taken for an insert in one range and its cache entry for a delete in another; nothing applied",
                0, 0, false)));
    }

    private Iterator<CacheEntry> entries(SplitRange range) {
        if (cache != null) {
            return cache.range(range);
        }
        if (previous.target() == null) {
            return Collections.emptyIterator();
        }
        targetRows = JdbcSnapshotSource.rows(previous.target(), previous.targetSql(), schema, previous.fetchSize(),
                EncoderOptions.strict(previous.targetName()), previous.targetRanged() ? range.params() : new Serializable[0]);
        JdbcSnapshotSource.RowIterator rows = targetRows;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public CacheEntry next() {
                SnapshotRow r = rows.next();
                if (r.has(SnapshotRow.ERROR)) {
                    throw new IllegalStateException("reading the target table " + previous.targetName() + " failed: "
                            + new String(r.row, StandardCharsets.UTF_8));
                }
                return new CacheEntry(r.key, r.hashHi, r.hashLo);
            }
        };
    }

    /** As the writers do: retried while attempts remain, then this table's error (the committer fails the table). */
    private void giveUpOrThrow(Exception e) throws Exception {
        if (!io.snapsync.task.Attempts.endsTable(getRuntimeContext(), e)) {
            throw e;
        }
        gaveUp = true;
        closeTarget();
        output.collect(DiffFunction.ISSUES, new StreamRecord<>(new DataIssue(DataIssue.Kind.ERROR, io.snapsync.task.Errors.describe(e), 0, 0, false)));
    }

    private void closeTarget() {
        if (targetRows != null) {
            targetRows.close();
            targetRows = null;
        }
    }

    @Override
    public void close() throws Exception {
        closeTarget();
        if (cache != null) {
            cache.close();
        }
        super.close();
    }
}
