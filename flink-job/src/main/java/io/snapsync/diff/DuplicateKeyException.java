package io.snapsync.diff;

import io.snapsync.fault.NotRetryable;

/** The source snapshot (or a cache file) holds two rows with the same primary key. */
public class DuplicateKeyException extends NotRetryable {
    public DuplicateKeyException(String message) {
        super(message);
    }
}
