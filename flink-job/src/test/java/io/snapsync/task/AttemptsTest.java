package io.snapsync.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.diff.DuplicateKeyException;
import io.snapsync.plan.MassChangeGuard;
import io.snapsync.row.BadDataException;
import java.io.IOException;
import java.sql.SQLException;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.Test;

class AttemptsTest {
    @Test
    void refusedInputEndsTheTableHoweverDeepFlinkWrappedIt() {
        assertThat(Attempts.isBadData(new FlinkRuntimeException("task failed", new RuntimeException(new BadDataException("NUL in c"))))).isTrue();
        assertThat(Attempts.isBadData(new DuplicateKeyException("(id=1) x2"))).isTrue();
        assertThat(Attempts.isBadData(new FlinkRuntimeException(new MassChangeGuard.MassChangeException("refusing to delete")))).isTrue();
    }

    @Test
    void transientFailuresAreRetried() {
        assertThat(Attempts.isBadData(new FlinkRuntimeException(new SQLException("connection reset")))).isFalse();
        assertThat(Attempts.isBadData(new IOException("S3 timeout"))).isFalse();
        assertThat(Attempts.isBadData(new IllegalStateException("not refused input"))).isFalse();
    }

    @Test
    void theMessageIsTheRefusalsNotFlinksWrapper() {
        String m = Errors.describe(new FlinkRuntimeException("Job failed", new RuntimeException("wrapper",
                new MassChangeGuard.MassChangeException("refusing to delete 50 of 100 rows"))));
        assertThat(m).isEqualTo("refusing to delete 50 of 100 rows");
    }
}
