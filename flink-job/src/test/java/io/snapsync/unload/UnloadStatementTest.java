package io.snapsync.unload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.config.SyncConfig;
import io.snapsync.config.UnloadSettings;
import io.snapsync.schema.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnloadStatementTest {
    static final String ROLE = "arn:aws:iam::123456789012:role/RedshiftUnload";
    static final String LOCATION = "s3://unload-bucket/snapsync/t/20261201T000000Z-abc123/";

    static SyncConfig.Unload role(String arn) {
        return new SyncConfig.Unload("s3://unload-bucket/snapsync", arn, null, null, null, null, null, null, null, null);
    }

    static SyncConfig.Unload keys(String id, String secret, String token) {
        return new SyncConfig.Unload("s3://unload-bucket/snapsync", null, id, secret, token, null, null, null, null, null);
    }

    @Test
    void buildsTheDocumentedStatementWithQuotedIdentifiers() {
        String sql = UnloadStatement.build(new TableName("public", "t"), List.of("id", "v"), LOCATION, role(ROLE));
        assertThat(sql).isEqualTo("UNLOAD ('SELECT \"id\", \"v\" FROM \"public\".\"t\"') TO '" + LOCATION + "' IAM_ROLE '" + ROLE
                + "' FORMAT AS PARQUET MANIFEST VERBOSE");
    }

    @Test
    void bucketedTheSplitColumnIsSelectedLastAndPartitionedBy() {
        io.snapsync.schema.Column id = new io.snapsync.schema.Column("i\"d", io.snapsync.schema.ColumnType.INTEGER, "integer", 4, 0, 0, false);
        String split = UnloadBuckets.caseExpression(id, List.of(-5L, 1000L));
        String sql = UnloadStatement.build(new TableName("public", "t"), List.of("i\"d", "v"), LOCATION, role(ROLE), split);
        assertThat(sql).isEqualTo("UNLOAD ('SELECT \"i\"\"d\", \"v\", CASE WHEN \"i\"\"d\" IS NULL OR \"i\"\"d\" < -5 THEN 0 "
                + "WHEN \"i\"\"d\" < 1000 THEN 1 ELSE 2 END AS \"__snapsync_split\" FROM \"public\".\"t\"') TO '" + LOCATION
                + "' IAM_ROLE '" + ROLE + "' FORMAT AS PARQUET MANIFEST VERBOSE PARTITION BY (\"__snapsync_split\")");
        // one bucket: a constant split, still one folder
        assertThat(UnloadStatement.build(new TableName("public", "t"), List.of("v"), LOCATION, role(ROLE), UnloadBuckets.caseExpression(id, List.of())))
                .startsWith("UNLOAD ('SELECT \"v\", 0 AS \"__snapsync_split\" FROM").endsWith("PARTITION BY (\"__snapsync_split\")");
    }

    @Test
    void hostileIdentifiersAreQuotedThenDoubledForTheLiteral() {
        // a column named  a'"; DROP TABLE x; --  : the " is doubled by quoting, then every ' doubled by the literal
        String sql = UnloadStatement.build(new TableName("s'ch", "t\"x"), List.of("a'\"; DROP TABLE x; --", "ok"), LOCATION, role(ROLE));
        assertThat(sql).startsWith("UNLOAD ('SELECT \"a''\"\"; DROP TABLE x; --\", \"ok\" FROM \"s''ch\".\"t\"\"x\"') TO '");
        // the literal ends exactly where the statement's structure says: strip doubled quotes, then one quote pair is left
        String literal = sql.substring("UNLOAD (".length(), sql.indexOf(") TO '"));
        assertThat(literal.substring(1, literal.length() - 1).replace("''", "")).doesNotContain("'");
    }

    @Test
    void backslashInAnIdentifierIsRefusedNamingTheWayOut() {
        assertThatThrownBy(() -> UnloadStatement.build(new TableName("public", "t"), List.of("a\\'b"), LOCATION, role(ROLE)))
                .hasMessageContaining("\"a\\'b\"").hasMessageContaining("backslash").hasMessageContaining("extract: jdbc");
    }

    @Test
    void optionsInTheirDocumentedForm() {
        SyncConfig.Unload u = new SyncConfig.Unload("s3://b-1/p", ROLE, null, null, null, 256, 64, "eu-west-1",
                "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", null);
        String sql = UnloadStatement.build(new TableName("public", "t"), List.of("id"), "s3://b-1/p/t/r/", u);
        assertThat(sql).endsWith("FORMAT AS PARQUET MANIFEST VERBOSE MAXFILESIZE 256 MB ROWGROUPSIZE 64 MB REGION 'eu-west-1' "
                + "KMS_KEY_ID 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' ENCRYPTED");
    }

    @Test
    void credentialForms() {
        assertThat(UnloadStatement.build(new TableName("public", "t"), List.of("id"), LOCATION, role("default")))
                .contains(" IAM_ROLE default FORMAT");
        assertThat(UnloadStatement.build(new TableName("public", "t"), List.of("id"), LOCATION,
                role(ROLE + ",arn:aws:iam::210987654321:role/Chained"))).contains("IAM_ROLE '" + ROLE + ",arn:aws:iam::210987654321:role/Chained'");
        String sql = UnloadStatement.build(new TableName("public", "t"), List.of("id"), LOCATION,
                keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEBYaDH+token/=="));
        assertThat(sql).contains("ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE' SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' "
                + "SESSION_TOKEN 'FwoGZXIvYXdzEBYaDH+token/=='");
        SyncConfig.Unload u = keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEBYaDH+token/==");
        assertThat(UnloadStatement.redacted(sql, u)).doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("wJalr")
                .doesNotContain("FwoGZ").contains("ACCESS_KEY_ID '***'");
        assertThat(u.toString()).doesNotContain("AKIA").doesNotContain("wJalr").doesNotContain("FwoGZ");
    }

    @Test
    void valuesThatCouldEndTheirLiteralAreRefusedWithoutEchoingSecrets() {
        assertThatThrownBy(() -> UnloadSettings.checkConfig(role("arn:aws:iam::123456789012:role/x' IAM_ROLE 'y")))
                .hasMessageContaining("iam-role");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(keys("AKIAIOSFODNN7EXAMPLE", "secret' x 'wJalrXUtnFEMI/K7MDENG", null)))
                .hasMessageContaining("secret-access-key").message().doesNotContain("wJalr");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "zq9\\xv")))
                .hasMessageContaining("session-token").message().doesNotContain("zq9");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(
                new SyncConfig.Unload("s3://b/p' x", ROLE, null, null, null, null, null, null, null, null))).hasMessageContaining("prefix");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(
                new SyncConfig.Unload("https://b/p", ROLE, null, null, null, null, null, null, null, null))).hasMessageContaining("prefix");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(
                new SyncConfig.Unload("s3://b-1/p", ROLE, null, null, null, null, null, "eu-west-1'", null, null))).hasMessageContaining("region");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(
                new SyncConfig.Unload("s3://b-1/p", ROLE, null, null, null, null, null, null, "k' x", null))).hasMessageContaining("kms-key-id");
        assertThatThrownBy(() -> UnloadStatement.build(new TableName("public", "t"), List.of("id"), "s3://b-1/p/t'/r/", role(ROLE)))
                .hasMessageContaining("S3 location");
    }

    @Test
    void credentialsAreRequiredOnceAndSizesWithinRedshiftsLimits() {
        assertThatThrownBy(() -> UnloadSettings.checkConfig(role(null))).hasMessageContaining("iam-role");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(new SyncConfig.Unload("s3://b-1/p", ROLE, "AKIAIOSFODNN7EXAMPLE", null, null,
                null, null, null, null, null))).hasMessageContaining("not both");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(keys("AKIAIOSFODNN7EXAMPLE", null, null)))
                .hasMessageContaining("secret-access-key");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(new SyncConfig.Unload("s3://b-1/p", ROLE, null, null, null, 4, null, null, null, null)))
                .hasMessageContaining("max-file-size-mb");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(new SyncConfig.Unload("s3://b-1/p", ROLE, null, null, null, null, 129, null, null, null)))
                .hasMessageContaining("row-group-size-mb");
        assertThatThrownBy(() -> UnloadSettings.checkConfig(new SyncConfig.Unload("s3://b-1/p", ROLE, null, null, null, null, null, null, null, -1)))
                .hasMessageContaining("max-bucket-mb");
    }

    @Test
    void overlapIsByPathSegment() {
        assertThat(UnloadSettings.overlaps("s3://b/a", "s3://b/a/")).isTrue();
        assertThat(UnloadSettings.overlaps("s3://b/a/x", "s3://b/a")).isTrue();
        assertThat(UnloadSettings.overlaps("s3://b/a", "s3a://b/a/x")).isTrue();
        assertThat(UnloadSettings.overlaps("s3://b/ab", "s3://b/a")).isFalse();
        assertThat(UnloadSettings.overlaps("s3://b/unload", "file:///tmp/cache")).isFalse();
    }
}
