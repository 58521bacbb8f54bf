package io.snapsync.sink;

/**
 * Turns canonical rows into the bytes of one {@code COPY ... FROM STDIN}: {@link CopyTextEncoder} (text format) or
 * {@link CopyBinaryEncoder} (binary format). The writer sends {@link #buffer()} up to {@link #length()} whenever it
 * likes, then {@link #clear()}s it; {@link #finish()} appends what ends the data before the COPY is ended.
 */
public interface CopyEncoder {
    /** Appends {@code row} (canonical, the encoder's columns) plus the given trailing integer columns. */
    void appendRow(byte[] row, long... trailing);

    byte[] buffer();

    int length();

    void clear();

    /** Appends the end of the data (the binary format's trailer); the text format needs nothing. */
    default void finish() {}

    /** The COPY statement's options clause for this format, e.g. {@code " (FORMAT binary)"}; empty for text. */
    default String options() {
        return "";
    }
}
