package io.snapsync.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.row.ChangeKind;
import org.junit.jupiter.api.Test;

class DiffDecisionTest {
    @Test
    void onlyInSnapshotIsInsert() {
        assertThat(DiffDecision.decide(true, 1, 2, false, 0, 0)).isEqualTo(ChangeKind.INSERT);
    }

    @Test
    void onlyInCacheIsDelete() {
        assertThat(DiffDecision.decide(false, 0, 0, true, 1, 2)).isEqualTo(ChangeKind.DELETE);
    }

    @Test
    void sameHashIsUnchanged() {
        assertThat(DiffDecision.decide(true, 1, 2, true, 1, 2)).isEqualTo(ChangeKind.UNCHANGED);
    }

    @Test
    void eitherHalfOfTheHashDifferingIsAnUpdate() {
        assertThat(DiffDecision.decide(true, 1, 2, true, 1, 3)).isEqualTo(ChangeKind.UPDATE);
        assertThat(DiffDecision.decide(true, 1, 2, true, 9, 2)).isEqualTo(ChangeKind.UPDATE);
    }

    @Test
    void neitherSideIsABug() {
        assertThatThrownBy(() -> DiffDecision.decide(false, 0, 0, false, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
