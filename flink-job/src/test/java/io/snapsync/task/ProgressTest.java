package io.snapsync.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final List<Progress.Table> TABLES = List.of(new Progress.Table("orders", 1000), new Progress.Table("items", -1));

    @Test
    void readingShowsRowsOfExpectedAndAnEtaFromTheRateSinceTheFirstRowWasSeen() {
        Progress progress = new Progress(TABLES);
        progress.line(Map.of("snapsync.read.orders", 10L, "snapsync.read.items", 1L), Duration.ofSeconds(10));
        String line = progress.line(Map.of("snapsync.read.orders", 250L, "snapsync.read.items", 40L), Duration.ofSeconds(40));
        // first seen reading at 10 s with 10 rows: 240 more in 30 s, so the last 750 take 93.75 s
        assertThat(line).isEqualTo("[0:40] orders: 250/1000 rows read, reading, ETA 1:33 | items: 40 rows read, reading");
    }

    @Test
    void aTableThatStartsLateIsTimedFromItsOwnStartNotTheRuns() {
        Progress progress = new Progress(TABLES.subList(0, 1));
        assertThat(progress.line(Map.of(), Duration.ofSeconds(100))).isEqualTo("[1:40] orders: 0/1000 rows read, waiting");
        // the first poll that sees rows has no rate yet: no ETA rather than one from the run's 2 minutes
        assertThat(progress.line(Map.of("snapsync.read.orders", 100L), Duration.ofSeconds(120)))
                .isEqualTo("[2:00] orders: 100/1000 rows read, reading");
        // 400 rows in the 20 s since: the last 500 take 25 s (the run's 140 s for 500 rows would have said 2:20)
        assertThat(progress.line(Map.of("snapsync.read.orders", 500L), Duration.ofSeconds(140)))
                .isEqualTo("[2:20] orders: 500/1000 rows read, reading, ETA 0:25");
    }

    @Test
    void phasesFollowTheReadTheStagingAndTheCommit() {
        String line = new Progress(TABLES).line(Map.of("snapsync.read.orders", 1000L, "snapsync.staged.orders", 12L,
                "snapsync.read.items", 5L, "snapsync.done.items", 1), Duration.ofSeconds(3725));
        assertThat(line).isEqualTo("[1:02:05] orders: 1000/1000 rows read, writing, 12 staged | items: 5 rows read, done");
    }

    @Test
    void nothingReportedYetIsWaiting() {
        assertThat(new Progress(TABLES.subList(0, 1)).line(Map.of(), Duration.ZERO)).isEqualTo("[0:00] orders: 0/1000 rows read, waiting");
    }
}
