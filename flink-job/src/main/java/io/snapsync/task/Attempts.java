package io.snapsync.task;

import io.snapsync.fault.NotRetryable;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Decides whether an operator's failure is thrown (Flink retries the task) or turned into a failed
 * outcome for its table (the committer reports it, the other tables of the one job carry on). Bad
 * data is never retried: a retry reads the same rows. Anything else is retried while restart attempts
 * remain; on the last attempt it becomes the table's failure instead of failing the whole job.
 *
 * <p>Flink counts restarts per job (fixed-delay), this per task attempt: a task restarted fewer times
 * than the budget while other tables used it up still throws, and then the job fails as a whole.
 */
public final class Attempts {
    /** Global job parameter holding the configured restart attempts. */
    public static final String RESTART_ATTEMPTS = "snapsync.restart-attempts";

    private Attempts() {}

    public static void configure(StreamExecutionEnvironment env, int restartAttempts) {
        Configuration params = new Configuration();
        params.setString(RESTART_ATTEMPTS, Integer.toString(restartAttempts));
        env.getConfig().setGlobalJobParameters(params);
    }

    /** True when {@code e} should end the table (not the task): bad data, or no restart left. */
    public static boolean endsTable(RuntimeContext ctx, Throwable e) {
        return isBadData(e) || isLastAttempt(ctx);
    }

    public static boolean isLastAttempt(RuntimeContext ctx) {
        String v = ctx.getGlobalJobParameters().get(RESTART_ATTEMPTS);
        int attempts = v == null ? 0 : Integer.parseInt(v);
        return ctx.getTaskInfo().getAttemptNumber() >= attempts;
    }

    public static boolean isBadData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NotRetryable) {
                return true;
            }
        }
        return false;
    }
}
