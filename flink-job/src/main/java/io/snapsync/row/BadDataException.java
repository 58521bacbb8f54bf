package io.snapsync.row;

import io.snapsync.fault.NotRetryable;

/**
 * A source row snapsync refuses to apply (a NUL character, a duplicated or NULL key, a value the
 * target column cannot hold). Not transient: a task retry would read the same row, so it is thrown
 * wrapped in Flink's SuppressRestartsException where it stops a job.
 */
public class BadDataException extends NotRetryable {
    public BadDataException(String message) {
        super(message);
    }
}
