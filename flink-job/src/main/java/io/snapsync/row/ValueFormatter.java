package io.snapsync.row;

import io.snapsync.schema.ColumnType;
import java.time.LocalDate;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes canonical fields back into plain Java values (for messages, tests and reconciliation).
 * Hot paths (COPY, Parquet) decode straight from the bytes instead.
 */
public final class ValueFormatter {
    private ValueFormatter() {}

    /** Reads the field {@code r} is positioned on (after {@code r.next()} returned {@code type}). */
    public static Object read(CanonicalRowReader r, ColumnType type) {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case BOOLEAN -> r.readBoolean();
            case INTEGER -> r.readLong();
            case DECIMAL -> r.readDecimal();
            case FLOAT -> r.readDouble();
            case TEXT, JSON -> r.readString();
            case BYTES -> r.readBytes();
            case DATE -> {
                long d = r.readLong();
                yield d == Long.MAX_VALUE ? LocalDate.MAX : d == Long.MIN_VALUE ? LocalDate.MIN : LocalDate.ofEpochDay(d);
            }
            case TIMESTAMP -> Temporal.localDateTime(r.readLong());
            case TIMESTAMPTZ -> Temporal.localDateTime(r.readLong()).atOffset(ZoneOffset.UTC);
            case TIME -> {
                long m = r.readLong();
                yield m == Temporal.MICROS_PER_DAY ? "24:00:00" : Temporal.localTime(m);
            }
            case TIMETZ -> {
                long m = r.readLong();
                int off = r.readOffsetSeconds();
                yield OffsetTime.of(Temporal.localTime(m % Temporal.MICROS_PER_DAY), ZoneOffset.ofTotalSeconds(off));
            }
        };
    }

    /** All fields of a canonical row as Java values. */
    public static List<Object> decode(byte[] row) {
        CanonicalRowReader r = new CanonicalRowReader().reset(row);
        List<Object> out = new ArrayList<>();
        while (r.hasNext()) {
            out.add(read(r, r.next()));
        }
        return out;
    }
}
