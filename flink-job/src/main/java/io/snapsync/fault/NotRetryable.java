package io.snapsync.fault;

/**
 * A failure that a task retry cannot fix, because the retry would read the same input and refuse it
 * again (bad data, a duplicated key, a change larger than the table's guard allows). The table fails
 * at once with this message instead of using up the job's restart attempts.
 */
public abstract class NotRetryable extends RuntimeException {
    protected NotRetryable(String message) {
        super(message);
    }
}
