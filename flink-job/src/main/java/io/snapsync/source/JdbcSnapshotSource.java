package io.snapsync.source;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.fault.CommitHook;
import io.snapsync.row.BadDataException;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.JdbcRowEncoder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceEnumerator;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.InstantiationUtil;

/**
 * Today's snapshot as a bounded, parallel Flink source: one split per {@link SourceQuery} parameter
 * row, each streamed through its own cursor ({@code fetchSize} rows at a time, inside a read-only
 * transaction, as PostgreSQL and Redshift require for cursor-based fetching).
 *
 * <p>Built on Flink's iterator source enumerator rather than flink-connector-jdbc 4.0.0, whose split
 * reader re-uses a connection it has already closed (FLINK-39975), ignores a custom connection provider
 * (FLINK-36236), and by default skips partly-read splits after a failover. Here a retried split is
 * always re-read from its start; the failed attempt's output is discarded by the batch scheduler.
 */
public final class JdbcSnapshotSource
        implements Source<SnapshotRow, JdbcSnapshotSource.QuerySplit, Collection<JdbcSnapshotSource.QuerySplit>>,
                ResultTypeQueryable<SnapshotRow> {

    /** What every split of one read shares. */
    public record QuerySpec(JdbcEndpoint endpoint, String sql, TableSchema schema, int fetchSize, EncoderOptions encoding,
                            CommitHook hook, boolean ordered) implements Serializable {}

    private final QuerySpec spec;
    private final SourceQuery query;

    public JdbcSnapshotSource(JdbcEndpoint endpoint, SourceQuery query, TableSchema schema, int fetchSize, EncoderOptions encoding) {
        this(endpoint, query, schema, fetchSize, encoding, CommitHook.NONE);
    }

    /** @param hook test-only fault injection at {@link CommitHook.Point#SOURCE_READ} */
    public JdbcSnapshotSource(JdbcEndpoint endpoint, SourceQuery query, TableSchema schema, int fetchSize, EncoderOptions encoding,
                              CommitHook hook) {
        this(endpoint, query, schema, fetchSize, encoding, hook, false);
    }

    private JdbcSnapshotSource(JdbcEndpoint endpoint, SourceQuery query, TableSchema schema, int fetchSize, EncoderOptions encoding,
                               CommitHook hook, boolean ordered) {
        this.spec = new QuerySpec(endpoint, query.sql(), schema, fetchSize, encoding, hook, ordered);
        this.query = query;
    }

    /**
     * The ordered read of {@code query} (already ORDER BY the key, its splits key ranges): each split's rows
     * are preceded by a {@link SplitRange#marker marker row} naming its range, and the splits are assigned
     * statically, contiguous ranges per subtask read in ascending order (see {@link RangeSplitAssigner}), so
     * that a subtask's output is in key order and its cache file covers one key range.
     */
    public static JdbcSnapshotSource ordered(JdbcEndpoint endpoint, SourceQuery query, TableSchema schema, int fetchSize,
                                             EncoderOptions encoding, CommitHook hook) {
        if (!query.ranged()) {
            throw new IllegalArgumentException("an ordered read needs key-range splits: " + query);
        }
        return new JdbcSnapshotSource(endpoint, query, schema, fetchSize, encoding, hook, true);
    }

    /** One query's rows, streamed through a cursor: the ordered diff's read of the live target. Close it when done. */
    public static RowIterator rows(JdbcEndpoint endpoint, String sql, TableSchema schema, int fetchSize, EncoderOptions encoding,
                                   Serializable[] params) {
        return new RowIterator(new QuerySpec(endpoint, sql, schema, fetchSize, encoding, CommitHook.NONE, false), params);
    }

    /** As {@link #rows(JdbcEndpoint, String, TableSchema, int, EncoderOptions, Serializable[])}, read the way {@code dialect} reads. */
    static RowIterator rows(JdbcEndpoint endpoint, String sql, TableSchema schema, int fetchSize, EncoderOptions encoding,
                            SourceDialect dialect, Serializable[] params) {
        return new RowIterator(new QuerySpec(endpoint, sql, schema, fetchSize, encoding, CommitHook.NONE, false), params, dialect);
    }

    List<QuerySplit> splits() {
        List<QuerySplit> out = new ArrayList<>();
        if (query.splits() == null) {
            out.add(new QuerySplit("0", spec, new Serializable[0]));
        } else {
            for (int i = 0; i < query.splits().length; i++) {
                out.add(new QuerySplit(Integer.toString(i), spec, query.splits()[i]));
            }
        }
        return out;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<SnapshotRow, QuerySplit> createReader(SourceReaderContext context) {
        return new QuerySplitReader(context);
    }

    @Override
    public SplitEnumerator<QuerySplit, Collection<QuerySplit>> createEnumerator(SplitEnumeratorContext<QuerySplit> context) {
        return spec.ordered() ? new RangeSplitAssigner<>(context, splits()) : new IteratorSourceEnumerator<>(context, splits());
    }

    @Override
    public SplitEnumerator<QuerySplit, Collection<QuerySplit>> restoreEnumerator(
            SplitEnumeratorContext<QuerySplit> context, Collection<QuerySplit> checkpoint) {
        return spec.ordered() ? new RangeSplitAssigner<>(context, checkpoint) : new IteratorSourceEnumerator<>(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<QuerySplit> getSplitSerializer() {
        return new JavaSerializer<>();
    }

    @Override
    public SimpleVersionedSerializer<Collection<QuerySplit>> getEnumeratorCheckpointSerializer() {
        return new JavaSerializer<>();
    }

    @Override
    public TypeInformation<SnapshotRow> getProducedType() {
        return TypeInformation.of(SnapshotRow.class);
    }

    /** One query with its bound parameters. */
    public static final class QuerySplit implements IteratorSourceSplit<SnapshotRow, RowIterator>, RangeSplitAssigner.Indexed, Serializable {
        private final String id;
        private final QuerySpec spec;
        private final Serializable[] params;

        QuerySplit(String id, QuerySpec spec, Serializable[] params) {
            this.id = id;
            this.spec = spec;
            this.params = params;
        }

        @Override
        public String splitId() {
            return id;
        }

        /** The split's position in the query's split list: range splits ascend with it. */
        @Override
        public int index() {
            return Integer.parseInt(id);
        }

        @Override
        public RowIterator getIterator() {
            return new RowIterator(spec, params);
        }

        @Override
        public IteratorSourceSplit<SnapshotRow, RowIterator> getUpdatedSplitForIterator(RowIterator iterator) {
            return this; // batch reads never restore mid-split: a retried split starts over
        }

        @Override
        public String toString() {
            return "QuerySplit[" + id + "]";
        }
    }

    /** Streams one split's rows; closes its statement and connection when the rows run out. */
    public static final class RowIterator implements Iterator<SnapshotRow>, AutoCloseable {
        private final QuerySpec spec;
        /** Ordered reads: the split's range marker is still to be emitted, ahead of its rows. */
        private boolean markerPending;
        private final Serializable[] params;
        private final JdbcRowEncoder encoder;
        private Connection connection;
        private PreparedStatement statement;
        private ResultSet rs;
        private Boolean ready;
        private boolean done;
        private long emitted;

        private final SourceDialect dialect;

        RowIterator(QuerySpec spec, Serializable[] params) {
            this(spec, params, SourceDialect.of(spec.endpoint()));
        }

        RowIterator(QuerySpec spec, Serializable[] params, SourceDialect dialect) {
            this.spec = spec;
            this.params = params;
            this.dialect = dialect;
            this.encoder = new JdbcRowEncoder(spec.schema(), spec.encoding());
            this.markerPending = spec.ordered();
        }

        @Override
        public boolean hasNext() {
            if (markerPending) {
                return true;
            }
            if (done) {
                return false;
            }
            if (ready == null) {
                try {
                    if (rs == null) {
                        open();
                    }
                    ready = rs.next();
                } catch (SQLException e) {
                    close();
                    throw new IllegalStateException("reading the source failed: " + e.getMessage(), e);
                }
                if (!ready) {
                    close();
                    done = true;
                }
            }
            return ready;
        }

        @Override
        public SnapshotRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (markerPending) {
                markerPending = false;
                return SplitRange.marker(params.length == 0 ? SplitRange.ALL : SplitRange.of(params));
            }
            ready = null;
            try {
                SnapshotRow row = encoder.encode(rs);
                if (++emitted == CommitHook.AFTER_ROWS) {
                    spec.hook().at(CommitHook.Point.SOURCE_READ);
                }
                return row;
            } catch (BadDataException e) {
                close();
                done = true; // bad data: a retry would read the same row; the rest of the split is not read
                return SnapshotRow.error(e.getMessage());
            } catch (SQLException e) {
                close();
                throw new IllegalStateException("reading a source row failed: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                close();
                throw e;
            } catch (Exception e) {
                close();
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        private void open() throws SQLException {
            connection = spec.endpoint().withDefaultProperties(dialect.readProperties()).connect();
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            statement = connection.prepareStatement(spec.sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(spec.fetchSize());
            dialect.prepareRead(statement);
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            rs = statement.executeQuery();
            encoder.textAsBytes(dialect.textAsBytes(rs));
            encoder.binaryColumns(dialect.binaryColumns(rs));
        }

        @Override
        public void close() {
            try {
                if (connection != null) {
                    connection.rollback(); // read-only: nothing to keep, and it ends the cursor's transaction
                    connection.close();
                }
            } catch (SQLException ignored) {
                // the rows were read or the read failed; either way the connection is done
            }
            connection = null;
            statement = null;
            rs = null;
        }
    }

    /** Java serialization for splits and enumerator state: both are small and only live within a job. */
    public static final class JavaSerializer<T> implements SimpleVersionedSerializer<T> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(T obj) throws IOException {
            return InstantiationUtil.serializeObject(obj instanceof Collection<?> c ? new ArrayList<>(c) : obj);
        }

        @Override
        public T deserialize(int version, byte[] serialized) throws IOException {
            try {
                return InstantiationUtil.deserializeObject(serialized, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IOException(e);
            }
        }
    }
}
