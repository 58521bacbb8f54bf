package io.snapsync.config;

/** A table cannot be synced as configured; raised before the target table is touched. */
public class PlanException extends java.sql.SQLException {
    public PlanException(String message) {
        super(message);
    }
}
