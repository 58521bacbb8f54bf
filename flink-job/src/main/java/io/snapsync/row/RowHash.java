package io.snapsync.row;

import net.openhft.hashing.LongTupleHashFunction;

/**
 * The 128-bit row hash: XXH3-128 over the canonical row encoding. 128 bits make an undetected change
 * (two different rows of one key hashing equal) vanishingly unlikely even over billions of rows.
 */
public final class RowHash {
    private static final LongTupleHashFunction XX128 = LongTupleHashFunction.xx128();

    private RowHash() {}

    /** Hashes {@code len} bytes of {@code buf} into {@code out[0..1]} (reused to avoid allocation). */
    public static void hash(byte[] buf, int off, int len, long[] out) {
        XX128.hashBytes(buf, off, len, out);
    }

    public static long[] hash(byte[] row) {
        long[] out = new long[2];
        hash(row, 0, row.length, out);
        return out;
    }
}
