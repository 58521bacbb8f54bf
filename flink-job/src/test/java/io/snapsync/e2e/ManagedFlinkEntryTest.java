package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.cli.Main;
import io.snapsync.config.RuntimeProperties;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Managed Service for Apache Flink entry on the MiniCluster: {@code main} with no arguments, everything
 * from a runtime-properties file in MSF's format (pointed at by the system property instead of
 * /etc/flink/application_properties.json). The real multi-process cluster run of this entry is in the cluster tests.
 */
class ManagedFlinkEntryTest extends EndToEndTestBase {

    private int runWith(Path properties, ByteArrayOutputStream err) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setProperty(RuntimeProperties.FILE_PROPERTY, properties.toString());
        try {
            return Main.run();
        } finally {
            System.clearProperty(RuntimeProperties.FILE_PROPERTY);
            System.setErr(old);
        }
    }

    private static void write(Path file, Map<String, String> group) throws Exception {
        new ObjectMapper().writeValue(file.toFile(), List.of(Map.of("PropertyGroupId", "snapsync", "PropertyMap", group)));
    }

    @Test
    void syncsFromRuntimePropertiesWithNoArguments() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            p.both("CREATE TABLE public.t (id integer PRIMARY KEY, name text)");
            exec(p.source, "INSERT INTO t SELECT i, 'n' || i FROM generate_series(1, 500) i");
            Path yaml = p.writeYaml(tmp.resolve("snapsync.yaml"), "parallelism: 2, restart-attempts: 0");
            Path props = tmp.resolve("application_properties.json");

            // day 1: the YAML inline
            write(props, Map.of("config", Files.readString(yaml), "command", "sync", "table", "t"));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(runWith(props, err)).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            // day 2: the YAML read from a URI through Flink's file systems
            exec(p.source, "UPDATE t SET name = 'changed' WHERE id % 7 = 0");
            exec(p.source, "DELETE FROM t WHERE id > 480");
            write(props, Map.of("config-uri", yaml.toUri().toString()));
            err.reset();
            assertThat(runWith(props, err)).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            // a mistake in the properties is a usage error saying what is wrong, and nothing runs
            write(props, Map.of("config-uri", yaml.toUri().toString(), "command", "sync-all"));
            err.reset();
            assertThat(runWith(props, err)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("snapsync: runtime property command must be one of [reconcile, resync, sync], got 'sync-all'");
        }
    }
}
