package io.snapsync.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The CLI's progress line of a running job, from its accumulators: per table rows read of expected,
 * phase (reading, then writing once every row was read, then committed), elapsed time and an ETA for
 * the read from the rate so far. Pure formatting; {@link SyncRunner} polls and prints it.
 */
public final class Progress {
    static final String READ = "snapsync.read.";
    static final String STAGED = "snapsync.staged.";
    static final String DONE = "snapsync.done.";

    private Progress() {}

    /** A table of the run: its name and the source's row count at planning (-1 when not counted). */
    public record Table(String name, long expectedRows) {}

    public static String line(List<Table> tables, Map<String, Object> accumulators, Duration elapsed) {
        StringBuilder b = new StringBuilder();
        for (Table t : tables) {
            long read = number(accumulators.get(READ + t.name()));
            long staged = number(accumulators.get(STAGED + t.name()));
            boolean done = accumulators.containsKey(DONE + t.name());
            if (b.length() > 0) {
                b.append(" | ");
            }
            b.append(t.name()).append(": ");
            String phase = done ? "done" : t.expectedRows() >= 0 && read >= t.expectedRows() ? "writing" : "reading";
            b.append(read);
            if (t.expectedRows() >= 0) {
                b.append('/').append(t.expectedRows());
            }
            b.append(" rows read, ").append(phase);
            if (staged > 0) {
                b.append(", ").append(staged).append(" staged");
            }
            if ("reading".equals(phase) && read > 0 && t.expectedRows() > 0) {
                long etaSeconds = (long) ((double) elapsed.toMillis() * (t.expectedRows() - read) / read / 1000);
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
