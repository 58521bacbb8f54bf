package io.snapsync.gate;

import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * How many tables of one run read their source at once ({@code job.concurrent-tables}): the sources this gate
 * wraps share one pool of {@code limit} read permits, named by the run id (see {@link GatedSource}).
 *
 * @param runId names the run's permit pool in the JobManager
 * @param limit permits; 0 for no gate (every table reads as soon as it gets slots)
 */
public record ReadGate(String runId, int limit) implements Serializable {
    /** No limit: sources are not wrapped. */
    public static final ReadGate NONE = new ReadGate("", 0);

    /** The gate for a run of {@code tables} tables: none when the limit lets them all read at once anyway. */
    public static ReadGate of(String runId, int limit, int tables) {
        return limit >= tables ? NONE : new ReadGate(runId, limit);
    }

    public boolean gates() {
        return limit > 0;
    }

    /** {@code source} reading only while {@code table} holds one of the run's read permits. */
    public <T, S extends SourceSplit, E> Source<T, S, E> wrap(Source<T, S, E> source, String table) {
        if (!(source instanceof ResultTypeQueryable<?> typed)) {
            throw new IllegalArgumentException("a source without its produced type: use wrap(source, type, table)");
        }
        @SuppressWarnings("unchecked")
        TypeInformation<T> type = (TypeInformation<T>) typed.getProducedType();
        return wrap(source, type, table);
    }

    public <T, S extends SourceSplit, E> Source<T, S, E> wrap(Source<T, S, E> source, TypeInformation<T> type, String table) {
        return gates() ? new GatedSource<>(source, type, runId, limit, table) : source;
    }
}
