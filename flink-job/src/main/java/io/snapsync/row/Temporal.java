package io.snapsync.row;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

/** Microsecond conversions shared by the encoder and decoders. */
public final class Temporal {
    public static final long MICROS_PER_DAY = 86_400_000_000L;

    private Temporal() {}

    static long micros(long epochSecond, int nano) {
        return Math.addExact(Math.multiplyExact(epochSecond, 1_000_000L), nano / 1000);
    }

    public static LocalDateTime localDateTime(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
    }

    public static LocalDate localDate(long epochDay) {
        return LocalDate.ofEpochDay(epochDay);
    }

    /** 24:00:00 (PostgreSQL allows it) has no LocalTime; callers handle {@link #MICROS_PER_DAY} themselves. */
    public static LocalTime localTime(long microsOfDay) {
        return LocalTime.ofNanoOfDay(microsOfDay * 1000);
    }
}
