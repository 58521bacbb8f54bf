package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SplitPlanner;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Test code: a whole table read through the snapshot reader (one split, the source's order), rows with a NULL key left out. */
final class SourceRows {
    private SourceRows() {}

    static List<SnapshotRow> withKeys(JdbcEndpoint endpoint, TableSchema schema, TableName table) {
        List<SnapshotRow> out = new ArrayList<>();
        try (JdbcSnapshotSource.RowIterator it = JdbcSnapshotSource.rows(endpoint, SplitPlanner.single(schema, table).sql(), schema, 7,
                EncoderOptions.strict("t"), new Serializable[0])) {
            while (it.hasNext()) {
                SnapshotRow r = it.next();
                assertThat(r.has(SnapshotRow.ERROR)).as("read error").isFalse();
                if (!r.has(SnapshotRow.NULL_KEY)) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
