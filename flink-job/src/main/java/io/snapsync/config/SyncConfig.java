package io.snapsync.config;

import java.util.List;
import java.util.Map;

/**
 * The YAML config, key for key (see README "Configuration"). Unknown keys are rejected by the loader.
 */
public record SyncConfig(Source source, Target target, Cache cache, Job job, List<Table> tables) {

    /**
     * @param extract how tables are read unless a table says otherwise: {@code jdbc} (default: split cursors) or
     *     {@code unload} (one Redshift UNLOAD to Parquet on S3, see {@link Unload})
     */
    public record Source(String url, String user, String password, Map<String, String> properties, Integer fetchSize,
                         Boolean verifyCount, String driver, String extract, Unload unload) {
        public Source(String url, String user, String password, Map<String, String> properties, Integer fetchSize,
                      Boolean verifyCount, String driver) {
            this(url, user, password, properties, fetchSize, verifyCount, driver, null, null);
        }

        public Source(String url, String user, String password, Map<String, String> properties, Integer fetchSize,
                      Boolean verifyCount) {
            this(url, user, password, properties, fetchSize, verifyCount, null, null, null);
        }

        public JdbcEndpoint endpoint() {
            return new JdbcEndpoint(url, user, password, properties, driver);
        }

        public int fetchSizeOrDefault() {
            return fetchSize == null ? 10_000 : fetchSize;
        }

        public boolean verifyCountOrDefault() {
            return verifyCount == null || verifyCount;
        }
    }

    public record Target(String url, String user, String password, Map<String, String> properties,
                         String controlSchema, String stagingSchema, String driver) {
        public Target(String url, String user, String password, Map<String, String> properties,
                      String controlSchema, String stagingSchema) {
            this(url, user, password, properties, controlSchema, stagingSchema, null);
        }

        public JdbcEndpoint endpoint() {
            return new JdbcEndpoint(url, user, password, properties, driver);
        }

        public String controlSchemaOrDefault() {
            return controlSchema == null ? "snapsync" : controlSchema;
        }

        public String stagingSchemaOrDefault() {
            return stagingSchema == null ? controlSchemaOrDefault() : stagingSchema;
        }
    }

