package io.snapsync.e2e;

import io.snapsync.testing.S3TestServer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import io.snapsync.testing.UnloadStandInDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** End-to-end tests of {@code extract: unload}: one S3 API server on 127.0.0.1 (S3Proxy) per test class, and the role UNLOAD names. */
abstract class UnloadTestBase extends EndToEndTestBase {
    static final String ROLE = "arn:aws:iam::123456789012:role/RedshiftUnload";
    static S3TestServer s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3TestServer.start();
    }

    @AfterAll
    static void stopS3() {
        FileSystem.initialize(new Configuration(), null); // forget the S3 client of a server that is gone
        s3.close();
    }

    /** The stand-in's knobs are static: what a test set (file size, a tampered statement) ends with it. */
    @AfterEach
    void restoreStandIn() {
        UnloadStandInDriver.rowsPerFile = UnloadStandInDriver.DEFAULT_ROWS_PER_FILE;
        UnloadStandInDriver.tamperNextSelect = null;
        UnloadStandInDriver.tamperNextManifest = null;
    }

    String prefix() {
        return "s3://" + s3.bucket() + "/unload";
    }
}
