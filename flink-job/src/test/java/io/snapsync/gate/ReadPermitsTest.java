package io.snapsync.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadPermitsTest {
    private final List<String> granted = new ArrayList<>();

    private Runnable grant(String member) {
        return () -> granted.add(member);
    }

    @Test
    void atMostLimitHoldAPermitAndTheOthersAreGrantedInTheOrderTheyAsked() {
        ReadPermits p = new ReadPermits(2);
        assertThat(p.acquire("a", grant("a"))).isTrue();
        assertThat(p.acquire("b", grant("b"))).isTrue();
        assertThat(p.acquire("c", grant("c"))).isFalse();
        assertThat(p.acquire("d", grant("d"))).isFalse();
        assertThat(p.holders()).containsExactlyInAnyOrder("a", "b");
        assertThat(p.waiting()).containsExactly("c", "d");
        assertThat(granted).isEmpty();

        p.release("b");
        assertThat(granted).containsExactly("c");
        assertThat(p.holders()).containsExactlyInAnyOrder("a", "c");
        p.release("a");
        assertThat(granted).containsExactly("c", "d");
        assertThat(p.waiting()).isEmpty();
    }

    @Test
    void aNewcomerDoesNotOvertakeTheLine() {
        ReadPermits p = new ReadPermits(1);
        assertThat(p.acquire("a", grant("a"))).isTrue();
        assertThat(p.acquire("b", grant("b"))).isFalse();
        // asking again while holding or waiting changes nothing
        assertThat(p.acquire("a", grant("a"))).isTrue();
        assertThat(p.acquire("b", grant("b"))).isFalse();
        assertThat(p.waiting()).containsExactly("b");
        p.release("a");
        assertThat(granted).containsExactly("b");
        assertThat(p.acquire("a", grant("a"))).as("b holds the only permit").isFalse();
    }

    @Test
    void releasingWithoutAPermitGrantsNothing() {
        ReadPermits p = new ReadPermits(1);
        p.acquire("a", grant("a"));
        p.acquire("b", grant("b"));
        p.release("b"); // b only waits
        p.release("x");
        assertThat(granted).isEmpty();
        assertThat(p.holders()).containsExactly("a");
    }

    @Test
    void aWithdrawnMemberLeavesTheLineOrHandsItsPermitOn() {
        ReadPermits p = new ReadPermits(1);
        p.acquire("a", grant("a"));
        p.acquire("b", grant("b"));
        p.acquire("c", grant("c"));
        p.withdraw("b"); // gone while waiting: never granted
        p.withdraw("a"); // gone while holding (its enumerator closed, e.g. the job failed over): the permit goes on
        assertThat(granted).containsExactly("c");
        assertThat(p.holders()).containsExactly("c");
    }

    @Test
    void eachRunHasItsOwnPoolWhichGoesAwayWithItsLastMember() {
        int before = ReadPermits.pools();
        ReadPermits run1 = ReadPermits.join("run-1", 1);
        ReadPermits run1b = ReadPermits.join("run-1", 1);
        ReadPermits run2 = ReadPermits.join("run-2", 1);
        assertThat(run1b).isSameAs(run1);
        assertThat(run2).isNotSameAs(run1);
        assertThat(run1.acquire("t", grant("t"))).isTrue();
        assertThat(run2.acquire("t", grant("t"))).as("another job in the same JVM").isTrue();
        assertThat(ReadPermits.pools()).isEqualTo(before + 2);

        ReadPermits.leave("run-1", run1, "t");
        ReadPermits.leave("run-1", run1b, "u");
        ReadPermits.leave("run-2", run2, "t");
        assertThat(ReadPermits.pools()).isEqualTo(before);
        assertThat(ReadPermits.join("run-1", 1).holders()).as("a fresh pool").isEmpty();
        ReadPermits.leave("run-1", ReadPermits.join("run-1", 1), "x");
    }

    @Test
    void aPoolNeedsAPermit() {
        assertThatThrownBy(() -> new ReadPermits(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
