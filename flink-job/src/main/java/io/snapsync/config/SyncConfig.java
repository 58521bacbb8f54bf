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

    public record Job(Integer parallelism, Integer splits, Integer restartAttempts, Double maxDeleteShare,
                      Double maxUpdateShare) {
        public static final Job DEFAULTS = new Job(null, null, null, null, null);

        public double maxDeleteShareOrDefault() {
            return maxDeleteShare == null ? 0.10 : maxDeleteShare;
        }

        public double maxUpdateShareOrDefault() {
            return maxUpdateShare == null ? 1.0 : maxUpdateShare;
        }
    }

    public record Table(String name, String source, String target, List<String> primaryKey, Integer splits,
                        Double maxDeleteShare, Double maxUpdateShare, Boolean createTarget) {
        public Table(String name, String source, String target, List<String> primaryKey, Integer splits,
                     Double maxDeleteShare, Double maxUpdateShare) {
            this(name, source, target, primaryKey, splits, maxDeleteShare, maxUpdateShare, null);
        }

        public boolean createTargetOrDefault() {
            return createTarget == null || createTarget;
        }
    }

    public Job jobOrDefaults() {
        return job == null ? Job.DEFAULTS : job;
    }
}
