package io.snapsync.config;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Amazon Managed Service for Apache Flink runs the jar with no program arguments; what to do comes from the
 * application's runtime properties, which MSF writes to {@value #DEFAULT_FILE} and
 * {@code KinesisAnalyticsRuntime.getApplicationProperties} reads. The property group {@value #GROUP} holds:
 * <ul>
 *   <li>{@code config}: the YAML config inline, or {@code config-uri}: where to read it (s3://..., through
 *       Flink's file systems, i.e. the application's IAM role); exactly one of the two;
 *   <li>{@code command}: sync (default), reconcile or resync; {@code table}: only this table (optional);
 *   <li>{@code allow-mass-change}, {@code dry-run}: true or false (default false).
 * </ul>
 * They become the command line the CLI would get, with the config in a file only the process can read.
 */
public final class RuntimeProperties {
    public static final String GROUP = "snapsync";
    public static final String DEFAULT_FILE = "/etc/flink/application_properties.json";
    /** Points at another runtime-properties file (tests, or a run outside MSF that wants the same entry). */
    public static final String FILE_PROPERTY = "snapsync.runtime-properties";
    public static final String FILE_ENV = "SNAPSYNC_RUNTIME_PROPERTIES";

    private static final Set<String> COMMANDS = Set.of("sync", "reconcile", "resync");
    private static final Set<String> KEYS = new TreeSet<>(Set.of("config", "config-uri", "command", "table",
            "allow-mass-change", "dry-run"));

    private RuntimeProperties() {}

    /** What the runtime properties ask for; {@code configText} may hold secrets and is never printed. */
    public record Invocation(String command, String table, String configText, boolean allowMassChange, boolean dryRun) {
        /** The CLI arguments for this invocation, with the config in {@code configFile}. */
        public String[] arguments(Path configFile) {
            List<String> args = new ArrayList<>(List.of(command, "--config", configFile.toString()));
            if (table != null) {
                args.add("--table");
                args.add(table);
            }
            if (allowMassChange) {
                args.add("--allow-mass-change");
            }
            if (dryRun) {
                args.add("--dry-run");
            }
            return args.toArray(String[]::new);
        }

        @Override
        public String toString() {
            return "Invocation[command=" + command + ", table=" + table + ", config=(" + configText.length() + " chars)]";
        }
    }

    /**
     * The runtime-properties file: {@value #FILE_PROPERTY} (system property), else {@value #FILE_ENV}
     * (environment), else {@value #DEFAULT_FILE}; null when none of them exists (not running on MSF).
     */
    public static Path locate(Function<String, String> systemProperties, Function<String, String> env) {
        String named = systemProperties.apply(FILE_PROPERTY);
        if (named == null || named.isBlank()) {
            named = env.apply(FILE_ENV);
        }
        if (named != null && !named.isBlank()) {
            Path p = Path.of(named);
            if (!Files.isRegularFile(p)) {
                throw new ConfigException("the runtime properties file " + p + " (named by " + FILE_PROPERTY + " / "
                        + FILE_ENV + ") does not exist");
            }
            return p;
        }
        Path p = Path.of(DEFAULT_FILE);
        return Files.isRegularFile(p) ? p : null;
    }

    /** Reads the property groups with the MSF runtime library. */
    public static Map<String, Properties> read(Path file) {
        try {
            return KinesisAnalyticsRuntime.getApplicationProperties(file.toString());
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot read the runtime properties " + file + ": " + e.getMessage());
        }
    }

    /**
     * The invocation the property groups describe.
     *
     * @param readUri reads the text at a URI (Flink's file systems in production)
     */
    public static Invocation parse(Map<String, Properties> groups, Function<String, String> readUri) {
        Properties g = groups.get(GROUP);
        if (g == null) {
            throw new ConfigException("the runtime properties have no property group '" + GROUP + "' (found: "
                    + new TreeSet<>(groups.keySet()) + "); it needs config or config-uri, and command");
        }
        for (String key : g.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new ConfigException("unknown runtime property '" + key + "' in group " + GROUP + " (known: " + KEYS + ")");
            }
        }
        String inline = value(g, "config");
        String uri = value(g, "config-uri");
        if (inline != null && uri != null) {
            throw new ConfigException("runtime properties: give either config (the YAML inline) or config-uri, not both");
        }
        if (inline == null && uri == null) {
            throw new ConfigException("runtime properties: group " + GROUP + " needs config (the YAML inline) or config-uri (e.g. s3://bucket/snapsync.yaml)");
        }
        String command = value(g, "command") == null ? "sync" : value(g, "command");
        if (!COMMANDS.contains(command)) {
            throw new ConfigException("runtime property command must be one of " + new TreeSet<>(COMMANDS) + ", got '" + command + "'");
        }
        String text = inline;
        if (uri != null) {
            if (!uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                throw new ConfigException("runtime property config-uri must be a URI such as s3://bucket/snapsync.yaml, got " + uri);
            }
            text = readUri.apply(uri);
        }
        return new Invocation(command, value(g, "table"), text, flag(g, "allow-mass-change"), flag(g, "dry-run"));
    }

    private static String value(Properties g, String key) {
        String v = g.getProperty(key);
        return v == null || v.isBlank() ? null : (key.equals("config") ? v : v.strip());
    }

    private static boolean flag(Properties g, String key) {
        String v = value(g, key);
        if (v == null || v.equalsIgnoreCase("false")) {
            return false;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        throw new ConfigException("runtime property " + key + " must be true or false, got '" + v + "'");
    }

    /** Reads a URI through Flink's file systems (in a cluster: as the cluster configured them, e.g. s3://). */
    static String readThroughFlink(String uri) {
        try {
            org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(uri);
            try (InputStream in = p.getFileSystem().open(p)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot read the config from " + uri + " (runtime property config-uri): " + e.getMessage());
        }
    }

    /**
     * The CLI arguments from the runtime properties, or null when there are none (not on MSF). The config is
     * written to a file readable by this process's user only, deleted when the JVM exits.
     */
    public static String[] argumentsIfPresent() {
        Path file = locate(System::getProperty, System::getenv);
        if (file == null) {
            return null;
        }
        Invocation inv = parse(read(file), RuntimeProperties::readThroughFlink);
        try {
            Path config = Files.createTempFile("snapsync-config-", ".yaml",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            config.toFile().deleteOnExit();
            Files.writeString(config, inv.configText());
            return inv.arguments(config);
        } catch (IOException e) {
            throw new ConfigException("cannot write the config from the runtime properties to a local file: " + e.getMessage());
        }
    }
}
