package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.cli.Main;
import io.snapsync.testing.S3TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Config and environment errors through the real command line: one line on stderr (no stack trace),
 * the documented exit code, and nothing written — the target rows, the control row and the committed
 * cache are as they were, and on a first run not even the control schema or the target table exist.
 */
class ErrorCasesTest extends EndToEndTestBase {
    static S3TestServer s3;

    @BeforeAll
    static void startS3AndPasswordRole() throws Exception {
        s3 = S3TestServer.start();
        PasswordAuth.require(pg, "pw_user", "right-password");
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    /** A working config, as YAML lines that the cases edit. */
    private static String yaml(PgPair p, String cacheUri) {
        return """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache: { uri: "%s", s3: { endpoint: "%s", path-style-access: true, access-key: "%s", secret-key: "%s", region: "%s" } }
                job: { parallelism: 2, restart-attempts: 0 }
                tables:
                  - name: t
                    source: public.t
                    target: public.t
                    primary-key: [id]
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), p.targetPg.getJdbcUrl(p.targetDb), cacheUri,
                s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region());
    }

    record Case(String name, boolean firstRun, UnaryOperator<String> edit, int exit, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("unknown key", false, y -> y + "    colour: blue\n", 2,
                        "unknown config key 'colour' at tables[0].colour"),
                new Case("a key given twice", false, y -> y + "target: { url: \"jdbc:postgresql://127.0.0.1:1/elsewhere\" }\n", 2,
                        "config key 'target' is given twice (second at line 10)"),
                new Case("a nested key given twice", false, y -> y + "    primary-key: [v]\n", 2,
                        "config key 'primary-key' is given twice in tables[0] (second at line 10)"),
                new Case("missing primary key", false, y -> y.replace("    primary-key: [id]\n", ""), 2,
                        "tables[0].primary-key is required"),
                new Case("source table not found", false, y -> y.replace("source: public.t", "source: public.nope"), 1,
                        "source table public.nope does not exist"),
                new Case("key column not in source", false, y -> y.replace("[id]", "[ident]"), 1,
                        "primary-key column(s) [ident] not found in source table public.t"),
                // first runs (a synced table pointed at another target is a moved target, below)
                new Case("column missing in target", true, y -> y.replace("target: public.t", "target: public.narrow"), 1,
                        "target table public.narrow lacks source column(s) [v]"),
                new Case("key not the target's primary key", true, y -> y.replace("target: public.t", "target: public.nokey"), 1,
                        "primary-key [id] is not the primary key or a unique index of target table public.nokey (it has none)"),
                // another target than the control row's is refused before its columns and key are looked at;
                // reconcile (the way out) then checks them: MovedTargetTest
                new Case("target moved to a table lacking a column", false, y -> y.replace("target: public.t", "target: public.narrow"), 1,
                        "table t was last synced into public.t (cache version "),
                new Case("target moved to a table without the key", false, y -> y.replace("target: public.t", "target: public.nokey"), 1,
                        "but target is now public.nokey; run `snapsync reconcile` to adopt public.nokey"),
                new Case("unreachable source", true, y -> y.replaceFirst("url: \"jdbc:postgresql://127.0.0.1:\\d+/", "url: \"jdbc:postgresql://127.0.0.1:1/"), 1,
                        "cannot connect to the source database jdbc:postgresql://127.0.0.1:1/"),
                new Case("unreachable target", true, y -> y.replaceFirst("(target: \\{ url: \"jdbc:postgresql://127.0.0.1:)\\d+", "$11"), 1,
                        "cannot connect to the target database jdbc:postgresql://127.0.0.1:1/"),
                new Case("failed authentication", true,
                        y -> y.replace("target: { url: \"" , "target: { password: wrong-password, url: \"")
                                .replaceFirst("(target: \\{[^}]*user: )postgres", "$1pw_user"), 1,
                        "password authentication failed for user \"pw_user\""),
                new Case("missing bucket", true, y -> y.replaceFirst("uri: \"[^\"]*\"", "uri: \"s3://no-such-bucket/snapsync\""), 1,
                        "the cache location s3://no-such-bucket/snapsync is not writable: "),
                new Case("unwritable cache location", true, y -> y.replaceFirst("uri: \"([^\"]*)\"", "uri: \"$1/a-file/below\""), 1,
                        "/a-file/below is not writable: ")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithOneLineAndWritesNothing(Case c) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, v text)");
            exec(p.target, "CREATE TABLE public.narrow (id integer PRIMARY KEY); CREATE TABLE public.nokey (id integer, v text)");
            exec(p.source, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 100) i");
            Files.createDirectories(p.cache);
            Files.writeString(p.cache.resolve("a-file"), "a file, not a directory");
            Path config = tmp.resolve("snapsync.yaml");
            String good = yaml(p, p.cache.toUri().toString());
            Files.writeString(config, good);
            if (!c.firstRun()) {
                assertThat(Main.run("sync", "--config", config.toString())).isZero();
                exec(p.source, "UPDATE t SET v = 'changed' WHERE id <= 10");
            }
            List<String> target = rows(p.target, "t", "id");
            List<String> cache = files(p.cache);
            String control = c.firstRun() ? null : rows(p.target, "snapsync.sync_state", "table_name").toString();

            Files.writeString(config, c.edit().apply(good));
            assertThat(Files.readString(config)).as("the case changed the config").isNotEqualTo(good);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.run("sync", "--config", config.toString());
            } finally {
                System.setErr(old);
            }
            String stderr = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as(stderr).isEqualTo(c.exit());
            assertThat(stderr.lines().toList()).as("one line, no stack trace").hasSize(1);
            assertThat(stderr).startsWith("snapsync: ").contains(c.message()).doesNotContain("Exception");

            assertThat(rows(p.target, "t", "id")).isEqualTo(target);
            assertThat(files(p.cache)).isEqualTo(cache);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")).isZero();
            if (c.firstRun()) {
                assertThat(scalar(p.target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'snapsync'")).isZero();
            } else {
                assertThat(rows(p.target, "snapsync.sync_state", "table_name").toString()).isEqualTo(control);
            }
        }
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(dir::relativize).map(Path::toString).sorted().toList();
        }
    }
}
