package io.snapsync.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to do with bad data and schema changes for one table, resolved from the table's keys, the
 * job's keys, and the defaults (the safe choice everywhere: fail).
 *
 * @param applyChunkRows keys per target transaction when applying a change set; 0 = one transaction
 */
public record TablePolicies(
        DuplicateKeys onDuplicateKey,
        NullKeys onNullKey,
        NulCharacters onNulCharacter,
        String nulReplacement,
        SchemaEvolution schemaEvolution,
        DroppedColumns onColumnDropped,
        int applyChunkRows,
        Duration applyChunkPause) implements java.io.Serializable {

    public static final TablePolicies DEFAULTS = resolve(SyncConfig.Job.DEFAULTS,
            new SyncConfig.Table("t", "t", "t", java.util.List.of("k"), null, null, null));

    /** Several source rows share one primary key. */
    public enum DuplicateKeys { FAIL, KEEP_ONE, SKIP }

    /** A primary-key column is NULL. */
    public enum NullKeys { FAIL, SKIP }

    /** Text contains U+0000, which PostgreSQL text cannot store. */
    public enum NulCharacters { FAIL, STRIP, REPLACE }

    /** The source's columns differ from those the cache was written with. */
    public enum SchemaEvolution { FAIL, AUTO, RESYNC }

    /** A column the target has is gone from the source. */
    public enum DroppedColumns { KEEP, DROP }

    public static TablePolicies resolve(SyncConfig.Job job, SyncConfig.Table t) {
        String at = "tables[" + t.name() + "].";
        int chunk = t.applyChunkRows() != null ? t.applyChunkRows() : job.applyChunkRows() != null ? job.applyChunkRows() : 0;
        if (chunk < 0) {
            throw new ConfigException(at + "apply-chunk-rows must be 0 (one transaction) or more, got " + chunk);
        }
        String pause = t.applyChunkPause() != null ? t.applyChunkPause() : job.applyChunkPause();
        String replacement = t.nulReplacement() != null ? t.nulReplacement() : job.nulReplacement() != null ? job.nulReplacement() : "\uFFFD";
        if (replacement.indexOf('\0') >= 0) {
            throw new ConfigException(at + "nul-replacement must not itself contain U+0000");
        }
        return new TablePolicies(
                choose(DuplicateKeys.class, t.onDuplicateKey(), job.onDuplicateKey(), DuplicateKeys.FAIL, "on-duplicate-key"),
                choose(NullKeys.class, t.onNullKey(), job.onNullKey(), NullKeys.FAIL, "on-null-key"),
                choose(NulCharacters.class, t.onNulCharacter(), job.onNulCharacter(), NulCharacters.FAIL, "on-nul-character"),
                replacement,
                choose(SchemaEvolution.class, t.schemaEvolution(), job.schemaEvolution(), SchemaEvolution.FAIL, "schema-evolution"),
                choose(DroppedColumns.class, t.onColumnDropped(), job.onColumnDropped(), DroppedColumns.KEEP, "on-column-dropped"),
                chunk,
                pause == null ? Duration.ZERO : parseDuration(pause, at + "apply-chunk-pause"));
    }

    private static <E extends Enum<E>> E choose(Class<E> type, String tableValue, String jobValue, E def, String key) {
        String v = tableValue != null ? tableValue : jobValue;
        if (v == null) {
            return def;
        }
        for (E e : type.getEnumConstants()) {
            if (yamlName(e).equals(v.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new ConfigException(key + ": '" + v + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(TablePolicies::yamlName).toList());
    }

    /** KEEP_ONE -> keep-one: how the value is written in YAML and reports. */
    public static String yamlName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min)?");

    static Duration parseDuration(String text, String key) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(key + " must be a duration such as 500ms, 2s or 1m, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }
}