    /**
     * @param compactAt change layers' rows over the base's above which a run writes a full base (default 0.2)
     * @param compactLayers change layers above which a run writes a full base (default 10; 0: every run a full base)
     */
    public record Cache(String uri, String compression, Integer rowGroupMb, S3 s3, Integer keepVersions, Double compactAt,
                        Integer compactLayers) {
        public Cache(String uri, String compression, Integer rowGroupMb, S3 s3, Integer keepVersions) {
            this(uri, compression, rowGroupMb, s3, keepVersions, null, null);
        }

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

    /**
     * Where and how Redshift UNLOADs a table's snapshot: files go to {@code <prefix>/<table>/<run id>/} and are read
     * back with the same S3 filesystem settings as the cache. Credentials are Redshift's (what it uses to write to
     * S3): an IAM role ARN (comma-separated for a role chain), or an access key pair with an optional session token.
     *
     * @param maxFileSizeMb MAXFILESIZE in MB (5 to 6200; Redshift rounds Parquet files down to multiples of 32 MB)
     * @param rowGroupSizeMb ROWGROUPSIZE in MB (32 to 128)
     * @param region REGION of the bucket, when it is not the cluster's
     * @param kmsKeyId server-side encryption with this KMS key (KMS_KEY_ID ... ENCRYPTED); else S3's default SSE-S3
     * @param maxBucketMb the memory (MB) one subtask's sort of an UNLOAD bucket holds; a larger bucket spills sorted runs
     *     to the job's spill directory and is merged from them (default 256; 0: the smallest budget, 64 KB, so that
     *     nearly every bucket spills; before the external sort it meant the keyed diff, which UNLOAD no longer takes
     *     for a key with a proven order)
     */
    public record Unload(String prefix, String iamRole, String accessKeyId, String secretAccessKey, String sessionToken,
                         Integer maxFileSizeMb, Integer rowGroupSizeMb, String region, String kmsKeyId, Integer maxBucketMb)
            implements java.io.Serializable {
        @Override
        public String toString() { // secrets never in logs or messages
            return "Unload[prefix=" + prefix + ", iamRole=" + iamRole + ", accessKeyId=" + (accessKeyId == null ? "none" : "***")
                    + ", secretAccessKey=" + (secretAccessKey == null ? "none" : "***") + ", sessionToken="
                    + (sessionToken == null ? "none" : "***") + "]";
        }
    }

    /** S3 settings for the cache; credentials may also come from the default AWS provider chain. */
    public record S3(String endpoint, Boolean pathStyleAccess, String accessKey, String secretKey, String region) {}

    /** Job-wide settings; the policy keys are defaults that a table's own keys override (see {@link TablePolicies}). */
    public record Job(Integer parallelism, Integer splits, Integer restartAttempts, Double maxDeleteShare,
                      Double maxUpdateShare, String onDuplicateKey, String onNullKey, String onNulCharacter,
                      String nulReplacement, String schemaEvolution, String onColumnDropped, Integer applyChunkRows,
                      String applyChunkPause, String spillDir, Integer concurrentTables) {
        public static final Job DEFAULTS = new Job(null, null, null, null, null);
        /**
         * Tables reading their source at once by default: one table's read costs the source what a single-table run
         * does ({@code parallelism} cursors, each a Redshift WLM slot), however many tables the run holds.
         */
        public static final int DEFAULT_CONCURRENT_TABLES = 1;

        public Job(Integer parallelism, Integer splits, Integer restartAttempts, Double maxDeleteShare, Double maxUpdateShare) {
            this(parallelism, splits, restartAttempts, maxDeleteShare, maxUpdateShare, null, null, null, null, null, null, null, null, null);
        }

        public Job(Integer parallelism, Integer splits, Integer restartAttempts, Double maxDeleteShare, Double maxUpdateShare,
                   String onDuplicateKey, String onNullKey, String onNulCharacter, String nulReplacement, String schemaEvolution,
                   String onColumnDropped, Integer applyChunkRows, String applyChunkPause, String spillDir) {
            this(parallelism, splits, restartAttempts, maxDeleteShare, maxUpdateShare, onDuplicateKey, onNullKey, onNulCharacter,
                    nulReplacement, schemaEvolution, onColumnDropped, applyChunkRows, applyChunkPause, spillDir, null);
        }

        /** This job with {@code job.concurrent-tables} set to {@code n}. */
        public Job withConcurrentTables(Integer n) {
            return new Job(parallelism, splits, restartAttempts, maxDeleteShare, maxUpdateShare, onDuplicateKey, onNullKey,
                    onNulCharacter, nulReplacement, schemaEvolution, onColumnDropped, applyChunkRows, applyChunkPause, spillDir, n);
        }

        public int concurrentTablesOrDefault() {
            return concurrentTables == null ? DEFAULT_CONCURRENT_TABLES : concurrentTables;
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
                        String onColumnDropped, Integer applyChunkRows, String applyChunkPause,
                        Map<String, String> acceptLossyColumns, String extract) {
        public Table(String name, String source, String target, List<String> primaryKey, Integer splits,
                     Double maxDeleteShare, Double maxUpdateShare, Boolean createTarget, String onDuplicateKey,
                     String onNullKey, String onNulCharacter, String nulReplacement, String schemaEvolution,
                     String onColumnDropped, Integer applyChunkRows, String applyChunkPause) {
            this(name, source, target, primaryKey, splits, maxDeleteShare, maxUpdateShare, createTarget, onDuplicateKey,
                    onNullKey, onNulCharacter, nulReplacement, schemaEvolution, onColumnDropped, applyChunkRows, applyChunkPause,
                    null, null);
        }

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
                    key.equals("apply-chunk-pause") ? (String) value : applyChunkPause,
                    key.equals("accept-lossy-columns") ? castMap(value) : acceptLossyColumns,
                    key.equals("extract") ? (String) value : extract);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, String> castMap(Object value) {
            return (Map<String, String>) value;
        }

        /** Columns whose target type may store values changed or compare them differently, and why that is accepted. */
        public Map<String, String> acceptLossyColumnsOrEmpty() {
            return acceptLossyColumns == null ? Map.of() : acceptLossyColumns;
        }

        public boolean createTargetOrDefault() {
            return createTarget == null || createTarget;
        }
    }

    /** Whether this table is read by one UNLOAD ({@code extract: unload}, the table's own key winning) or by JDBC. */
    public boolean unload(Table t) {
        String e = t.extract() != null ? t.extract() : source.extract();
        return "unload".equals(e);
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
