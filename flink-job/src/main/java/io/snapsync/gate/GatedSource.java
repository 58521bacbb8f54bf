package io.snapsync.gate;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any bounded FLIP-27 source, reading only while its table holds one of the run's read permits
 * ({@link ReadPermits}). A source has no inputs, so no scheduling dependency can hold it back: the gate sits in its
 * enumerator instead (in the JobManager, where every table's enumerator of the job runs), which hands the wrapped
 * enumerator its readers' calls only while the table holds a permit ({@link TableReadState} decides). The wrapped
 * reader tells the enumerator when it has read everything ({@link ReadEnded}, as Flink's HybridSource does), and
 * the permit goes back once every reader that got a split has.
 *
 * <p>Needs a pull-based enumerator (splits handed out on request, "no more splits" when none are left), as JDBC
 * and file sources are: then one running reader of the permit holder reads all its splits, and no deadlock arises
 * however few slots there are. Splits, readers and checkpoints are the wrapped source's own.
 */
public final class GatedSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {
    private static final Logger LOG = LoggerFactory.getLogger(GatedSource.class);

    private final Source<T, SplitT, EnumChkT> inner;
    private final TypeInformation<T> type;
    private final String gateId;
    private final int limit;
    private final String table;

    GatedSource(Source<T, SplitT, EnumChkT> inner, TypeInformation<T> type, String gateId, int limit, String table) {
        if (inner.getBoundedness() != Boundedness.BOUNDED) {
            throw new IllegalArgumentException("only a bounded source can be gated: an unbounded one never returns its permit");
        }
        this.inner = inner;
        this.type = type;
        this.gateId = gateId;
        this.limit = limit;
        this.table = table;
    }

    /** Sent by a reader that has read every split it got and was told there are no more. */
    public static final class ReadEnded implements SourceEvent {
        private static final long serialVersionUID = 1L;
    }

    @Override
    public Boundedness getBoundedness() {
        return inner.getBoundedness();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(inner.createReader(context), context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context) throws Exception {
        Enumerator<SplitT, EnumChkT> e = new Enumerator<>(context, gateId, limit, table);
        e.inner = inner.createEnumerator(e.context);
        return e;
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint)
            throws Exception {
        Enumerator<SplitT, EnumChkT> e = new Enumerator<>(context, gateId, limit, table);
        e.inner = inner.restoreEnumerator(e.context, checkpoint);
        return e;
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return inner.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return inner.getEnumeratorCheckpointSerializer();
    }

    @Override
    public Set<? extends WatermarkDeclaration> declareWatermarks() {
        return inner.declareWatermarks();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }

    /** The wrapped enumerator behind the gate; every method runs in the source coordinator's thread. */
    static final class Enumerator<SplitT extends SourceSplit, C> implements SplitEnumerator<SplitT, C> {
        private final SplitEnumeratorContext<SplitT> flink;
        final Context<SplitT> context;
        private final String gateId;
        private final String table;
        private final ReadPermits permits;
        private final TableReadState state = new TableReadState();
        SplitEnumerator<SplitT, C> inner;
        private volatile boolean closed;

        Enumerator(SplitEnumeratorContext<SplitT> flink, String gateId, int limit, String table) {
            this.flink = flink;
            this.context = new Context<>(flink, this);
            this.gateId = gateId;
            this.table = table;
            this.permits = ReadPermits.join(gateId, limit);
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public void addReader(int subtask) {
            call(new TableReadState.ReaderAdded(subtask));
        }

        @Override
        public void handleSplitRequest(int subtask, String host) {
            call(new TableReadState.SplitRequest(subtask, host));
        }

        private void call(TableReadState.Call call) {
            switch (state.onCall(call)) {
                case PASS -> {
                    pass(call);
                    releaseIfDone();
                }
                case ASK_PERMIT -> {
                    if (permits.acquire(table, () -> runHere(this::granted))) {
                        granted();
                    } else {
                        LOG.info("{}: waiting to read its source: {} of {} tables read now ({}), waiting: {}", table,
                                permits.holders().size(), permits.limit(), permits.holders(), permits.waiting());
                    }
                }
                case QUEUED -> { }
            }
        }

        private void runHere(Runnable r) {
            try {
                flink.runInCoordinatorThread(r);
            } catch (RuntimeException e) { // the coordinator is shutting down: close() gives the permit back
                LOG.debug("{}: permit granted while closing", table, e);
            }
        }

        private void granted() {
            if (closed || state.phase() != TableReadState.Phase.WAITING) {
                permits.release(table);
                return;
            }
            List<TableReadState.Call> calls = state.onGranted();
            LOG.info("{}: reading its source ({} of {} tables at once{})", table, permits.holders().size(), permits.limit(),
                    state.reads() > 1 ? ", again after a failed reader" : "");
            Map<Integer, ReaderInfo> registered = flink.registeredReaders();
            for (TableReadState.Call c : calls) {
                if (registered.containsKey(c.subtask())) { // a reader that failed while waiting has no call left
                    pass(c);
                }
            }
            releaseIfDone();
        }

        private void pass(TableReadState.Call call) {
            if (call instanceof TableReadState.SplitRequest r) {
                inner.handleSplitRequest(r.subtask(), r.host());
            } else {
                inner.addReader(call.subtask());
            }
        }

        void releaseIfDone() {
            switch (state.settle(flink.registeredReaders().keySet())) {
                case DONE -> {
                    LOG.info("{}: source read to the end, read permit returned", table);
                    permits.release(table);
                }
                case YIELD -> {
                    LOG.info("{}: a failed reader's splits wait for it to restart: read permit returned until it does", table);
                    permits.release(table);
                }
                case KEEP -> { }
            }
        }

        @Override
        public void addSplitsBack(List<SplitT> splits, int subtask) {
            state.onSplitsBack(subtask);
            inner.addSplitsBack(splits, subtask);
            releaseIfDone();
        }

        @Override
        public void handleSourceEvent(int subtask, SourceEvent event) {
            if (event instanceof ReadEnded) {
                state.onReaderFinished(subtask);
                releaseIfDone();
            } else {
                inner.handleSourceEvent(subtask, event);
            }
        }

        @Override
        public C snapshotState(long checkpointId) throws Exception {
            return inner.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            inner.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                ReadPermits.leave(gateId, permits, table);
            }
            inner.close();
        }

        void assigned(int subtask) {
            if (!state.onAssigned(subtask)) {
                LOG.warn("{}: its source assigned a split outside a read permit (phase {}): this read may overlap others",
                        table, state.phase());
            }
        }

        void noMoreSplits(int subtask) {
            state.onNoMoreSplits(subtask);
            releaseIfDone();
        }
    }

    /** Flink's enumerator context, watching what the wrapped enumerator assigns. */
    static final class Context<SplitT extends SourceSplit> implements SplitEnumeratorContext<SplitT> {
        private final SplitEnumeratorContext<SplitT> flink;
        private final Enumerator<SplitT, ?> gate;

        Context(SplitEnumeratorContext<SplitT> flink, Enumerator<SplitT, ?> gate) {
            this.flink = flink;
            this.gate = gate;
        }

        @Override
        public void assignSplits(SplitsAssignment<SplitT> assignment) {
            assignment.assignment().forEach((subtask, splits) -> {
                if (!splits.isEmpty()) {
                    gate.assigned(subtask);
                }
            });
            flink.assignSplits(assignment);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            flink.signalNoMoreSplits(subtask);
            gate.noMoreSplits(subtask);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return flink.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtask, SourceEvent event) {
            flink.sendEventToSourceReader(subtask, event);
        }

        @Override
        public void sendEventToSourceReader(int subtask, int attempt, SourceEvent event) {
            flink.sendEventToSourceReader(subtask, attempt, event);
        }

        @Override
        public int currentParallelism() {
            return flink.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return flink.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return flink.registeredReadersOfAttempts();
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            flink.callAsync(callable, handler);
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
            flink.callAsync(callable, handler, initialDelay, period);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            flink.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            flink.setIsProcessingBacklog(isProcessingBacklog);
        }
    }

    /** The wrapped reader; tells the enumerator once it has read to the end. */
    static final class Reader<T, SplitT extends SourceSplit> implements SourceReader<T, SplitT> {
        private final SourceReader<T, SplitT> inner;
        private final SourceReaderContext context;
        private boolean ended;

        Reader(SourceReader<T, SplitT> inner, SourceReaderContext context) {
            this.inner = inner;
            this.context = context;
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            InputStatus status = inner.pollNext(output);
            if (status == InputStatus.END_OF_INPUT && !ended) {
                ended = true;
                context.sendSourceEventToCoordinator(new ReadEnded());
            }
            return status;
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return inner.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return inner.isAvailable();
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            inner.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            inner.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            inner.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            inner.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(java.util.Collection<String> pause, java.util.Collection<String> resume) {
            inner.pauseOrResumeSplits(pause, resume);
        }

        @Override
        public void close() throws Exception {
            inner.close();
        }
    }
}
