package io.snapsync.source;

import io.snapsync.row.SnapshotRow;
import java.util.Iterator;
import org.apache.flink.api.connector.source.SourceReaderContext;

/** Streams each query split through its own cursor ({@link JdbcSnapshotSource.RowIterator}, closed when the task ends early). */
final class QuerySplitReader extends SequentialSplitReader<JdbcSnapshotSource.QuerySplit> {
    QuerySplitReader(SourceReaderContext context) {
        super(context);
    }

    @Override
    protected Iterator<SnapshotRow> open(JdbcSnapshotSource.QuerySplit split) {
        return split.getIterator();
    }
}
