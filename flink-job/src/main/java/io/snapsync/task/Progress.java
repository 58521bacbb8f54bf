package io.snapsync.task;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CLI's progress line of a running job, from its accumulators: per table rows read of expected,
 * phase (waiting until its first row, reading, then writing once every row was read, then done), elapsed
 * time and an ETA for the read from the table's rate since it was first seen reading. With {@code job.concurrent-tables}
 * later tables start reading late, so each table's rate is timed from when it was first seen reading.
 * Formatting only, plus the first-seen times; the runner polls and prints it.
 */
public final class Progress {
    static final String READ = "snapsync.read.";
    static final String STAGED = "snapsync.staged.";
    static final String DONE = "snapsync.done.";

    private final List<Table> tables;
    private final Map<String, Seen> firstSeenReading = new HashMap<>();

    private record Seen(Duration at, long rows) {}

    public Progress(List<Table> tables) {
        this.tables = List.copyOf(tables);
    }

    /** A table of the run: its name and the source's row count at planning (-1 when not counted). */
    public record Table(String name, long expectedRows) {}

    /** The line for one poll; {@code elapsed} is the run's time so far (polls come in increasing time). */
    public String line(Map<String, Object> accumulators, Duration elapsed) {
        StringBuilder b = new StringBuilder();
        for (Table t : tables) {
            long read = number(accumulators.get(READ + t.name()));
            if (read > 0) {
                // the poll before this one saw no rows: the read began at most one poll ago, so take this poll's time
                firstSeenReading.putIfAbsent(t.name(), new Seen(elapsed, read));
            }
            long staged = number(accumulators.get(STAGED + t.name()));
            boolean done = accumulators.containsKey(DONE + t.name());
            if (b.length() > 0) {
                b.append(" | ");
            }
            b.append(t.name()).append(": ");
            String phase = done ? "done" : t.expectedRows() >= 0 && read >= t.expectedRows() ? "writing" : read == 0 ? "waiting" : "reading";
            b.append(read);
            if (t.expectedRows() >= 0) {
                b.append('/').append(t.expectedRows());
            }
            b.append(" rows read, ").append(phase);
            if (staged > 0) {
                b.append(", ").append(staged).append(" staged");
            }
            Seen first = firstSeenReading.getOrDefault(t.name(), new Seen(elapsed, read));
            long millis = elapsed.minus(first.at()).toMillis();
            long rows = read - first.rows();
            if ("reading".equals(phase) && t.expectedRows() > 0 && millis > 0 && rows > 0) {
                long etaSeconds = (long) ((double) millis * (t.expectedRows() - read) / rows / 1000);
                b.append(", ETA ").append(format(Duration.ofSeconds(etaSeconds)));
            }
        }
        return "[" + format(elapsed) + "] " + b;
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }
}
