package io.snapsync.task;

import io.snapsync.config.ConfigException;
import io.snapsync.config.PlanException;
import io.snapsync.fault.NotRetryable;
import java.sql.SQLException;

/**
 * Finds the one line that explains a failure. Flink wraps task failures several levels deep
 * (JobExecutionException, restart-strategy exceptions); the root cause is what a person needs.
 */
public final class Errors {
    private Errors() {}

    public static String describe(Throwable e) {
        Throwable best = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PlanException || t instanceof ConfigException || t instanceof NotRetryable
                    || t instanceof SQLException || t instanceof IllegalStateException) {
                // the innermost explanatory exception wins over Flink's wrappers
                best = t;
            }
            if (t.getCause() == null && best == e) {
                best = t;
            }
        }
        String msg = best.getMessage() == null ? best.getClass().getSimpleName() : best.getMessage();
        return io.snapsync.config.Secrets.scrub(msg).replaceAll("\\s+", " ").trim();
    }
}
