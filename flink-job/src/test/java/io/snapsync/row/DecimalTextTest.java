package io.snapsync.row;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The long fast paths against the BigDecimal / Long.toString they replace, on many random and edge values. */
class DecimalTextTest {
    private static final long[] EDGES = {0, 1, -1, 9, 10, -10, 99, 100, 1_000_000_000_000_000_000L, 999_999_999_999_999_999L,
        -999_999_999_999_999_999L, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 1L << 55, -(1L << 55), (1L << 55) - 1, -(1L << 55) - 1};

    /** Edge values, then random ones spread over every magnitude (a random long alone is almost always 19 digits). */
    static List<Long> unscaledValues(long seed, int count) {
        List<Long> out = new ArrayList<>();
        for (long e : EDGES) {
            out.add(e);
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            out.add(r.nextInt(4) == 0 ? v / 1000 * 1000 : v); // some with trailing zeros
        }
        return out;
    }

    private static String plain(long unscaled, int scale, int outScale) {
        long len = DecimalText.plainLength(unscaled, scale, outScale);
        byte[] dst = new byte[(int) len + 10];
        dst[0] = 'x';
        int end = DecimalText.writePlain(dst, 3, unscaled, scale, outScale);
        assertThat(end - 3).as("length of %d scale %d as %d", unscaled, scale, outScale).isEqualTo(len);
        return new String(dst, 3, end - 3, StandardCharsets.US_ASCII);
    }

    @Test
    void plainTextIsBigDecimalsToPlainStringAtTheGivenScale() {
        SplittableRandom r = new SplittableRandom(11);
        for (long u : unscaledValues(7, 20_000)) {
            int scale = r.nextInt(-25, 45);
            int outScale = r.nextInt(3) == 0 ? scale : scale + r.nextInt(0, 30);
            BigDecimal v = new BigDecimal(BigInteger.valueOf(u), scale);
            assertThat(plain(u, scale, outScale)).as("%d scale %d as %d", u, scale, outScale)
                    .isEqualTo(v.setScale(outScale).toPlainString());
            assertThat(DecimalText.digitCount(u)).isEqualTo(v.precision());
        }
    }

    @Test
    void smallScalesAroundThePoint() {
        for (long u : EDGES) {
            for (int scale = -22; scale <= 22; scale++) {
                for (int outScale = scale; outScale <= scale + 22; outScale++) {
                    assertThat(plain(u, scale, outScale)).as("%d scale %d as %d", u, scale, outScale)
                            .isEqualTo(new BigDecimal(BigInteger.valueOf(u), scale).setScale(outScale).toPlainString());
                }
            }
        }
    }

    @Test
    void longsAreLongToString() {
        byte[] dst = new byte[40];
        for (long v : unscaledValues(3, 20_000)) {
            int end = DecimalText.writeLong(dst, 2, v);
            assertThat(new String(dst, 2, end - 2, StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
            assertThat(DecimalText.longLength(v)).isEqualTo(end - 2);
        }
    }

    @Test
    void readerFastPathMatchesReadDecimalAndFallsBackPastEightBytes() {
        SplittableRandom r = new SplittableRandom(5);
        List<BigDecimal> values = new ArrayList<>();
        for (long u : unscaledValues(9, 5_000)) {
            values.add(new BigDecimal(BigInteger.valueOf(u), r.nextInt(-10, 30)));
        }
        BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
        BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
        for (BigInteger u : List.of(max.add(BigInteger.ONE), min.subtract(BigInteger.ONE), max.multiply(max), min.multiply(max))) {
            values.add(new BigDecimal(u, 3)); // 9 and more bytes
        }
        values.add(new BigDecimal("12300")); // stored as 123 scale -2
        values.add(new BigDecimal("-0.000"));
        CanonicalRowWriter w = new CanonicalRowWriter();
        for (BigDecimal v : values) {
            w.writeDecimal(v);
        }
        byte[] row = w.toByteArray();
        CanonicalRowReader fast = new CanonicalRowReader().reset(row);
        CanonicalRowReader slow = new CanonicalRowReader().reset(row);
        int longs = 0;
        for (BigDecimal v : values) {
            assertThat(fast.next()).isEqualTo(ColumnType.DECIMAL);
            slow.next();
            BigDecimal expected = slow.readDecimal();
            assertThat(expected.compareTo(v)).isZero();
            boolean fits = expected.unscaledValue().bitLength() <= 63;
            assertThat(fast.decimalFitsLong()).as("%s", expected).isEqualTo(fits);
            int scale = fast.decimalScale();
            assertThat(scale).isEqualTo(expected.scale());
            if (fits) {
                longs++;
                assertThat(fast.readDecimalUnscaled()).as("%s", expected).isEqualTo(expected.unscaledValue().longValueExact());
            } else {
                assertThat(fast.readDecimal()).isEqualTo(expected);
            }
            assertThat(fast.position()).isEqualTo(slow.position());
        }
        assertThat(longs).isEqualTo(values.size() - 4);
    }
}
