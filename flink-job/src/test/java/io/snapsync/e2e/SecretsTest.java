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

    /** The shipped CLI log pattern's message part (log4j2-cli.properties): message and stack trace, scrubbed. */
    static final String LOG_PATTERN = "%p %c - %scrubbed%n";

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
                .setLayout(PatternLayout.newBuilder().withPattern(LOG_PATTERN).withAlwaysWriteExceptions(false).build()).build();
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
        assertThat(ui).as("the jobs ran on this cluster").contains("\"name\":\"snapsync ");
        for (String secret : secrets()) {
            assertThat(logs.toString()).as("logs").doesNotContain(secret);
            assertThat(console).as("stdout/stderr").doesNotContain(secret);
            assertThat(String.join("\n", reports)).as("reports").doesNotContain(secret);
            assertThat(ui).as("Flink REST API / web UI").doesNotContain(secret);
        }
        assertThat(logs.toString()).as("the capture worked").contains("table t: committed");
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

    /**
     * Secrets that snapsync cannot keep out of the driver's hands: in the URL's parameters (pgjdbc's password
     * and sslpassword in a URL it cannot even parse, the Redshift driver's IAM keys), in the driver properties
     * and in the password key, each in a failing run with --verbose: not on stdout/stderr, in the report or
     * in the log (with the shipped log pattern).
     */
    @Test
    void secretsInUrlParametersPropertiesAndPasswordKeysNeverLeave() throws Exception {
        List<String> hidden = List.of("Url-Pa55-Kq3-plum", "Ssl-Pa55-Wv2-pear", "Prop-Pa55-Hm4-lime", "AKIA-Key-Ab12-Cd34",
                "Iam-Secret-Rs5-date", "Session-Tok-Fj8-yam", "Key-Pa55-Nn6-fig");
        StringWriter logs = new StringWriter();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        WriterAppender appender = WriterAppender.newBuilder().setName("secrets-test-2").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern(LOG_PATTERN).withAlwaysWriteExceptions(false).build()).build();
        appender.start();
        LoggerConfig ours = cfg.getLoggerConfig("io.snapsync");
        Level ourLevel = ours.getLevel();
        ours.setLevel(Level.DEBUG);
        ours.addAppender(appender, Level.ALL, null);
        ctx.updateLoggers();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        List<String> reports = new ArrayList<>();
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("unused"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            String sourceUrl = p.sourcePg.getJdbcUrl(p.sourceDb);
            String targetUrl = p.targetPg.getJdbcUrl(p.targetDb);
            Path config = tmp.resolve("snapsync.yaml");
            Path report = tmp.resolve("report.json");
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
            List<String> sources = List.of(
                    // an unparsable port: pgjdbc refuses the URL and the error quotes it whole
                    "source: { url: \"jdbc:postgresql://127.0.0.1:5432x/db?user=src_pw&password=" + hidden.get(0)
                            + "&sslpassword=" + hidden.get(1) + "\" }",
                    // the password in the driver properties, wrong: the server refuses it
                    "source: { url: \"" + sourceUrl + "\", user: src_pw, properties: { password: \"" + hidden.get(2) + "\" } }",
                    // the Redshift driver's IAM parameters in the URL, unreachable host
                    "source: { url: \"jdbc:redshift://127.0.0.1:1/dev;AccessKeyID=" + hidden.get(3) + ";SecretAccessKey="
                            + hidden.get(4) + ";SessionToken=" + hidden.get(5) + "\" }",
                    // the password key, wrong
                    "source: { url: \"" + sourceUrl + "\", user: src_pw, password: \"" + hidden.get(6) + "\" }");
            for (String source : sources) {
                Files.writeString(config, source + "\n" + """
                        target: { url: "%s", user: tgt_pw, password: "%s" }
                        cache: { uri: "%s" }
                        job: { parallelism: 1, restart-attempts: 0 }
                        tables:
                          - { name: t, source: public.t, target: public.t, primary-key: [id] }
                        """.formatted(targetUrl, TARGET_PASSWORD, tmp.resolve("cache").toUri()));
                Files.deleteIfExists(report);
                assertThat(Main.run("sync", "--config", config.toString(), "--report", report.toString(), "--verbose"))
                        .as(out.toString()).isEqualTo(1);
                if (Files.exists(report)) {
                    reports.add(Files.readString(report));
                }
            }
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            ours.removeAppender("secrets-test-2");
            ours.setLevel(ourLevel);
            ctx.updateLoggers();
        }
        String console = out.toString(StandardCharsets.UTF_8);
        assertThat(console).as("the runs failed where expected").contains("cannot connect to the source database jdbc:postgresql://127.0.0.1:5432x/db")
                .contains("password authentication failed for user \"src_pw\"")
                .contains("cannot connect to the source database jdbc:redshift://127.0.0.1:1/dev");
        assertThat(logs.toString()).as("the capture worked").contains("sync failed");
        for (String secret : hidden) {
            assertThat(console).as("stdout/stderr").doesNotContain(secret);
            assertThat(String.join("\n", reports)).as("reports").doesNotContain(secret);
            assertThat(logs.toString()).as("logs").doesNotContain(secret);
        }
    }

    @Test
    void theShippedLogConfigScrubs() throws Exception {
        try (var in = SecretsTest.class.getResourceAsStream("/log4j2-cli.properties")) {
            String props = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(props).contains("%scrubbed").contains("alwaysWriteExceptions = false").doesNotContain("%m").doesNotContain("%throw");
        }
    }
}
