package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MassChangeGuardTest {
    private final MassChangeGuard guard = new MassChangeGuard(0.10, 0.50, false);

    @Test
    void ordinaryDaysPass() {
        assertThatCode(() -> guard.check("t", 1000, 1000, 500, 100)).doesNotThrowAnyException();
    }

    @Test
    void tooManyDeletesAreRefusedWithTheFigures() {
        assertThatThrownBy(() -> guard.check("t", 1000, 899, 0, 101))
                .isInstanceOf(MassChangeGuard.MassChangeException.class)
                .hasMessageContaining("delete 101 of 1000 rows (10.1%)").hasMessageContaining("--allow-mass-change");
    }

    @Test
    void tooManyUpdatesAreRefused() {
        assertThatThrownBy(() -> guard.check("t", 1000, 1000, 501, 0)).hasMessageContaining("update 501 of 1000");
    }

    @Test
    void anEmptySnapshotNeverEmptiesAFilledTarget() {
        assertThatThrownBy(() -> new MassChangeGuard(1.0, 1.0, false).check("t", 5, 0, 0, 5)).hasMessageContaining("refusing to empty t");
    }

    @Test
    void firstRunsAndExplicitPermissionPass() {
        assertThatCode(() -> guard.check("t", -1, 0, 0, 0)).doesNotThrowAnyException();
        assertThatCode(() -> new MassChangeGuard(0.1, 0.1, true).check("t", 10, 0, 0, 10)).doesNotThrowAnyException();
    }
}
