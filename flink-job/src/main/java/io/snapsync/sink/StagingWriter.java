package io.snapsync.sink;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.fault.CommitHook;
import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.Keys;
import io.snapsync.schema.Column;
import io.snapsync.schema.CopyFormat;
import io.snapsync.schema.Identifiers;
import io.snapsync.schema.TableName;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.SwapLoad;
import io.snapsync.task.Attempts;
import io.snapsync.task.Errors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams changed rows into an UNLOGGED staging table with COPY (never row INSERTs), in one
 * transaction per subtask attempt, and reports to the committer when its input ends. The COPY is in binary format
 * ({@link CopyBinaryEncoder}) when the plan chose it for the table ({@code schema.CopyFormat}), else in text format
 * ({@link CopyTextEncoder}); the value checks before a row is staged are the same.
 *
 * <p>Every row carries its subtask and attempt number. If an attempt dies after its COPY committed,
 * Flink retries it as a new attempt; the committer merges only the attempts that reported a result,
 * so a retried task can neither duplicate nor lose staged rows.
 *
 * <p>A resync or a first load by swap ({@link #intoLoadTable}) COPYs the rows straight into the new table instead, with
 * only the synced columns; the attempt is recorded in the run's parts table in the COPY's transaction, and the
 * committer removes the rows of an attempt that did not report by its transaction id ({@code targetdb.SwapLoad}).
 */
public final class StagingWriter extends AbstractStreamOperator<WriteResult>
        implements OneInputStreamOperator<Change, WriteResult>, BoundedOneInput {
    private static final int FLUSH_BYTES = 1 << 20;

    private final Stage kind;
    private final JdbcEndpoint target;
    private final TableName staging;
    private final List<Column> columns;
    /** Upserts only: refuses values the target column would reject or silently change. */
    private final ValueValidator validator;
    private final CommitHook hook;
    /** A first load by swap: the table that records each attempt whose COPY committed (see SwapLoad); else null. */
    private final TableName parts;
    /** Each column's binary COPY form (see CopyFormat), or null for the text format. */
    private final List<CopyFormat.Wire> wires;

    private transient Connection connection;
    private transient CopyIn copy;
    private transient CopyEncoder encoder;
    private transient long inserted;
    private transient long updated;
    private transient long rows;
    private transient int subtask;
    private transient int attempt;
    /** Why this subtask gave up on the table; its remaining input is ignored and nothing it staged is kept. */
    private transient String error;
    private transient org.apache.flink.metrics.Counter stagedMetric;
    private transient org.apache.flink.metrics.Counter insertedMetric;
    private transient org.apache.flink.metrics.Counter updatedMetric;
    private transient org.apache.flink.metrics.Counter deletedMetric;
    private transient org.apache.flink.api.common.accumulators.LongCounter stagedProgress;

    /**
     * @param columns the staged columns: all synced columns for upserts, the key columns (key order) for deletes
     * @param wires their binary COPY forms, as the plan chose them ({@code CopyFormat}); null: COPY in text format
     */
    public StagingWriter(Stage kind, JdbcEndpoint target, TableName staging, List<Column> columns, List<CopyFormat.Wire> wires,
                         ValueValidator validator, CommitHook hook) {
        this(kind, target, staging, columns, wires, validator, hook, null);
    }

    private StagingWriter(Stage kind, JdbcEndpoint target, TableName staging, List<Column> columns, List<CopyFormat.Wire> wires,
                          ValueValidator validator, CommitHook hook, TableName parts) {
        this.hook = hook;
        this.kind = kind;
        this.target = target;
        this.staging = staging;
        this.columns = List.copyOf(columns);
        this.validator = validator;
        this.parts = parts;
        this.wires = wires == null ? null : List.copyOf(wires);
    }

    /**
     * The upserts of a first load by swap, COPYed straight into the new table (only the synced columns); each attempt
     * records itself in {@code parts} in its COPY's transaction (see {@code targetdb.SwapLoad}).
     */
    public static StagingWriter intoLoadTable(JdbcEndpoint target, TableName table, TableName parts, List<Column> columns,
                                              List<CopyFormat.Wire> wires, ValueValidator validator, CommitHook hook) {
        return new StagingWriter(Stage.UPSERTS, target, table, columns, wires, validator, hook, parts);
    }

    public static String copySql(TableName staging, List<Column> columns) {
        List<String> names = new ArrayList<>(columns.stream().map(Column::name).toList());
        names.add(StagingTables.PART_COLUMN);
        names.add(StagingTables.ATTEMPT_COLUMN);
        names.add(StagingTables.SEQ_COLUMN);
        return "COPY " + staging.quoted() + " (" + Identifiers.quoteAll(names) + ") FROM STDIN";
    }

    static String loadCopySql(TableName table, List<Column> columns) {
        return "COPY " + table.quoted() + " (" + Identifiers.quoteAll(columns.stream().map(Column::name).toList()) + ") FROM STDIN";
    }

    @Override
    public void open() throws Exception {
        super.open();
        // the staging tables' bookkeeping columns: part and attempt int, seq bigint (StagingTables); a load table has none
        encoder = wires == null ? new CopyTextEncoder(columns)
                : parts != null ? new CopyBinaryEncoder(columns, wires) : new CopyBinaryEncoder(columns, wires, 4, 4, 8);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        // per table (the operator is named after it, and the table variable is for reporters); the CLI polls the accumulator
        String table = tableName();
        org.apache.flink.metrics.MetricGroup g = io.snapsync.task.ReadProgress.tableGroup(getMetricGroup(), table);
        stagedMetric = g.counter("rowsStaged" + (kind == Stage.DELETES ? "Deletes" : "Upserts"));
        insertedMetric = kind == Stage.UPSERTS ? g.counter("inserted") : null;
        updatedMetric = kind == Stage.UPSERTS ? g.counter("updated") : null;
        deletedMetric = kind == Stage.DELETES ? g.counter("deleted") : null;
        stagedProgress = getRuntimeContext().getLongCounter("snapsync.staged." + table);
    }

    /** The config's table name: the operator is named "stage upserts <table>" (see SyncPipeline). */
    private String tableName() {
        String n = getOperatorName();
        int i = n.indexOf(' ', n.indexOf(' ') + 1);
        return i < 0 ? n : n.substring(i + 1);
    }

    @Override
    public void processElement(StreamRecord<Change> record) throws Exception {
        if (error != null) {
            return;
        }
        try {
            stage(record.getValue());
        } catch (Exception e) {
            giveUpOrThrow(e);
        }
    }

    /** Bad data (a retry would stage the same row) or the last attempt: the table fails, not the job. */
    private void giveUpOrThrow(Exception e) throws Exception {
        if (!Attempts.endsTable(getRuntimeContext(), e)) {
            throw e;
        }
        error = Errors.describe(e);
        closeCopy();
    }

    private void stage(Change c) throws Exception {
        if (validator != null) {
            validator.require(c.row, c.key);
        }
        if (copy == null) {
            startCopy();
        }
        if (parts != null) {
            encoder.appendRow(c.row);
        } else {
            encoder.appendRow(c.kind == ChangeKind.DELETE ? Keys.toBytes(c.key) : c.row, subtask, attempt, rows);
        }
        rows++;
        stagedMetric.inc();
        stagedProgress.add(1L);
        if (c.kind == ChangeKind.INSERT) {
            inserted++;
            insertedMetric.inc();
        } else if (c.kind == ChangeKind.UPDATE) {
            updated++;
            updatedMetric.inc();
        } else {
            deletedMetric.inc();
        }
        if (encoder.length() >= FLUSH_BYTES) {
            flush();
        }
        if (rows == CommitHook.AFTER_ROWS) {
            flush();
            hook.at(CommitHook.Point.STAGING_COPYING);
        }
    }

    private void startCopy() throws SQLException {
        connection = target.connect();
        connection.setAutoCommit(false);
        copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn((parts != null ? loadCopySql(staging, columns) : copySql(staging, columns))
                + encoder.options());
    }

    private void flush() throws SQLException {
        if (encoder.length() > 0) {
            copy.writeToCopy(encoder.buffer(), 0, encoder.length());
            encoder.clear();
        }
    }

    @Override
    public void endInput() throws Exception {
        if (error == null) {
            try {
                finishCopy();
            } catch (Exception e) {
                giveUpOrThrow(e);
            }
        }
        output.collect(new StreamRecord<>(error != null ? new WriteResult.Failed(kind, subtask, attempt, error)
                : new WriteResult.StagedPart(kind, subtask, attempt, rows, inserted, updated)));
    }

    private void finishCopy() throws Exception {
        if (copy != null) {
            encoder.finish();
            flush();
            long copied = copy.endCopy();
            copy = null;
            if (copied != rows) {
                throw new IllegalStateException("COPY into " + staging + " stored " + copied + " rows, expected " + rows);
            }
            if (parts != null) {
                SwapLoad.recordPart(connection, parts, subtask, attempt, rows);
            }
            connection.commit();
            hook.at(CommitHook.Point.STAGING_COMMITTED);
        }
    }

    @Override
    public void close() throws Exception {
        closeCopy();
        super.close();
    }

    private void closeCopy() throws SQLException {
        try {
            if (copy != null && copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the connection is going away anyway; an uncommitted COPY rolls back with it
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
        copy = null;
    }
}
