package io.snapsync.gate;

import static io.snapsync.gate.TableReadState.Decision.ASK_PERMIT;
import static io.snapsync.gate.TableReadState.Decision.PASS;
import static io.snapsync.gate.TableReadState.Decision.QUEUED;
import static io.snapsync.gate.TableReadState.Phase.DONE;
import static io.snapsync.gate.TableReadState.Phase.IDLE;
import static io.snapsync.gate.TableReadState.Phase.READING;
import static io.snapsync.gate.TableReadState.Phase.WAITING;
import static io.snapsync.gate.TableReadState.Settled.KEEP;
import static io.snapsync.gate.TableReadState.Settled.YIELD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.gate.TableReadState.ReaderAdded;
import io.snapsync.gate.TableReadState.SplitRequest;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableReadStateTest {
    private final TableReadState s = new TableReadState();

    @Test
    void readersCallsWaitForThePermitAndPassInOrderOnceItComes() {
        assertThat(s.phase()).isEqualTo(IDLE);
        assertThat(s.onCall(new ReaderAdded(0))).isEqualTo(ASK_PERMIT);
        assertThat(s.phase()).isEqualTo(WAITING);
        assertThat(s.onCall(new SplitRequest(0, "h"))).isEqualTo(QUEUED);
        assertThat(s.onCall(new ReaderAdded(1))).isEqualTo(QUEUED);
        assertThat(s.onCall(new SplitRequest(0, "h"))).as("the same call twice is one call").isEqualTo(QUEUED);
        assertThat(s.onGranted()).containsExactly(new ReaderAdded(0), new SplitRequest(0, "h"), new ReaderAdded(1));
        assertThat(s.phase()).isEqualTo(READING);
        assertThat(s.onCall(new SplitRequest(1, "h"))).isEqualTo(PASS);
    }

    @Test
    void thePermitGoesBackWhenNoSplitIsLeftAndEveryReaderThatGotOneHasFinished() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onAssigned(0);
        s.onCall(new SplitRequest(1, "h"));
        s.onAssigned(1);
        assertThat(s.settle(Set.of(0, 1))).isEqualTo(KEEP);
        s.onNoMoreSplits(0); // reader 0 asked again: nothing left
        assertThat(s.settle(Set.of(0, 1))).as("reader 1 still reads its split").isEqualTo(KEEP);
        s.onReaderFinished(0);
        assertThat(s.settle(Set.of(0, 1))).isEqualTo(KEEP);
        s.onReaderFinished(1);
        assertThat(s.settle(Set.of())).isEqualTo(TableReadState.Settled.DONE);
        assertThat(s.phase()).isEqualTo(DONE);
        assertThat(s.settle(Set.of())).as("once").isEqualTo(KEEP);
    }

    @Test
    void aReaderThatNeverGotASlotDoesNotHoldThePermit() {
        // parallelism 2, but only reader 0 got a slot: it reads every split; reader 1 comes after the permit went back
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onAssigned(0);
        s.onAssigned(0);
        s.onNoMoreSplits(0);
        s.onReaderFinished(0);
        assertThat(s.settle(Set.of())).isEqualTo(TableReadState.Settled.DONE);
        assertThat(s.onCall(new ReaderAdded(1))).as("no permit needed to hear there is nothing left").isEqualTo(PASS);
        assertThat(s.onCall(new SplitRequest(1, "h"))).isEqualTo(PASS);
        s.onNoMoreSplits(1);
        assertThat(s.settle(Set.of(0, 1))).isEqualTo(KEEP);
    }

    @Test
    void anEmptySnapshotReturnsThePermitAtOnce() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onNoMoreSplits(0);
        assertThat(s.settle(Set.of())).isEqualTo(TableReadState.Settled.DONE);
    }

    @Test
    void aFailedReadersSplitsAreTakenByAnotherRunningReaderUnderTheSamePermit() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onAssigned(0);
        s.onCall(new SplitRequest(1, "h"));
        s.onAssigned(1);
        s.onSplitsBack(0); // reader 0 failed: its split goes back to the pool
        // reader 1 still reads and asks again when done: it takes the split, no slot needed
        assertThat(s.settle(Set.of(1))).isEqualTo(KEEP);
        assertThat(s.onCall(new SplitRequest(1, "h"))).isEqualTo(PASS);
        s.onAssigned(1);
        s.onNoMoreSplits(1);
        s.onReaderFinished(1);
        assertThat(s.settle(Set.of(1))).isEqualTo(TableReadState.Settled.DONE);
    }

    @Test
    void aTableWhoseSplitsOnlyARestartedReaderCanReadGivesItsPermitUpUntilThatReaderCalls() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onAssigned(0);
        s.onCall(new SplitRequest(1, "h"));
        s.onAssigned(1);
        s.onNoMoreSplits(1);
        s.onReaderFinished(1); // reader 1 is done and asks for nothing more
        s.onSplitsBack(0); // reader 0 failed: only its restart (which needs a slot) reads its split again
        // the slot it needs may be held by a waiting table's idle reader: give the permit to that table
        assertThat(s.settle(Set.of(0, 1))).as("reader 0 counts as gone until it registers again").isEqualTo(YIELD);
        assertThat(s.phase()).isEqualTo(IDLE);
        assertThat(s.onCall(new ReaderAdded(0))).isEqualTo(ASK_PERMIT);
        assertThat(s.onCall(new SplitRequest(0, "h"))).isEqualTo(QUEUED);
        assertThat(s.onGranted()).containsExactly(new ReaderAdded(0), new SplitRequest(0, "h"));
        s.onAssigned(0);
        assertThat(s.settle(Set.of(0, 1))).isEqualTo(KEEP);
        s.onNoMoreSplits(0);
        s.onReaderFinished(0);
        assertThat(s.settle(Set.of(0, 1))).isEqualTo(TableReadState.Settled.DONE);
    }

    @Test
    void aTableKeepsItsPermitWhileAReaderFinishesItsLastSplit() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onAssigned(0);
        s.onCall(new SplitRequest(1, "h"));
        s.onAssigned(1);
        s.onNoMoreSplits(1); // reader 1 reads its last split
        s.onSplitsBack(0);
        assertThat(s.settle(Set.of(1))).as("reader 1 still reads under the permit").isEqualTo(KEEP);
        s.onReaderFinished(1);
        assertThat(s.settle(Set.of(1))).isEqualTo(YIELD);
    }

    @Test
    void aPermitGrantedAfterItsOnlyReaderFailedGoesOn() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted(); // reader 0 failed while its call waited: it is no longer registered
        assertThat(s.settle(Set.of())).isEqualTo(YIELD);
    }

    @Test
    void aReReadAfterThePermitWentBackAsksForOneAgain() {
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        s.onAssigned(0);
        s.onNoMoreSplits(0);
        s.onReaderFinished(0);
        assertThat(s.settle(Set.of())).isEqualTo(TableReadState.Settled.DONE);
        // the reader's output was lost later (a failover): its splits come back and are read again
        s.onSplitsBack(0);
        assertThat(s.phase()).isEqualTo(IDLE);
        assertThat(s.onCall(new SplitRequest(0, "h"))).isEqualTo(ASK_PERMIT);
        assertThat(s.onGranted()).containsExactly(new SplitRequest(0, "h"));
        assertThat(s.reads()).isEqualTo(2);
        s.onAssigned(0);
        assertThat(s.settle(Set.of(0, 1))).isEqualTo(KEEP);
        s.onNoMoreSplits(0);
        s.onReaderFinished(0);
        assertThat(s.settle(Set.of())).isEqualTo(TableReadState.Settled.DONE);
    }

    @Test
    void anAssignmentWithoutAPermitIsReported() {
        assertThat(s.onAssigned(0)).isFalse();
        s.onCall(new SplitRequest(0, "h"));
        s.onGranted();
        assertThat(s.onAssigned(0)).isTrue();
    }

    @Test
    void aPermitOnlyComesToAWaitingTable() {
        assertThatThrownBy(s::onGranted).isInstanceOf(IllegalStateException.class);
    }
}
