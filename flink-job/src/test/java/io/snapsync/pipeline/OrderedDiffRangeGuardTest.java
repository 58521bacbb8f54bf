package io.snapsync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.TablePolicies;
import io.snapsync.diff.DataIssue;
import io.snapsync.diff.DiffFunction;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Change;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SplitRange;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The ordered diff refuses a split whose rows do not lie in its range as snapsync compares keys: were it to merge
 * them, the cache entry of such a key would be read with another split, and the row taken for an insert here and
 * the entry for a delete there. (The database's predicate and row.KeyOrder disagreeing, e.g. under a collation
 * the predicate did not override, is what would send such rows.)
 */
class OrderedDiffRangeGuardTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(
            new Column("k", ColumnType.TEXT, "text", 0, 0, 0, false),
            new Column("v", ColumnType.INTEGER, "bigint", 8, 0, 0, true)), List.of("k"));

    private static SnapshotRow row(String k) {
        CanonicalRowWriter key = new CanonicalRowWriter();
        key.writeText(k);
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeText(k);
        w.writeInteger(1);
        byte[] bytes = w.toByteArray();
        long[] h = RowHash.hash(bytes);
        return new SnapshotRow(Keys.fromBytes(key.toByteArray()), h[0], h[1], bytes);
    }

    private static List<DataIssue> run(Object... input) throws Exception {
        return run(new OrderedDiffOperator(SCHEMA, TablePolicies.DEFAULTS, OrderedDiffOperator.Previous.none()), input);
    }

    private static List<DataIssue> run(OrderedDiffOperator op, Object... input) throws Exception {
        try (OneInputStreamOperatorTestHarness<SnapshotRow, Change> h = new OneInputStreamOperatorTestHarness<>(op)) {
            h.open();
            for (Object o : input) {
                h.processElement(new StreamRecord<>(o instanceof SplitRange r ? SplitRange.marker(r) : row((String) o)));
            }
            h.endInput();
            var issues = h.getSideOutput(DiffFunction.ISSUES);
            return issues == null ? List.of() : issues.stream().map(StreamRecord::getValue).toList();
        }
    }

    @Test
    void rowsInsideTheirRangesPass() throws Exception {
        assertThat(run(new SplitRange(true, null, false, "m"), "", "B", "a", "l", "lzz",
                new SplitRange(false, "m", false, "é"), "m", "z", "zz",
                new SplitRange(false, "é", true, null), "é", "日本")).isEmpty();
    }

    @Test
    void aRowBelowItsRangeFailsTheTable() throws Exception {
        List<DataIssue> issues = run(new SplitRange(false, "m", true, null), "a", "n");
        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.kind).isEqualTo(DataIssue.Kind.ERROR);
            assertThat(i.key).contains("outside its range split [m, +inf) of column \"k\": (k=a)").contains("nothing applied");
        });
    }

    @Test
    void aRowAtOrAboveItsRangesEndFailsTheTableWhenTheRangeEnds() throws Exception {
        // 'Z' < 'a' in byte order: a collation that sorts 'a' before 'Z' would put 'Z' in a split ending at 'a'
        List<DataIssue> issues = run(new SplitRange(true, null, false, "a"), "B", "a", new SplitRange(false, "a", true, null), "b");
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("(k=a)").contains("[-inf, a)"));
        assertThat(run(new SplitRange(true, null, false, "a"), "B", "Z")).as("last row just below the end").isEmpty();
    }

    /** Through UNLOAD's buckets: the message names the table, the bucket and the column. */
    @Test
    void aRowInTheWrongUnloadBucketNamesTableBucketColumnAndKey() throws Exception {
        OrderedDiffOperator op = new OrderedDiffOperator(SCHEMA, TablePolicies.DEFAULTS, OrderedDiffOperator.Previous.none(), false,
                "public.t", true);
        List<DataIssue> issues = run(op, new SplitRange(true, null, false, "a"), "B", "b");
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).startsWith("table public.t: UNLOAD put a row in the key-range "
                + "bucket [-inf, a) of column \"k\" that does not hold it: (k=b); UNLOAD's CASE compares").endsWith("nothing applied"));
    }
}
