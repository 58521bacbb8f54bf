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

    private static final java.util.regex.Pattern TIMETZ = java.util.regex.Pattern.compile(
            "(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?([+-])(\\d{2})(?::(\\d{2}))?(?::(\\d{2}))?");

    /**
     * Parses PostgreSQL's (and Redshift's) text form of a timetz, e.g. {@code 24:00:00-15:59} or
     * {@code 12:00:00.5+05:30}, into {micros of day, offset seconds east of UTC}. Read as text because
     * java.time cannot hold it: pgjdbc turns 24:00:00 with any offset into OffsetTime.MAX (offset -18:00).
     */
    public static long[] parseTimeTz(String s) {
        java.util.regex.Matcher m = TIMETZ.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a timetz value: " + s);
        }
        String frac = m.group(4) == null ? "0" : (m.group(4) + "00000").substring(0, 6);
        long micros = ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1_000_000
                + Long.parseLong(frac);
        long offset = Long.parseLong(m.group(6)) * 3600 + (m.group(7) == null ? 0 : Long.parseLong(m.group(7)) * 60)
                + (m.group(8) == null ? 0 : Long.parseLong(m.group(8)));
        return new long[] {micros, "-".equals(m.group(5)) ? -offset : offset};
    }

    /** {@code HH:MM:SS[.ffffff]}, PostgreSQL's text form of a time (24:00:00 included). */
    public static String timeText(long microsOfDay) {
        long secs = microsOfDay / 1_000_000;
        long micros = microsOfDay % 1_000_000;
        String s = String.format("%02d:%02d:%02d", secs / 3600, (secs / 60) % 60, secs % 60);
        return micros == 0 ? s : s + String.format(".%06d", micros);
    }

    /** {@code HH:MM:SS[.ffffff]+HH:MM[:SS]}, PostgreSQL's text form of a timetz (the inverse of {@link #parseTimeTz}). */
    public static String timeTzText(long microsOfDay, int offsetSeconds) {
        return timeText(microsOfDay) + offsetText(offsetSeconds);
    }

    private static String offsetText(int seconds) {
        int abs = Math.abs(seconds);
        String s = String.format("%s%02d:%02d", seconds < 0 ? "-" : "+", abs / 3600, (abs / 60) % 60);
        return abs % 60 == 0 ? s : s + String.format(":%02d", abs % 60);
    }
}
