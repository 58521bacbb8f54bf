package io.snapsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimePropertiesTest {
    private static final String YAML = "source: { url: \"jdbc:redshift://r:5439/dev\" }\n";
    private static final Function<String, String> NO_URI = uri -> {
        throw new AssertionError("nothing to read, got " + uri);
    };

    @TempDir
    Path tmp;

    private static Map<String, Properties> groups(String group, String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        Map<String, Properties> m = new LinkedHashMap<>();
        m.put(group, p);
        return m;
    }

    @Test
    void inlineYamlBecomesTheCommandLine() {
        RuntimeProperties.Invocation inv = RuntimeProperties.parse(groups("snapsync", "config", YAML), NO_URI);
        assertThat(inv.command()).isEqualTo("sync");
        assertThat(inv.configText()).isEqualTo(YAML);
        assertThat(inv.arguments(Path.of("/tmp/c.yaml"))).containsExactly("sync", "--config", "/tmp/c.yaml");

        inv = RuntimeProperties.parse(groups("snapsync", "config", YAML, "command", " resync ", "table", "lineitem",
                "allow-mass-change", "TRUE", "dry-run", "false"), NO_URI);
        assertThat(inv.arguments(Path.of("/c.yaml")))
                .containsExactly("resync", "--config", "/c.yaml", "--table", "lineitem", "--allow-mass-change");
        assertThat(inv.toString()).doesNotContain("jdbc:"); // the config may hold secrets
    }

    @Test
    void aUriIsReadAndItsTextUsed() {
        List<String> asked = new ArrayList<>();
        RuntimeProperties.Invocation inv = RuntimeProperties.parse(
                groups("snapsync", "config-uri", "s3://bucket/snapsync.yaml", "command", "reconcile"),
                uri -> {
                    asked.add(uri);
                    return YAML;
                });
        assertThat(asked).containsExactly("s3://bucket/snapsync.yaml");
        assertThat(inv.configText()).isEqualTo(YAML);
        assertThat(inv.command()).isEqualTo("reconcile");
    }

    @Test
    void flinksFileSystemsReadTheUri() throws Exception {
        Path f = Files.writeString(tmp.resolve("snapsync.yaml"), YAML);
        assertThat(RuntimeProperties.readThroughFlink(f.toUri().toString())).isEqualTo(YAML);
        assertThatThrownBy(() -> RuntimeProperties.readThroughFlink(tmp.resolve("nope.yaml").toUri().toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read the config from file:")
                .hasMessageContaining("nope.yaml (runtime property config-uri)");
    }

    @Test
    void mistakesAreConfigErrorsThatSayWhatToDo() {
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("FlinkApplicationProperties", "x", "y"), NO_URI))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the runtime properties have no property group 'snapsync' (found: [FlinkApplicationProperties]); "
                        + "it needs config or config-uri, and command");
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("snapsync", "config", YAML, "config-uri", "s3://b/c.yaml"), NO_URI))
                .hasMessageContaining("either config (the YAML inline) or config-uri, not both");
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("snapsync", "command", "sync"), NO_URI))
                .hasMessageContaining("needs config (the YAML inline) or config-uri");
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("snapsync", "config", YAML, "command", "status"), NO_URI))
                .hasMessage("runtime property command must be one of [reconcile, resync, sync], got 'status'");
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("snapsync", "config", YAML, "dry-run", "yes"), NO_URI))
                .hasMessage("runtime property dry-run must be true or false, got 'yes'");
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("snapsync", "config", YAML, "tabel", "t"), NO_URI))
                .hasMessageStartingWith("unknown runtime property 'tabel' in group snapsync (known: [");
        assertThatThrownBy(() -> RuntimeProperties.parse(groups("snapsync", "config-uri", "bucket/snapsync.yaml"), NO_URI))
                .hasMessageContaining("config-uri must be a URI such as s3://");
    }

    /** The file as MSF writes it, read by the MSF runtime library against Flink 2.2's shaded Jackson. */
    @Test
    void readsTheFileMsfWrites() throws Exception {
        Path file = tmp.resolve("application_properties.json");
        new ObjectMapper().writeValue(file.toFile(), List.of(
                Map.of("PropertyGroupId", "snapsync", "PropertyMap", Map.of("config", YAML, "command", "sync", "table", "t")),
                Map.of("PropertyGroupId", "other", "PropertyMap", Map.of("k", "v"))));
        Map<String, Properties> groups = RuntimeProperties.read(file);
        assertThat(groups).containsOnlyKeys("snapsync", "other");
        RuntimeProperties.Invocation inv = RuntimeProperties.parse(groups, NO_URI);
        assertThat(inv.table()).isEqualTo("t");
        assertThat(inv.configText()).isEqualTo(YAML);

        Files.writeString(file, "{ not json");
        assertThatThrownBy(() -> RuntimeProperties.read(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read the runtime properties " + file);
    }

    @Test
    void theFileIsFoundBySystemPropertyThenEnvironmentThenMsfsPath() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.json"), "[]");
        Path b = Files.writeString(tmp.resolve("b.json"), "[]");
        Map<String, String> none = Map.of();
        assertThat(RuntimeProperties.locate(Map.of(RuntimeProperties.FILE_PROPERTY, a.toString())::get,
                Map.of(RuntimeProperties.FILE_ENV, b.toString())::get)).isEqualTo(a);
        assertThat(RuntimeProperties.locate(none::get, Map.of(RuntimeProperties.FILE_ENV, b.toString())::get)).isEqualTo(b);
        assertThatThrownBy(() -> RuntimeProperties.locate(Map.of(RuntimeProperties.FILE_PROPERTY, tmp.resolve("x.json").toString())::get, none::get))
                .isInstanceOf(ConfigException.class).hasMessageContaining("x.json").hasMessageContaining("does not exist");
        Path msf = Path.of(RuntimeProperties.DEFAULT_FILE);
        assertThat(RuntimeProperties.locate(none::get, none::get)).isEqualTo(Files.isRegularFile(msf) ? msf : null);
    }
}
