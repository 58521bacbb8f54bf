package io.snapsync.row;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postgresql.util.ByteConverter;

/**
 * The binary numeric decoder against BigDecimal: every value it takes must give exactly the canonical DECIMAL
 * field that {@link CanonicalRowWriter#writeDecimal(BigDecimal)} writes (the bytes cached rows were hashed over),
 * and it must take every value whose digits fit comfortably in a long. Binary forms come from pgjdbc's own
 * encoder (the server's layout: base-10000 digits, weight, sign, dscale).
 */
class BinaryNumericTest {
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private static byte[] field(BigDecimal v) {
        CanonicalRowWriter w = new CanonicalRowWriter(4);
        w.writeDecimal(v);
        return w.toByteArray();
    }

    /** Decodes v's binary form and, when taken, checks the field; returns whether it was taken. */
    private static boolean check(BigDecimal v) {
        byte[] binary = ByteConverter.numeric(v);
        assertThat(((BigDecimal) ByteConverter.numeric(binary)).compareTo(v)).as("pgjdbc round trip of %s", v).isZero();
        return check(v, binary);
    }

    private static boolean check(BigDecimal v, byte[] binary) {
        BinaryNumeric n = new BinaryNumeric();
        boolean taken = n.decode(binary);
        BigInteger stripped = v.signum() == 0 ? BigInteger.ZERO : v.stripTrailingZeros().unscaledValue();
        if (taken) {
            CanonicalRowWriter w = new CanonicalRowWriter(4);
            w.writeDecimal(n.unscaled(), n.scale());
            assertThat(HexFormat.of().formatHex(w.toByteArray())).as("%s from %s", v, HexFormat.of().formatHex(binary))
                    .isEqualTo(HexFormat.of().formatHex(field(v)));
        } else {
            // only values a long cannot carry (with the up to 3 decimal zeros a base-10000 digit adds) are left out
            assertThat(stripped.abs().multiply(BigInteger.valueOf(1000))).as("%s left to BigDecimal", v).isGreaterThan(LONG_MAX);
        }
        if (stripped.bitLength() > 63) {
            assertThat(taken).as("%s does not fit a long", v).isFalse();
        }
        return taken;
    }

    @Test
    void edgeValuesGiveTheBigDecimalField() {
        List<String> values = new ArrayList<>(List.of("0", "0.00", "-0", "0E+10", "1", "-1", "10000", "1E+4", "-10000", "100", "0.0001",
                "0.1", "1.50", "-3.10", "-0.01", "17.00", "9999999999999.99", "-9999999999999.99", "0.5", "1E+30", "1E-30",
                "0.00000000000000000001", "-0.000001", "12340000000000000000000", "1234.5678", "99990000", "0.99990000"));
        for (int k = -40; k <= 40; k++) {
            values.add("1E" + k);
            values.add("-1E" + k);
        }
        for (long d = -5; d <= 5; d++) {
            BigInteger around = LONG_MAX.add(BigInteger.valueOf(d));
            BigInteger aroundMin = LONG_MAX.negate().subtract(BigInteger.ONE).add(BigInteger.valueOf(d));
            for (int scale : new int[] {-8, -4, -1, 0, 1, 2, 3, 4, 5, 19, 20}) {
                values.add(new BigDecimal(around, scale).toString());
                values.add(new BigDecimal(aroundMin, scale).toString());
                values.add(new BigDecimal(around.divide(BigInteger.valueOf(1000)), scale).toString());
                values.add(new BigDecimal(aroundMin.divide(BigInteger.valueOf(1000)), scale).toString());
            }
        }
        int taken = 0;
        for (String s : values) {
            if (check(new BigDecimal(s))) {
                taken++;
            }
        }
        assertThat(taken).isGreaterThan(values.size() / 2);
        assertThat(check(new BigDecimal("9223372036854775807"))).isTrue();
        assertThat(check(new BigDecimal("-9223372036854775807"))).isTrue();
        assertThat(check(new BigDecimal("9223372036854775808"))).isFalse();
        assertThat(check(new BigDecimal("123456789012345678901234567890.123456789"))).isFalse();
    }

    @Test
    void randomNumericsOfManyPrecisionsAndScalesGiveTheBigDecimalField() {
        Random random = new Random(20261201);
        int taken = 0;
        int total = 200_000;
        for (int i = 0; i < total; i++) {
            // numeric(p, s) values and unconstrained ones: up to 40 digits, some leading or trailing zeros, any scale
            int precision = 1 + random.nextInt(random.nextBoolean() ? 18 : 40);
            StringBuilder digits = new StringBuilder();
            for (int d = 0; d < precision; d++) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            if (random.nextInt(4) == 0) {
                digits.append("0".repeat(random.nextInt(8)));
            }
            int scale = random.nextInt(5) == 0 ? random.nextInt(2001) - 1000 : random.nextInt(61) - 20;
            BigDecimal v = new BigDecimal(new BigInteger(digits.toString()), scale);
            if (check(random.nextBoolean() ? v.negate() : v)) {
                taken++;
            }
        }
        assertThat(taken).isGreaterThan(total / 3);
    }

    /** Forms PostgreSQL does not send itself but that are still the same number: untrimmed and leading zero digits. */
    @Test
    void zeroDigitsAtEitherEndOnlyMoveThePoint() {
        // 12.5 as digits 0, 12, 5000, 0, 0 with weight 1
        assertThat(check(new BigDecimal("12.5"), HexFormat.of().parseHex("00050001000000050000000c138800000000"))).isTrue();
        // 0 as two zero digits, negative sign
        assertThat(check(BigDecimal.ZERO, HexFormat.of().parseHex("00020003400000000000" + "0000"))).isTrue();
        // -1E+8 as digit 1 at weight 2 with no digits after it
        assertThat(check(new BigDecimal("-1E+8"), HexFormat.of().parseHex("0001000240000000" + "0001"))).isTrue();
    }

    @Test
    void nanInfinitiesAndMalformedBytesAreLeftToTheGeneralPath() {
        BinaryNumeric n = new BinaryNumeric();
        assertThat(n.decode(HexFormat.of().parseHex("00000000c0000000"))).as("NaN").isFalse();
        assertThat(n.decode(HexFormat.of().parseHex("00000000d0000000"))).as("+Infinity").isFalse();
        assertThat(n.decode(HexFormat.of().parseHex("00000000f0000000"))).as("-Infinity").isFalse();
        assertThat(n.decode(HexFormat.of().parseHex("00010000000000"))).as("short").isFalse();
        assertThat(n.decode(HexFormat.of().parseHex("0002000000000000" + "0001"))).as("fewer digits than said").isFalse();
        assertThat(n.decode(HexFormat.of().parseHex("0001000000000000" + "2710"))).as("a digit of 10000").isFalse();
        assertThat(n.decode(HexFormat.of().parseHex("0001000000000000" + "0001"))).isTrue();
        assertThat(n.unscaled()).isEqualTo(1);
        assertThat(n.scale()).isZero();
    }
}
