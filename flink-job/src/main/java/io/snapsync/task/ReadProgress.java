package io.snapsync.task;

import io.snapsync.row.SnapshotRow;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Chained right after a table's source: counts the rows read, as a Flink metric ({@code rowsRead} and
 * {@code rowsExpected} in group {@code table=<name>}, visible in the web UI and any reporter) and as an
 * accumulator the CLI polls for its progress line ({@link Progress}).
 */
public final class ReadProgress extends RichMapFunction<SnapshotRow, SnapshotRow> {
    private final String table;
    private final long expectedRows;
    private transient Counter rowsRead;
    private transient LongCounter accumulator;

    public ReadProgress(String table, long expectedRows) {
        this.table = table;
        this.expectedRows = expectedRows;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = tableGroup(getRuntimeContext().getMetricGroup(), table);
        rowsRead = group.counter("rowsRead");
        group.gauge("rowsExpected", () -> expectedRows);
        accumulator = getRuntimeContext().getLongCounter(Progress.READ + table);
    }

    @Override
    public SnapshotRow map(SnapshotRow row) {
        if (row.has(SnapshotRow.SPLIT)) {
            return row; // an ordered read's split marker, not a row
        }
        rowsRead.inc();
        accumulator.add(1L);
        return row;
    }

    /** The metric group every snapsync metric of a table is registered in: a {@code table} variable for reporters. */
    public static MetricGroup tableGroup(MetricGroup operator, String table) {
        return operator.addGroup("table", table);
    }
}
