package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CacheIntegrityTest {
    private static CacheManifest manifest(long rowCount, CacheManifest.FileEntry... files) {
        return new CacheManifest(CacheManifest.FORMAT, "t", "v1", rowCount, "fp", List.of(), List.of("id"), List.of(files), "now");
    }

    private static final CacheManifest.FileEntry A = new CacheManifest.FileEntry("part-0-a0.parquet", 10, 100L, "0000000a");
    private static final CacheManifest.FileEntry B = new CacheManifest.FileEntry("part-1-a0.parquet", 5, 50L, "0000000b");

    private static CacheIntegrity.Observed ok(CacheManifest.FileEntry f) {
        return new CacheIntegrity.Observed(f.name(), f.bytes(), f.crc32c(), f.rows(), null);
    }

    @Test
    void aMatchingVersionHasNoProblems() {
        assertThat(CacheIntegrity.problems(manifest(15, A, B), "t", "v1", 15, "fp", List.of(ok(A), ok(B)))).isEmpty();
    }

    @Test
    void countsMustAgreeWithTheFilesAndTheControlRow() {
        assertThat(CacheIntegrity.problems(manifest(15, A), "t", "v1", 15, "fp", List.of(ok(A))))
                .containsExactly("its files hold 10 rows but the manifest records 15");
        assertThat(CacheIntegrity.problems(manifest(10, A), "t", "v1", 15, "fp", List.of(ok(A))))
                .containsExactly("the manifest records 10 rows but the control row 15");
        assertThat(CacheIntegrity.problems(manifest(20, A, A), "t", "v1", 20, "fp", List.of(ok(A), ok(A))))
                .containsExactly("file part-0-a0.parquet is listed twice");
        assertThat(CacheIntegrity.problems(manifest(15, A, B), "t", "v2", 15, "other", List.of(ok(A), ok(B))))
                .containsExactly("the manifest describes table t version v1", "the manifest's schema fingerprint differs from the control row's");
    }

    @Test
    void eachFileMustBeTheOneWritten() {
        var m = manifest(15, A, B);
        assertThat(CacheIntegrity.problems(m, "t", "v1", 15, "fp", List.of(new CacheIntegrity.Observed(A.name(), -1, null, -1, null), ok(B))))
                .containsExactly("file part-0-a0.parquet is missing");
        assertThat(CacheIntegrity.problems(m, "t", "v1", 15, "fp", List.of(new CacheIntegrity.Observed(A.name(), 99, null, -1, null), ok(B))))
                .containsExactly("file part-0-a0.parquet is 99 bytes, written as 100");
        assertThat(CacheIntegrity.problems(m, "t", "v1", 15, "fp", List.of(new CacheIntegrity.Observed(A.name(), 100, "ffffffff", -1, null), ok(B))))
                .containsExactly("file part-0-a0.parquet has CRC32C ffffffff, written as 0000000a");
        assertThat(CacheIntegrity.problems(m, "t", "v1", 15, "fp", List.of(ok(A), new CacheIntegrity.Observed(B.name(), 50, "0000000b", 4, null))))
                .containsExactly("file part-1-a0.parquet holds 4 rows, the manifest records 5");
        assertThat(CacheIntegrity.problems(m, "t", "v1", 15, "fp", List.of(ok(A),
                new CacheIntegrity.Observed(B.name(), 50, null, 5, null, "t/v-v0/part-1-a0.parquet"))))
                .containsExactly("file part-1-a0.parquet was written as t/v-v0/part-1-a0.parquet, not as this file");
    }

    @Test
    void oldManifestsWithoutLengthsAndChecksumsStillGetTheFooterChecks() {
        var old = new CacheManifest.FileEntry("part-0-a0.parquet", 10);
        assertThat(CacheIntegrity.problems(manifest(10, old), "t", "v1", 10, "fp",
                List.of(new CacheIntegrity.Observed(old.name(), 7, null, -1, "footer is too large")))).containsExactly(
                "file part-0-a0.parquet is not a readable Parquet file (footer is too large)");
        assertThat(CacheIntegrity.problems(manifest(10, old), "t", "v1", 10, "fp",
                List.of(new CacheIntegrity.Observed(old.name(), 7, null, 10, null)))).isEmpty();
    }
}
