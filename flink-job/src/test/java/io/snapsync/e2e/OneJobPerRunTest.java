package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;

/**
 * A run is one Flink job: a table with bad data fails alone (the other commits in the same job), the
 * job writes the report beside the cache and into {@code sync_runs}, and the command line reads it
 * back for {@code --report}, its exit code and {@code status}.
 */
class OneJobPerRunTest extends EndToEndTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTableWithBadDataFailsAloneAndTheJobWritesTheReport() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            exec(p.source, "CREATE TABLE public.a (id integer PRIMARY KEY, v text); CREATE TABLE public.b (id integer, v text)");
            exec(p.target, "CREATE TABLE public.a (id integer PRIMARY KEY, v text); CREATE TABLE public.b (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO a SELECT i, 'a' || i FROM generate_series(1, 400) i");
            // b has a duplicated key: on-duplicate-key defaults to fail
            exec(p.source, "INSERT INTO b SELECT i, 'b' || i FROM generate_series(1, 300) i; INSERT INTO b VALUES (7, 'again')");
            Path config = tmp.resolve("snapsync.yaml");
            Files.writeString(config, """
                    source: { url: "%s", user: postgres }
                    target: { url: "%s", user: postgres }
                    cache:  { uri: "%s" }
                    job:    { parallelism: 2, restart-attempts: 1 }
                    tables:
                      - { name: a, source: public.a, target: public.a, primary-key: [id] }
                      - { name: b, source: public.b, target: public.b, primary-key: [id] }
                    """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri()));
            Path report = tmp.resolve("report.json");

            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(cli(err, "sync", "--config", config.toString(), "--report", report.toString())).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("table b failed").contains("(id=7)");
            assertThat(rows(p.target, "a", "id")).as("a committed in the same job").isEqualTo(rows(p.source, "a", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM b")).isZero();
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();

            JsonNode r = JSON.readTree(report.toFile());
            assertThat(r.get("status").asText()).isEqualTo("failed");
            assertThat(r.get("jobId").asText()).isNotBlank();
            assertThat(r.get("tables").get(0).get("status").asText()).isEqualTo("committed");
            assertThat(r.get("tables").get(0).get("inserted").asLong()).isEqualTo(400);
            assertThat(r.get("tables").get(1).get("status").asText()).isEqualTo("failed");
            assertThat(r.get("tables").get(1).get("error").asText()).contains("more than once");
            // written by the job, not the client: beside the cache and in the control schema
            Path beside = p.cache.resolve("_snapsync-runs").resolve(r.get("runId").asText() + ".json");
            assertThat(JSON.readTree(beside.toFile())).isEqualTo(r);
            assertThat(JSON.readTree(runReport(p, r.get("runId").asText()))).isEqualTo(r);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(cli(out, out, "status", "--config", config.toString())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("last run " + r.get("runId").asText())
                    .contains(": failed, finished").contains("b failed: ");

            // day 2: b repaired, both change
            update(p.source, "DELETE FROM b WHERE id = 7 AND v = 'again'");
            update(p.source, "UPDATE a SET v = 'changed' WHERE id % 10 = 0");
            update(p.source, "DELETE FROM b WHERE id > 290");
            assertThat(cli(new ByteArrayOutputStream(), "sync", "--config", config.toString(), "--report", report.toString())).isZero();
            r = JSON.readTree(report.toFile());
            assertThat(r.get("status").asText()).isEqualTo("committed");
            assertThat(r.get("tables").get(0).get("updated").asLong()).isEqualTo(40);
            assertThat(r.get("tables").get(1).get("inserted").asLong()).isEqualTo(290);
            assertThat(rows(p.target, "a", "id")).isEqualTo(rows(p.source, "a", "id"));
            assertThat(rows(p.target, "b", "id")).isEqualTo(rows(p.source, "b", "id"));
            assertThat(scalar(p.target, "SELECT count(*) FROM snapsync.sync_runs")).isEqualTo(2);
        }
    }

    private static String runReport(PgPair p, String runId) throws Exception {
        try (PreparedStatement ps = p.target.prepareStatement("SELECT report FROM snapsync.sync_runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static int cli(ByteArrayOutputStream err, String... args) {
        return cli(new ByteArrayOutputStream(), err, args);
    }

    private static int cli(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
