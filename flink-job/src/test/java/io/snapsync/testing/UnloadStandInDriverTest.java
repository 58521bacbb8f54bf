package io.snapsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-in's {@link UnloadStandInDriver#onePartitionAtATime} mode (what bench/run UNLOAD=1 uses to hold one partition
 * in memory, not the table) must write what the tests' default mode writes: the same files, byte for byte, and the same
 * manifest, for rows stored out of key order.
 */
class UnloadStandInDriverTest {
    @TempDir
    Path tmp;

    @Test
    void onePartitionAtATimeWritesTheSameFilesAsTheWholeTableAtOnce() throws Exception {
        int rowsPerFile = UnloadStandInDriver.rowsPerFile;
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(); Connection c = pg.getConnection("postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id bigint, v text, d numeric(10,2))");
                // stored in a scrambled order (a permutation of 1..1000) plus a NULL key: each partition's rows must keep
                // the query's order, whichever way they are gathered
                s.execute("INSERT INTO t SELECT (i * 7919) % 1000 + 1, 'v' || i, i / 7.0 FROM generate_series(0, 999) i");
                s.execute("INSERT INTO t VALUES (NULL, 'null key', 1.5)");
            }
            UnloadStandInDriver.rowsPerFile = 40; // several parts per slice and partition
            String select = "SELECT \"id\", \"v\", \"d\", CASE WHEN \"id\" IS NULL OR \"id\" < 300 THEN 0 WHEN \"id\" < 700 THEN 1 ELSE 2 END"
                    + " AS \"__snapsync_split\" FROM \"public\".\"t\"";
            Path whole = Files.createDirectories(tmp.resolve("whole")); // existing: its URI ends in a slash, as a location's must
            Path streamed = Files.createDirectories(tmp.resolve("streamed"));
            UnloadStandInDriver.unload(c, unload(select, whole));
            c.setAutoCommit(false); // the streamed mode's cursor needs a transaction
            UnloadStandInDriver.onePartitionAtATime = true;
            try {
                UnloadStandInDriver.unload(c, unload(select, streamed));
            } finally {
                UnloadStandInDriver.onePartitionAtATime = false;
                c.commit();
            }

            List<Path> files = relativeFiles(whole);
            assertThat(files).as("one folder per partition").anyMatch(f -> f.startsWith("__snapsync_split=2"))
                    .hasSizeGreaterThan(12).isEqualTo(relativeFiles(streamed));
            for (Path f : files) {
                if (f.toString().equals("manifest")) {
                    assertThat(Files.readString(streamed.resolve(f)).replace(streamed.toUri().toString(), "LOCATION/"))
                            .isEqualTo(Files.readString(whole.resolve(f)).replace(whole.toUri().toString(), "LOCATION/"));
                } else {
                    assertThat(Arrays.equals(Files.readAllBytes(streamed.resolve(f)), Files.readAllBytes(whole.resolve(f))))
                            .as("%s is the same file both ways", f).isTrue();
                }
            }
        } finally {
            UnloadStandInDriver.rowsPerFile = rowsPerFile;
        }
    }

    private static String unload(String select, Path location) {
        return "UNLOAD ('" + select.replace("'", "''") + "') TO '" + location.toUri() + "' IAM_ROLE 'arn:aws:iam::123456789012:role/T'"
                + " FORMAT AS PARQUET MANIFEST VERBOSE PARTITION BY (\"__snapsync_split\")";
    }

    private static List<Path> relativeFiles(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        }
    }

    /** Stand-in behaviour: Redshift's VARBYTE cast and FROM_HEX in PostgreSQL's words, nothing else of the query touched. */
    @Test
    void varbyteComparisonsAreTranslatedToPostgresBytea() {
        assertThat(UnloadStandInDriver.postgresVarbyte("SELECT \"k\", CASE WHEN \"k\" IS NULL OR CAST(\"k\" AS VARBYTE) < FROM_HEX('6d') THEN 0 "
                + "WHEN CAST(LOWER(\"a\"\"b\") AS VARBYTE) < FROM_HEX('c3a9') THEN 1 ELSE 2 END AS \"s\" FROM \"p\".\"t\""))
                .isEqualTo("SELECT \"k\", CASE WHEN \"k\" IS NULL OR convert_to(\"k\", 'UTF8') < decode('6d', 'hex') THEN 0 "
                        + "WHEN convert_to(LOWER(\"a\"\"b\"), 'UTF8') < decode('c3a9', 'hex') THEN 1 ELSE 2 END AS \"s\" FROM \"p\".\"t\"");
    }
}
