package io.snapsync.run;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Run ids sort by start time and are unique: {@code 20261124T013000Z-3f9a1c}. Also the cache version name. */
public final class RunIds {
    private static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {}

    public static String next(Instant now) {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return FMT.format(now) + "-" + HexFormat.of().formatHex(b);
    }
}
