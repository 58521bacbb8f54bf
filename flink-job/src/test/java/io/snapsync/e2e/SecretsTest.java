package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.cli.Main;
import io.snapsync.testing.S3TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.RestOptions;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No password or secret key in logs (everything snapsync and Flink log at INFO and above, snapsync at
 * DEBUG), reports, stdout/stderr (even with --verbose stack traces), or the Flink REST API behind the
 * web UI (job names, job configs, the cluster's config). The database passwords are really checked by
 * the server (scram), so the runs that succeed prove the secrets were used.
 */
class SecretsTest extends EndToEndTestBase {
    static final String SOURCE_PASSWORD = "Src-Pa55-Qx7-kiwi";
    static final String TARGET_PASSWORD = "Tgt-Pa55-Zy9-fig";
    static S3TestServer s3;

    @BeforeAll
    static void setUp() throws Exception {
        s3 = S3TestServer.start();
        PasswordAuth.require(pg, "src_pw", SOURCE_PASSWORD);
        PasswordAuth.require(pg, "tgt_pw", TARGET_PASSWORD);
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    private List<String> secrets() {
        return List.of(SOURCE_PASSWORD, TARGET_PASSWORD, s3.secretKey());
    }

    private static String yaml(PgPair p, String targetUrl, String targetPassword) {
        return """
                source: { url: "%s", user: src_pw, password: "${SRC_PW:-%s}" }
                target: { url: "%s", user: tgt_pw, password: "%s" }
                cache: { uri: "%s", s3: { endpoint: "%s", path-style-access: true, access-key: "%s", secret-key: "%s", region: "%s" } }
                job: { parallelism: 2, restart-attempts: 1 }
                tables:
                  - { name: t, source: public.t, target: public.t, primary-key: [id] }
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), SOURCE_PASSWORD, targetUrl, targetPassword,
                s3.uri("secrets"), s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region());
    }

    @Test
    void noSecretInLogsReportsMessagesOrTheFlinkUi() throws Exception {
        StringWriter logs = new StringWriter();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        WriterAppender appender = WriterAppender.newBuilder().setName("secrets-test").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c - %m%n%throwable").build()).build();
        appender.start();
        LoggerConfig root = cfg.getRootLogger();
        Level rootLevel = root.getLevel();
        root.addAppender(appender, Level.ALL, null);
        root.setLevel(Level.INFO);
        LoggerConfig ours = cfg.getLoggerConfig("io.snapsync");
        Level ourLevel = ours.getLevel();
        ours.setLevel(Level.DEBUG);
        ours.addAppender(appender, Level.ALL, null);
        ctx.updateLoggers();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> reports = new ArrayList<>();
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("unused"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 500) i");
            String targetUrl = p.targetPg.getJdbcUrl(p.targetDb);
            Path config = tmp.resolve("snapsync.yaml");
            Path report = tmp.resolve("report.json");

            Files.writeString(config, yaml(p, targetUrl, TARGET_PASSWORD));
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString())).as(out.toString()).isZero();
            reports.add(Files.readString(report));
            exec(p.source, "UPDATE t SET v = 'x' WHERE id < 50");
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString(), "--verbose")).isZero();
            reports.add(Files.readString(report));

            // failures: wrong password, a password in the URL of a database that does not exist, with stack traces
            Files.writeString(config, yaml(p, targetUrl, "wrong-" + TARGET_PASSWORD));
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString(), "--verbose")).isEqualTo(1);
            reports.add(Files.readString(report));
            Files.writeString(config, yaml(p, targetUrl.replace(p.targetDb, "nosuchdb") + "?password=" + TARGET_PASSWORD,
                    TARGET_PASSWORD));
            assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString(), "--verbose")).isEqualTo(1);
            reports.add(Files.readString(report));
            Main.run("status", "--config", config.toString(), "--verbose");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            root.removeAppender("secrets-test");
            ours.removeAppender("secrets-test");
            root.setLevel(rootLevel);
            ours.setLevel(ourLevel);
            ctx.updateLoggers();
        }

        String console = out.toString(StandardCharsets.UTF_8);
        assertThat(console).contains("password authentication failed for user \"tgt_pw\"")
                .contains("database \"nosuchdb\" does not exist");
        assertThat(reports.get(0)).contains("\"status\" : \"committed\"");
        String ui = flinkRestApi();
        assertThat(ui).as("the jobs ran on this cluster").contains("snapsync t ");
        for (String secret : secrets()) {
            assertThat(logs.toString()).as("logs").doesNotContain(secret);
            assertThat(console).as("stdout/stderr").doesNotContain(secret);
            assertThat(String.join("\n", reports)).as("reports").doesNotContain(secret);
            assertThat(ui).as("Flink REST API / web UI").doesNotContain(secret);
        }
        assertThat(logs.toString()).as("the capture worked").contains("committed cache version");
    }

    /** Everything the web UI shows about jobs and configuration. */
    private String flinkRestApi() throws Exception {
        var conf = FLINK.getClientConfiguration();
        String base = "http://" + conf.get(RestOptions.ADDRESS) + ":" + conf.get(RestOptions.PORT);
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        StringBuilder all = new StringBuilder();
        List<String> paths = new ArrayList<>(List.of("/jobs/overview", "/jobmanager/config", "/config", "/taskmanagers"));
        JsonNode jobs = json.readTree(get(http, base + "/jobs/overview")).get("jobs");
        for (JsonNode j : jobs) {
            String id = j.get("jid").asText();
            paths.addAll(List.of("/jobs/" + id, "/jobs/" + id + "/config", "/jobs/" + id + "/jobmanager/config",
                    "/jobs/" + id + "/plan", "/jobs/" + id + "/exceptions"));
        }
        assertThat(jobs.size()).isGreaterThanOrEqualTo(2);
        for (String path : paths) {
            all.append(path).append(": ").append(get(http, base + path)).append('\n');
        }
        return all.toString();
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }
}
