package io.snapsync.config;

import java.util.regex.Pattern;

/**
 * The checks of {@code source.unload}: every value that ends up inside the UNLOAD statement's literals must match a
 * strict pattern that admits no quote, backslash or white space. Config validation, so it sits with the config; the
 * statement itself ({@code unload.UnloadStatement}) checks again before it builds. Pure: unit-tested.
 */
public final class UnloadSettings {
    public static final Pattern S3_LOCATION = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*()%=+-][A-Za-z0-9!_.*()%=+/-]*)?/?");
    static final Pattern ROLE_ARN = Pattern.compile("arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=.@_/-]{1,512}");
    static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
    static final Pattern SECRET = Pattern.compile("[A-Za-z0-9/+=]{16,128}");
    static final Pattern SESSION_TOKEN = Pattern.compile("[A-Za-z0-9/+=]{16,8192}");
    static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    static final Pattern KMS_KEY = Pattern.compile("[A-Za-z0-9:/_-]{1,2048}");

    private UnloadSettings() {}

    /**
     * Checks the unload settings; throws IllegalArgumentException with one line naming the key (never the value of
     * a secret).
     */
    public static void checkConfig(SyncConfig.Unload u) {
        if (u == null || u.prefix() == null || u.prefix().isBlank()) {
            throw new IllegalArgumentException("source.unload.prefix is required (s3://bucket/path, where UNLOAD writes)");
        }
        if (!S3_LOCATION.matcher(u.prefix()).matches()) {
            throw new IllegalArgumentException("source.unload.prefix must be s3://bucket/path with letters, digits and !_.*()%=+-/ "
                    + "only, got " + u.prefix());
        }
        boolean keys = u.accessKeyId() != null || u.secretAccessKey() != null || u.sessionToken() != null;
        if (u.iamRole() != null && keys) {
            throw new IllegalArgumentException("source.unload: set iam-role or access-key-id/secret-access-key, not both");
        }
        if (u.iamRole() == null && !keys) {
            throw new IllegalArgumentException("source.unload needs credentials Redshift writes to S3 with: iam-role, "
                    + "or access-key-id and secret-access-key (and session-token for temporary credentials)");
        }
        if (u.iamRole() != null && !"default".equals(u.iamRole())) {
            for (String arn : u.iamRole().split(",", -1)) {
                if (!ROLE_ARN.matcher(arn).matches()) {
                    throw new IllegalArgumentException("source.unload.iam-role must be 'default' or IAM role ARNs "
                            + "(arn:aws:iam::<12 digits>:role/<name>, comma-separated to chain roles), got " + u.iamRole());
                }
            }
        }
        if (keys) {
            if (u.accessKeyId() == null || !ACCESS_KEY_ID.matcher(u.accessKeyId()).matches()) {
                throw new IllegalArgumentException("source.unload.access-key-id is missing or not an AWS access key id");
            }
            if (u.secretAccessKey() == null || !SECRET.matcher(u.secretAccessKey()).matches()) {
                throw new IllegalArgumentException("source.unload.secret-access-key is missing or not an AWS secret access key");
            }
            if (u.sessionToken() != null && !SESSION_TOKEN.matcher(u.sessionToken()).matches()) {
                throw new IllegalArgumentException("source.unload.session-token is not an AWS session token");
            }
        }
        if (u.maxFileSizeMb() != null && (u.maxFileSizeMb() < 5 || u.maxFileSizeMb() > 6200)) {
            throw new IllegalArgumentException("source.unload.max-file-size-mb must be between 5 and 6200 (Redshift's MAXFILESIZE), got "
                    + u.maxFileSizeMb());
        }
        if (u.maxBucketMb() != null && u.maxBucketMb() < 0) {
            throw new IllegalArgumentException("source.unload.max-bucket-mb must be 0 or more, got " + u.maxBucketMb());
        }
        if (u.rowGroupSizeMb() != null && (u.rowGroupSizeMb() < 32 || u.rowGroupSizeMb() > 128)) {
            throw new IllegalArgumentException("source.unload.row-group-size-mb must be between 32 and 128 (Redshift's ROWGROUPSIZE), got "
                    + u.rowGroupSizeMb());
        }
        if (u.region() != null && !REGION.matcher(u.region()).matches()) {
            throw new IllegalArgumentException("source.unload.region is not an AWS region name: " + u.region());
        }
        if (u.kmsKeyId() != null && !KMS_KEY.matcher(u.kmsKeyId()).matches()) {
            throw new IllegalArgumentException("source.unload.kms-key-id is not a KMS key id, ARN or alias: " + u.kmsKeyId());
        }
    }

    /** Whether one S3 location is the other or lies inside it ({@code s3://b/a} contains {@code s3://b/a/x}, not {@code s3://b/ab}). */
    public static boolean overlaps(String a, String b) {
        String x = a.replaceAll("/+$", "") + "/";
        String y = b.replaceAll("/+$", "") + "/";
        x = x.replaceFirst("^s3[an]?://", "s3://");
        y = y.replaceFirst("^s3[an]?://", "s3://");
        return x.startsWith(y) || y.startsWith(x);
    }
}
