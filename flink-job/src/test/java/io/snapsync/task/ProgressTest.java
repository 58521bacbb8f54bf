package io.snapsync.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final List<Progress.Table> TABLES = List.of(new Progress.Table("orders", 1000), new Progress.Table("items", -1));

    @Test
    void readingShowsRowsOfExpectedAndAnEtaFromTheRateSoFar() {
        String line = Progress.line(TABLES, Map.of("snapsync.read.orders", 250L, "snapsync.read.items", 40L), Duration.ofSeconds(30));
        // 250 rows in 30 s: 750 more take 90 s
        assertThat(line).isEqualTo("[0:30] orders: 250/1000 rows read, reading, ETA 1:30 | items: 40 rows read, reading");
    }

    @Test
    void phasesFollowTheReadTheStagingAndTheCommit() {
        String line = Progress.line(TABLES, Map.of("snapsync.read.orders", 1000L, "snapsync.staged.orders", 12L,
                "snapsync.read.items", 5L, "snapsync.done.items", 1), Duration.ofSeconds(3725));
        assertThat(line).isEqualTo("[1:02:05] orders: 1000/1000 rows read, writing, 12 staged | items: 5 rows read, done");
    }

    @Test
    void nothingReportedYetIsZeroRowsRead() {
        assertThat(Progress.line(TABLES.subList(0, 1), Map.of(), Duration.ZERO)).isEqualTo("[0:00] orders: 0/1000 rows read, reading");
    }
}
