package io.snapsync.unload;

/** Test access to package-private helpers. */
public final class ParquetValuesAccess {
    private ParquetValuesAccess() {}

    public static long timeText(String s) {
        return ParquetValues.timeText(s);
    }
}
