package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cache on a real S3 API server on 127.0.0.1, through flink-s3-fs-hadoop, configured only from snapsync's config. */
class S3CacheEndToEndTest extends EndToEndTestBase {
    static S3TestServer s3;

    @BeforeAll
    static void startS3() {
        s3 = S3TestServer.start();
    }

    @AfterAll
    static void stopS3() {
        FileSystem.initialize(new Configuration(), null); // forget the S3 client of a server that is gone
        s3.close();
    }

    @Test
    void twoDaysWithTheCacheOnS3() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text, d date)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i, date '2020-01-01' + i FROM generate_series(1, 3000) i");
            SyncConfig local = p.config("t", List.of("id"), 2);
            SyncConfig config = new SyncConfig(local.source(), local.target(),
                    new SyncConfig.Cache(s3.uri("snapsync/prod").toString(), "zstd", null,
                            new SyncConfig.S3(s3.endpoint(), true, s3.accessKey(), s3.secretKey(), s3.region()), null),
                    local.job(), local.tables());

            TableReport day1 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day1.status).as("error: %s", day1.error).isEqualTo("committed");
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            // the version's files and manifest are objects in the bucket, not local files
            Path version = s3.dataDir().resolve(s3.bucket()).resolve("snapsync/prod/t/v-" + day1.cacheVersion);
            try (var files = Files.list(version)) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .contains("_manifest.json").anyMatch(n -> n.endsWith(".parquet"));
            }

            update(p.source, "UPDATE t SET v = 'changed' WHERE id % 10 = 0");
            update(p.source, "DELETE FROM t WHERE id % 100 = 1");
            update(p.source, "INSERT INTO t VALUES (5000, 'new', NULL)");
            TableReport day2 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day2.status).as("error: %s", day2.error).isEqualTo("committed");
            assertThat(day2.previousCacheVersion).isEqualTo(day1.cacheVersion);
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(1, 300, 30);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));
        }
    }
}
