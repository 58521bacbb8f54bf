package io.snapsync.gate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where one table's read stands, as its source enumerator sees it (single-threaded: the enumerator's coordinator
 * thread). Reader calls (registration, split requests) reach the wrapped enumerator only while the table holds a
 * read permit; until then they are queued. A permit is asked for only when a reader calls, i.e. when one of the
 * table's readers already runs in a slot: the table that holds a permit can always read to the end with the
 * slots it has (a pull-based enumerator hands every split to whichever reader asks), however many waiting
 * tables' readers sit idle in other slots. So no deadlock when slots are scarce.
 *
 * <p>The read is over (permit returned) when the wrapped enumerator has said "no more splits" to a reader (for a
 * pull-based enumerator: its splits are all handed out) and every reader that got a split has reported the end
 * of its input. Splits given back (a reader failed) reopen the read. A table keeps its permit only while a running
 * reader can still take splits: if the splits that came back can only be read by a restarted reader (which needs a
 * slot, perhaps one a waiting table's idle reader holds), the table gives its permit up and asks again when that
 * reader calls. After the permit was returned, a re-read asks for one again too.
 */
public final class TableReadState {
    /** A reader's call on the enumerator. */
    public sealed interface Call permits ReaderAdded, SplitRequest {
        int subtask();
    }

    public record ReaderAdded(int subtask) implements Call {}

    public record SplitRequest(int subtask, String host) implements Call {}

    public enum Phase {
        /** no reader has called yet: no permit asked for */
        IDLE,
        /** asked for a permit, calls queued */
        WAITING,
        /** holds a permit: calls pass */
        READING,
        /** read to the end, permit returned: calls pass (the enumerator only says "no more splits") */
        DONE
    }

    /** What {@link #settle} decided about the permit. */
    public enum Settled {
        /** keep it (or none held) */
        KEEP,
        /** the read is over: return it */
        DONE,
        /** no running reader can take the splits left: give it back, ask again when a reader calls */
        YIELD
    }

    public enum Decision {
        /** hand the call to the wrapped enumerator now */
        PASS,
        /** queued: ask the pool for a permit now */
        ASK_PERMIT,
        /** queued: a permit has been asked for already */
        QUEUED
    }

    private Phase phase = Phase.IDLE;
    private final Set<Call> queued = new LinkedHashSet<>();
    /** readers that got splits and have not reported the end of their input */
    private final Set<Integer> unfinished = new HashSet<>();
    /** readers (of their current attempt) that reported the end of their input */
    private final Set<Integer> ended = new HashSet<>();
    /** readers (of their current attempt) told there are no more splits: they ask for none again */
    private final Set<Integer> toldNoMore = new HashSet<>();
    /** readers that failed (their splits came back) and have not registered again */
    private final Set<Integer> failed = new HashSet<>();
    private boolean exhausted;
    private int reads;

    public Phase phase() {
        return phase;
    }

    /** How often the table started reading with a permit (more than once after a failover re-read). */
    public int reads() {
        return reads;
    }

    public Decision onCall(Call call) {
        if (call instanceof ReaderAdded) { // a new reader attempt: it asks for splits again
            ended.remove(call.subtask());
            toldNoMore.remove(call.subtask());
            failed.remove(call.subtask());
        }
        switch (phase) {
            case READING, DONE:
                return Decision.PASS;
            case IDLE:
                queued.add(call);
                phase = Phase.WAITING;
                return Decision.ASK_PERMIT;
            default:
                queued.add(call);
                return Decision.QUEUED;
        }
    }

    /** The permit arrived: the queued calls, in order, to hand to the wrapped enumerator now. */
    public List<Call> onGranted() {
        if (phase != Phase.WAITING) {
            throw new IllegalStateException("a permit granted in phase " + phase);
        }
        phase = Phase.READING;
        reads++;
        List<Call> out = new ArrayList<>(queued);
        queued.clear();
        return out;
    }

    /**
     * The wrapped enumerator assigned splits to {@code subtask}. False when that happens without a permit (an
     * enumerator that assigns on its own, outside a reader's call): the read then overlaps others.
     */
    public boolean onAssigned(int subtask) {
        unfinished.add(subtask);
        return phase == Phase.READING;
    }

    public void onNoMoreSplits(int subtask) {
        exhausted = true;
        toldNoMore.add(subtask);
    }

    /** The reader of {@code subtask} read every split it got and was told there are no more. */
    public void onReaderFinished(int subtask) {
        unfinished.remove(subtask);
        ended.add(subtask);
    }

    /** The splits of a failed reader came back to the wrapped enumerator: they are read again. */
    public void onSplitsBack(int subtask) {
        unfinished.remove(subtask);
        failed.add(subtask);
        exhausted = false;
        if (phase == Phase.DONE) {
            phase = Phase.IDLE; // the re-read needs a permit again
        }
    }

    /**
     * Whether the permit goes back now, after any event. {@code running}: the readers registered now (their tasks
     * run in slots). DONE and YIELD are reported once per permit.
     */
    public Settled settle(Set<Integer> running) {
        if (phase != Phase.READING || !unfinished.isEmpty()) {
            return Settled.KEEP;
        }
        if (exhausted) {
            phase = Phase.DONE;
            return Settled.DONE;
        }
        for (int r : running) {
            if (!ended.contains(r) && !toldNoMore.contains(r) && !failed.contains(r)) {
                return Settled.KEEP; // it asks for splits again when it is done with its own
            }
        }
        phase = Phase.IDLE;
        return Settled.YIELD;
    }
}
