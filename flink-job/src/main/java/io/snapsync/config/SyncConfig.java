package io.snapsync.config;

import java.util.List;
import java.util.Map;

/**
 * The YAML config, key for key (see README "Configuration"). Unknown keys are rejected by the loader.
 */
public record SyncConfig(Source source, Target target, Cache cache, Job job, List<Table> tables) {

    public record Source(String url, String user, String password, Map<String, String> properties, Integer fetchSize,
                         Boolean verifyCount) {
        public JdbcEndpoint endpoint() {
            return new JdbcEndpoint(url, user, password, properties);
        }

        public int fetchSizeOrDefault() {
            return fetchSize == null ? 10_000 : fetchSize;
        }

        public boolean verifyCountOrDefault() {
            return verifyCount == null || verifyCount;
        }
    }

    public record Target(String url, String user, String password, Map<String, String> properties,
                         String controlSchema, String stagingSchema) {
        public JdbcEndpoint endpoint() {
            return new JdbcEndpoint(url, user, password, properties);
        }

        public String controlSchemaOrDefault() {
            return controlSchema == null ? "snapsync" : controlSchema;
        }

        public String stagingSchemaOrDefault() {
            return stagingSchema == null ? controlSchemaOrDefault() : stagingSchema;
        }
    }

    public record Cache(String uri, String compression, Integer rowGroupMb, S3 s3, Integer keepVersions) {
        public int keepVersionsOrDefault() {
            return keepVersions == null ? 3 : keepVersions;
        }

        public String compressionOrDefault() {
            return compression == null ? "snappy" : compression;
        }

        public int rowGroupBytes() {
            return (rowGroupMb == null ? 64 : rowGroupMb) * 1024 * 1024;
        }
    }

    /** S3 settings for the cache; credentials may also come from the default AWS provider chain. */
    public record S3(String endpoint, Boolean pathStyleAccess, String accessKey, String secretKey, String region) {}

    /** Job-wide settings; the policy keys are defaults that a table's own keys override (see {@link TablePolicies}). */
    public record Job(Integer parallelism, Integer splits, Integer restartAttempts, Double maxDeleteShare,
                      Double maxUpdateShare, String onDuplicateKey, String onNullKey, String onNulCharacter,
                      String nulReplacement, String schemaEvolution, String onColumnDropped, Integer applyChunkRows,
                      String applyChunkPause, String spillDir) {
        public static final Job DEFAULTS = new Job(null, null, null, null, null);

        public Job(Integer parallelism, Integer splits, Integer restartAttempts, Double maxDeleteShare, Double maxUpdateShare) {
            this(parallelism, splits, restartAttempts, maxDeleteShare, maxUpdateShare, null, null, null, null, null, null, null, null, null);
        }

        public double maxDeleteShareOrDefault() {
            return maxDeleteShare == null ? 0.10 : maxDeleteShare;
        }

        public double maxUpdateShareOrDefault() {
            return maxUpdateShare == null ? 1.0 : maxUpdateShare;
        }
    }

    public record Table(String name, String source, String target, List<String> primaryKey, Integer splits,
                        Double maxDeleteShare, Double maxUpdateShare, Boolean createTarget, String onDuplicateKey,
                        String onNullKey, String onNulCharacter, String nulReplacement, String schemaEvolution,
                        String onColumnDropped, Integer applyChunkRows, String applyChunkPause) {
        public Table(String name, String source, String target, List<String> primaryKey, Integer splits,
                     Double maxDeleteShare, Double maxUpdateShare) {
            this(name, source, target, primaryKey, splits, maxDeleteShare, maxUpdateShare, null);
        }

        public Table(String name, String source, String target, List<String> primaryKey, Integer splits,
                     Double maxDeleteShare, Double maxUpdateShare, Boolean createTarget) {
            this(name, source, target, primaryKey, splits, maxDeleteShare, maxUpdateShare, createTarget,
                    null, null, null, null, null, null, null, null);
        }

        /** A copy with one setting changed, by its YAML key (for tests and tools; the YAML loader is the normal way). */
        public Table with(String key, Object value) {
            return new Table(name, source, target, primaryKey, splits, maxDeleteShare, maxUpdateShare,
                    key.equals("create-target") ? (Boolean) value : createTarget,
                    key.equals("on-duplicate-key") ? (String) value : onDuplicateKey,
                    key.equals("on-null-key") ? (String) value : onNullKey,
                    key.equals("on-nul-character") ? (String) value : onNulCharacter,
                    key.equals("nul-replacement") ? (String) value : nulReplacement,
                    key.equals("schema-evolution") ? (String) value : schemaEvolution,
                    key.equals("on-column-dropped") ? (String) value : onColumnDropped,
                    key.equals("apply-chunk-rows") ? (Integer) value : applyChunkRows,
                    key.equals("apply-chunk-pause") ? (String) value : applyChunkPause);
        }

        public boolean createTargetOrDefault() {
            return createTarget == null || createTarget;
        }
    }

    public Job jobOrDefaults() {
        return job == null ? Job.DEFAULTS : job;
    }

    /** The table's effective policies: its own keys, else the job's, else the defaults. */
    public TablePolicies policies(Table table) {
        return TablePolicies.resolve(jobOrDefaults(), table);
    }

    /** A copy whose tables are replaced (tests and tools). */
    public SyncConfig withTables(List<Table> newTables) {
        return new SyncConfig(source, target, cache, job, newTables);
    }
}
