package io.snapsync.targetdb;

import io.snapsync.schema.TableName;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Names of a resync's shadow table and of the indexes and constraints built on it. The shadow lives in
 * the live table's schema (a rename cannot move a table between schemas), so its name must not collide
 * with the application's: {@code snapsync_rs_<target table>_<run id>}, within PostgreSQL's 63 bytes.
 * Index and key-constraint names are unique per schema, so the shadow's get temporary names
 * ({@code snapsync_rs_<run id>_<hash of the table>_i<n>}) until the live table's originals are dropped with it.
 */
public final class ShadowNames {
    public static final String PREFIX = "snapsync_rs_";
    /** Run ids as they appear in names: {@code 20261124T013000Z-3f9a1c} becomes {@code 20261124t013000z3f9a1c}. */
    private static final String RUN_PATTERN = "[0-9]{8}t[0-9]{6}z[0-9a-f]+";
    private static final int MAX_BYTES = 63;

    private ShadowNames() {}

    /** The shadow table of {@code target} for run {@code runId}, in the target's schema. */
    public static TableName shadow(TableName target, String runId) {
        return new TableName(target.schema(), tablePrefix(target) + run(runId));
    }

    /**
     * A temporary name for the n-th index or key constraint built on {@code target}'s shadow: with a hash of the target's
     * name, since one run builds the shadows of all its tables, and two of them may share a schema.
     */
    public static String index(TableName target, String runId, int n) {
        CRC32 crc = new CRC32();
        crc.update(target.toString().getBytes(StandardCharsets.UTF_8));
        return PREFIX + run(runId) + "_" + String.format("%08x", crc.getValue()) + "_i" + n;
    }

    /** Whether {@code name} (in the target's schema) is a shadow table of {@code target} from any run. */
    public static boolean isShadowOf(TableName target, String name) {
        return Pattern.matches(Pattern.quote(tablePrefix(target)) + RUN_PATTERN, name);
    }

    /**
     * {@code snapsync_rs_<table>_}: the table part made lower-case ASCII and shortened so a run id still
     * fits. When that changed the name, a hash of the real name follows, so that two tables whose names
     * differ only in case, punctuation or their tail never take each other's shadows for leftovers.
     */
    static String tablePrefix(TableName target) {
        String name = target.table();
        String t = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        int room = MAX_BYTES - PREFIX.length() - 1 - 22; // 22: a normalized run id
        if (!t.equals(name) || t.length() > room) {
            CRC32 crc = new CRC32();
            crc.update(name.getBytes(StandardCharsets.UTF_8));
            String hash = String.format("%08x", crc.getValue());
            t = t.substring(0, Math.min(t.length(), room - hash.length() - 1)) + "_" + hash;
        }
        return PREFIX + t + "_";
    }

    static String run(String runId) {
        return runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
