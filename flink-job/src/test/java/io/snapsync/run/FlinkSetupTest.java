package io.snapsync.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.apache.flink.util.MutableURLClassLoader;
import org.junit.jupiter.api.Test;

class FlinkSetupTest {

    private static SyncConfig config(SyncConfig.S3 s3) {
        return new SyncConfig(
                new SyncConfig.Source("jdbc:postgresql://h/src", "u", null, Map.of(), null, null),
                new SyncConfig.Target("jdbc:postgresql://h/app", "u", null, Map.of(), null, null),
                new SyncConfig.Cache("s3://bucket/snapsync", null, null, s3, null), null,
                List.of(new SyncConfig.Table("t", "public.t", "public.t", List.of("id"), null, null, null)));
    }

    private static final SyncConfig.S3 S3 = new SyncConfig.S3("http://127.0.0.1:9000", true, "AKIA-LOCAL", "local-secret", "eu-west-1");

    @Test
    void cacheS3KeysApplyToLocalRunsOnly() {
        Configuration local = FlinkSetup.configuration(config(S3), 2, false);
        assertThat(local.toMap()).containsEntry("s3.endpoint", "http://127.0.0.1:9000")
                .containsEntry("s3.access-key", "AKIA-LOCAL").containsEntry("s3.path.style.access", "true");
        Configuration cluster = FlinkSetup.configuration(config(S3), 2, true);
        assertThat(cluster.keySet()).noneMatch(k -> k.startsWith("s3."));
        assertThat(cluster.toMap()).containsEntry("execution.runtime-mode", "BATCH");
    }

    @Test
    void localFileSystemsKeepTheFlinkConfigurationAndLayTheRunsSettingsOverIt() {
        Configuration flinkConf = new Configuration();
        flinkConf.setString("s3.connection.maximum", "96");
        flinkConf.setString("s3.endpoint", "https://s3.eu-west-1.amazonaws.com");
        Configuration run = FlinkSetup.configuration(config(S3), 2, false);
        Configuration fs = FlinkSetup.fileSystemConfiguration(run, false, flinkConf);
        assertThat(fs.toMap()).containsEntry("s3.connection.maximum", "96")
                .containsEntry("s3.endpoint", "http://127.0.0.1:9000")
                .containsEntry("s3.secret-key", "local-secret");
        assertThat(FlinkSetup.fileSystemConfiguration(run, false, null).toMap()).containsEntry("s3.endpoint", "http://127.0.0.1:9000");
    }

    @Test
    void insideAClusterTheFileSystemsAreLeftAlone() {
        Configuration run = FlinkSetup.configuration(config(S3), 2, false);
        assertThat(FlinkSetup.fileSystemConfiguration(run, true, new Configuration())).isNull();
    }

    @Test
    void aClusterIsRecognisedByTheUserCodeClassLoaderFlinkRunsMainFrom() throws Exception {
        assertThat(FlinkSetup.insideFlinkCluster()).isFalse();
        URL classes = FlinkSetup.class.getProtectionDomain().getCodeSource().getLocation();
        // the same loader (and default parent-first patterns) a JobManager builds for a submitted jar
        try (MutableURLClassLoader job = FlinkUserCodeClassLoaders.create(new URL[] {classes},
                FlinkSetupTest.class.getClassLoader(), new Configuration())) {
            Class<?> setup = job.loadClass(FlinkSetup.class.getName());
            assertThat(setup).isNotSameAs(FlinkSetup.class);
            assertThat((Boolean) setup.getMethod("insideFlinkCluster").invoke(null)).isTrue();
        }
    }
}
