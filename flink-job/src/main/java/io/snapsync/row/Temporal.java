package io.snapsync.row;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * Microsecond conversions shared by the encoder and decoders. Timestamps count microseconds from
 * 2000-01-01T00:00, PostgreSQL's own epoch: counted from 1970, PostgreSQL's largest timestamp
 * (294276 AD) would overflow a 64-bit integer.
 */
public final class Temporal {
    public static final long MICROS_PER_DAY = 86_400_000_000L;
    /** 2000-01-01T00:00:00Z in Unix seconds. */
    public static final long PG_EPOCH_SECONDS = 946_684_800L;

    private Temporal() {}

    /** Microseconds since 2000-01-01 of a Unix-epoch second and nano. */
    static long micros(long unixSecond, int nano) {
        return Math.addExact(Math.multiplyExact(unixSecond - PG_EPOCH_SECONDS, 1_000_000L), nano / 1000);
    }

    public static LocalDateTime localDateTime(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS,
                (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
    }

    public static LocalDate localDate(long epochDay) {
        return LocalDate.ofEpochDay(epochDay);
    }

    /** 24:00:00 (PostgreSQL allows it) has no LocalTime; callers handle {@link #MICROS_PER_DAY} themselves. */
    public static LocalTime localTime(long microsOfDay) {
        return LocalTime.ofNanoOfDay(microsOfDay * 1000);
    }
}
