package io.snapsync.row;

/**
 * PostgreSQL's binary numeric (int16 ndigits, int16 weight, int16 sign, int16 dscale, then ndigits base-10000
 * digits, the first worth 10000^weight) decoded straight into the canonical DECIMAL's stripped form: an unscaled
 * value with no trailing decimal zero and its scale (negative for 10000 = 1E+4), zero as 0 scale 0, the same as
 * {@code BigDecimal.stripTrailingZeros()} of the value. Hand-written because pgjdbc only offers the value as a
 * BigDecimal, and building then stripping it was ~18% of a day 2's CPU on a table with four numeric columns.
 * Only values whose digits fit a long are decoded; the rest (and NaN, +/-Infinity) are left to the BigDecimal path.
 * One instance per reader thread (it holds the last result).
 */
public final class BinaryNumeric {
    private static final int POSITIVE = 0x0000;
    private static final int NEGATIVE = 0x4000;
    /** Up to here u * 10000 + any digit fits a long: the exact (dividing) check is needed only past it. */
    private static final long SAFE = (Long.MAX_VALUE - 9999) / 10_000;

    private long unscaled;
    private int scale;

    /**
     * Decodes {@code b}; false when its value does not fit this fast form (NaN, +/-Infinity, more significant digits
     * than a long holds, or bytes that are not a well-formed numeric): then the caller takes the general path.
     */
    public boolean decode(byte[] b) {
        if (b.length < 8) {
            return false;
        }
        int ndigits = int2(b, 0);
        int weight = int2(b, 2);
        int sign = int2(b, 4) & 0xFFFF;
        if ((sign != POSITIVE && sign != NEGATIVE) || ndigits < 0 || b.length != 8 + 2 * ndigits) {
            return false;
        }
        // trailing zero digits only move the decimal point: leave them out of the long
        int end = ndigits;
        while (end > 0 && int2(b, 8 + 2 * (end - 1)) == 0) {
            end--;
        }
        long u = 0;
        for (int i = 0; i < end; i++) {
            int d = int2(b, 8 + 2 * i);
            if (d < 0 || d > 9999 || (u > SAFE && u > (Long.MAX_VALUE - d) / 10_000)) {
                return false;
            }
            u = u * 10_000 + d;
        }
        if (u == 0) {
            unscaled = 0;
            scale = 0;
            return true;
        }
        // the last digit kept is non-zero, so at most 3 decimal zeros end u
        long exponent = 4L * (weight - end + 1);
        while (u % 10 == 0) {
            u /= 10;
            exponent++;
        }
        unscaled = sign == NEGATIVE ? -u : u;
        scale = (int) -exponent;
        return true;
    }

    /** The unscaled value of the last {@link #decode}, without trailing decimal zeros (0 for zero). */
    public long unscaled() {
        return unscaled;
    }

    /** The scale of the last {@link #decode}: value = unscaled * 10^-scale (0 for zero). */
    public int scale() {
        return scale;
    }

    private static int int2(byte[] b, int p) {
        return (short) (((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF));
    }
}
