package io.snapsync.row;

/**
 * Decimal and integer text written as ASCII bytes straight from a long, without BigDecimal, Long.toString or a
 * StringBuilder: the sinks (COPY text, the cache's plain-notation decimals) write one per value of every row, and
 * the BigDecimal route cost them more than the rest of the value. The text is exactly what
 * {@code new BigDecimal(BigInteger.valueOf(unscaled), scale).setScale(outScale).toPlainString()} and
 * {@code Long.toString} give (DecimalTextTest holds them equal on random values).
 */
public final class DecimalText {
    /** Digits of {@code Long.MIN_VALUE}, the longest: 19. */
    public static final int MAX_LONG_DIGITS = 19;

    private DecimalText() {}

    /** The number of decimal digits of |v| (1 for 0): BigDecimal's precision of an unscaled value v. */
    public static int digitCount(long v) {
        if (v == Long.MIN_VALUE) {
            return MAX_LONG_DIGITS;
        }
        long a = Math.abs(v);
        int d = 1;
        for (long p = 10; d < MAX_LONG_DIGITS && a >= p; p *= 10) {
            d++;
        }
        return d;
    }

    /** The length of {@link #writeLong}'s text of v. */
    public static int longLength(long v) {
        return digitCount(v) + (v < 0 ? 1 : 0);
    }

    /** Writes v as {@code Long.toString(v)} does into {@code dst} at {@code at}; returns the position after it. */
    public static int writeLong(byte[] dst, int at, long v) {
        if (v < 0) {
            dst[at++] = '-';
        }
        int end = at + digitCount(v);
        writeDigits(dst, end, v);
        return end;
    }

    /**
     * The length of the plain text of {@code unscaled * 10^-scale} written with {@code outScale} decimal places;
     * {@code outScale >= scale} (a larger scale only appends zeros: nothing is rounded).
     */
    public static long plainLength(long unscaled, int scale, int outScale) {
        if (unscaled == 0) {
            return outScale <= 0 ? 1 : 2L + outScale;
        }
        long sign = unscaled < 0 ? 1 : 0;
        int d = digitCount(unscaled);
        if (outScale <= 0) {
            return sign + d + (-(long) scale);
        }
        long withZeros = d + ((long) outScale - scale);
        return sign + (withZeros > outScale ? withZeros + 1 : 2L + outScale);
    }

    /**
     * Writes what {@link #plainLength} measured into {@code dst} at {@code at} (the caller made room); returns the
     * position after it.
     */
    public static int writePlain(byte[] dst, int at, long unscaled, int scale, int outScale) {
        if (outScale < scale) {
            throw new IllegalArgumentException("scale " + outScale + " would round a value of scale " + scale);
        }
        if (unscaled == 0) {
            dst[at++] = '0';
            if (outScale > 0) {
                dst[at++] = '.';
                at = zeros(dst, at, outScale);
            }
            return at;
        }
        if (unscaled < 0) {
            dst[at++] = '-';
        }
        int d = digitCount(unscaled);
        if (outScale <= 0) { // digits, then as many zeros as the (negative) scale says
            writeDigits(dst, at + d, unscaled);
            return zeros(dst, at + d, -scale);
        }
        int appended = outScale - scale; // zeros after the digits, in the fraction
        int intDigits = d + appended - outScale; // digits before the point, if positive
        if (intDigits > 0) {
            // the point falls inside digits + zeros: write them one byte to the right, move the integer part left
            // over that byte and put the point after it
            writeDigits(dst, at + 1 + d, unscaled);
            int end = zeros(dst, at + 1 + d, appended);
            System.arraycopy(dst, at + 1, dst, at, intDigits);
            dst[at + intDigits] = '.';
            return end;
        }
        dst[at++] = '0';
        dst[at++] = '.';
        at = zeros(dst, at, -intDigits);
        writeDigits(dst, at + d, unscaled);
        return zeros(dst, at + d, appended);
    }

    /** The digits of |v| ending just before {@code end} (Long.MIN_VALUE too: worked in negative numbers). */
    private static void writeDigits(byte[] dst, int end, long v) {
        long q = v > 0 ? -v : v;
        do {
            long next = q / 10;
            dst[--end] = (byte) ('0' + (next * 10 - q));
            q = next;
        } while (q != 0);
    }

    private static int zeros(byte[] dst, int at, int n) {
        java.util.Arrays.fill(dst, at, at + n, (byte) '0');
        return at + n;
    }
}
