package io.snapsync.diff;

/** The source snapshot (or a cache file) holds two rows with the same primary key. */
public class DuplicateKeyException extends RuntimeException {
    public DuplicateKeyException(String message) {
        super(message);
    }
}
