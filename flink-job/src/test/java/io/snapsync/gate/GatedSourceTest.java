package io.snapsync.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gate's enumerator around a real pull-based enumerator (Flink's NumberSequenceSource: one split per reader,
 * handed out on request), two tables sharing one permit, each enumerator on its own coordinator thread (Flink's
 * mock context). Every call goes through that thread, as the source coordinator makes it.
 */
class GatedSourceTest {
    private final ReadGate gate = new ReadGate("run-" + System.nanoTime(), 1);
    private final Table a = new Table("a");
    private final Table b = new Table("b");

    @AfterEach
    void close() throws Exception {
        a.close();
        b.close();
        assertThat(ReadPermits.pools()).as("the run's pool goes with its last enumerator").isZero();
    }

    /** One table's enumerator, driven as Flink's source coordinator drives it. */
    final class Table {
        final MockSplitEnumeratorContext<NumberSequenceSource.NumberSequenceSplit> context = new MockSplitEnumeratorContext<>(2);
        final SplitEnumerator<NumberSequenceSource.NumberSequenceSplit, ?> enumerator;
        boolean closed;

        Table(String name) {
            Source<Long, NumberSequenceSource.NumberSequenceSplit, ?> source = gate.wrap(new NumberSequenceSource(1, 100), name);
            try {
                enumerator = source.createEnumerator(context);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            run(enumerator::start);
        }

        /** Runs {@code r} on the coordinator thread and waits for it (and for everything queued there before it). */
        void run(Runnable r) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            context.runInCoordinatorThread(() -> {
                try {
                    r.run();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            done.join();
        }

        void readerStarts(int subtask) {
            context.registerReader(new ReaderInfo(subtask, "localhost"));
            run(() -> enumerator.addReader(subtask));
            run(() -> enumerator.handleSplitRequest(subtask, "localhost"));
        }

        void readerAsks(int subtask) {
            run(() -> enumerator.handleSplitRequest(subtask, "localhost"));
        }

        void readerEnds(int subtask) {
            run(() -> enumerator.handleSourceEvent(subtask, new GatedSource.ReadEnded()));
        }

        /** Splits assigned so far, per assignment, as "subtask:count". */
        List<String> assigned() {
            run(() -> { });
            return context.getSplitsAssignmentSequence().stream().map(GatedSourceTest::describe).toList();
        }

        void close() throws Exception {
            if (!closed) {
                closed = true;
                run(() -> {
                    try {
                        enumerator.close();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                context.close();
            }
        }
    }

    private static String describe(SplitsAssignment<?> s) {
        StringBuilder out = new StringBuilder();
        s.assignment().forEach((subtask, splits) -> out.append(subtask).append(':').append(splits.size()));
        return out.toString();
    }

    @Test
    void theSecondTableGetsItsSplitsOnlyOnceTheFirstHasReadItsOwn() {
        a.readerStarts(0);
        b.readerStarts(0);
        b.readerStarts(1);
        assertThat(a.assigned()).containsExactly("0:1");
        assertThat(b.assigned()).as("b waits, its readers idle in their slots").isEmpty();

        a.readerAsks(0); // reader 0 of a takes a's second split too: a reads to the end with the one slot it has
        a.readerAsks(0); // nothing left
        assertThat(a.assigned()).containsExactly("0:1", "0:1");
        assertThat(a.context.hasNoMoreSplits(0)).isTrue();
        assertThat(b.assigned()).isEmpty();

        a.readerEnds(0);
        b.run(() -> { }); // the permit reached b through b's coordinator thread
        assertThat(b.assigned()).containsExactly("0:1", "1:1");

        a.readerStarts(1); // a's second reader, started late: told there is nothing left, no permit needed
        assertThat(a.context.hasNoMoreSplits(1)).isTrue();
        assertThat(a.assigned()).hasSize(2);
    }

    @Test
    void aReaderThatFailedWhileWaitingGetsNothingAndItsTablePassesThePermitOn() {
        a.readerStarts(0);
        b.readerStarts(0);
        b.context.unregisterReader(0); // b's only reader failed while it waited

        a.readerAsks(0);
        a.readerAsks(0);
        a.readerEnds(0);
        b.run(() -> { });
        assertThat(b.assigned()).as("nothing for a reader that is gone").isEmpty();

        Table c = new Table("c");
        try {
            c.readerStarts(0);
            assertThat(c.assigned()).as("b gave the permit up: no running reader could use it").containsExactly("0:1");
            c.readerAsks(0);
            c.readerAsks(0);
            c.readerEnds(0);

            b.readerStarts(0); // b's restarted reader
            assertThat(b.assigned()).containsExactly("0:1");
        } finally {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aClosedEnumeratorHandsItsPermitOn() throws Exception {
        a.readerStarts(0);
        b.readerStarts(0);
        assertThat(b.assigned()).isEmpty();
        a.close(); // the job failed over or was cancelled
        b.run(() -> { });
        assertThat(b.assigned()).containsExactly("0:1");
    }

    @Test
    void splitsGivenBackAreReadAgainUnderThePermitWhenAnotherReaderCanTakeThem() {
        a.readerStarts(0);
        a.readerStarts(1);
        b.readerStarts(0);
        assertThat(a.assigned()).containsExactly("0:1", "1:1");
        // reader 0 fails: Flink unregisters it and gives its split back
        a.context.unregisterReader(0);
        List<NumberSequenceSource.NumberSequenceSplit> back = a.context.getSplitsAssignmentSequence().get(0).assignment().get(0);
        a.run(() -> a.enumerator.addSplitsBack(back, 0));
        a.readerAsks(1); // reader 1 finished its split and takes the one that came back
        assertThat(a.assigned()).containsExactly("0:1", "1:1", "1:1");
        assertThat(b.assigned()).isEmpty();
        a.readerAsks(1);
        a.readerEnds(1);
        b.run(() -> { });
        assertThat(b.assigned()).containsExactly("0:1");
    }
}
