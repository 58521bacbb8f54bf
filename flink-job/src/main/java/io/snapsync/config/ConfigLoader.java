package io.snapsync.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.snapsync.schema.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML config. {@code ${VAR}} (or {@code ${VAR:-default}}) in any string value is replaced
 * from the environment after parsing, so a secret can never change the structure of the file.
 * Unknown keys and missing required keys are errors naming the key.
 */
public final class ConfigLoader {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    // a key given twice would otherwise silently take the last value (e.g. a second target:)
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // a count given as 1.5 is a mistake, not 1
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private ConfigLoader() {}

    public static SyncConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static SyncConfig load(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, env);
    }

    public static SyncConfig parse(String yaml, Function<String, String> env) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            Matcher dup = DUPLICATE.matcher(msg);
            if (dup.find()) {
                String where = e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser
                        ? pointerPath(parser.getParsingContext().pathAsPointer().toString()) : "";
                throw new ConfigException("config key '" + dup.group(1) + "' is given twice"
                        + (where.isEmpty() ? "" : " in " + where)
                        + (e.getLocation() == null ? "" : " (second at line " + e.getLocation().getLineNr() + ")"));
            }
            throw new ConfigException("config is not valid YAML: " + msg);
        }
        if (tree == null || !tree.isObject()) {
            throw new ConfigException("config must be a YAML mapping with source, target, cache and tables");
        }
        JsonNode substituted = substitute(tree, "", env);
        SyncConfig config;
        try {
            config = YAML.treeToValue(substituted, SyncConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown config key '" + e.getPropertyName() + "' at " + path(e)
                    + " (known: " + e.getKnownPropertyIds() + ")");
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new ConfigException("invalid config at " + path(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException("invalid config: " + e.getOriginalMessage());
        }
        if (config.source() != null && config.source().unload() != null) {
            // before validation, so not even a refusal can quote them
            Secrets.register(config.source().unload().secretAccessKey());
            Secrets.register(config.source().unload().sessionToken());
        }
        validate(config);
        Secrets.register(config.source().url(), config.source().password(), config.source().properties());
        Secrets.register(config.target().url(), config.target().password(), config.target().properties());
        if (config.cache().s3() != null) {
            Secrets.register(config.cache().s3().secretKey());
        }
        return config;
    }

    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'");

    /** "/tables/0/primary-key" (the duplicate's parent mapping) as "tables[0]"; top level is "". */
    private static String pointerPath(String pointer) {
        String[] parts = pointer.split("/");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < parts.length - 1; i++) { // the last part is the duplicated key itself
            String part = parts[i].replace("~1", "/").replace("~0", "~");
            if (part.matches("\\d+")) {
                sb.append('[').append(part).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(part);
            }
        }
        return sb.toString();
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "top level" : sb.toString();
    }

    private static JsonNode substitute(JsonNode node, String where, Function<String, String> env) {
        if (node.isTextual()) {
            Matcher m = VAR.matcher(node.asText());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = env.apply(m.group(1));
                if (value == null) {
                    value = m.group(2);
                }
                if (value == null) {
                    throw new ConfigException("environment variable " + m.group(1) + " (used at " + where + ") is not set");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return new TextNode(out.toString());
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), substitute(e.getValue(), where.isEmpty() ? e.getKey() : where + "." + e.getKey(), env));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).deepCopy();
            for (int i = 0; i < node.size(); i++) {
                copy.set(i, substitute(node.get(i), where + "[" + i + "]", env));
            }
            return copy;
        }
        return node;
    }

    private static void validate(SyncConfig c) {
        require(c.source(), "source");
        require(c.source().url(), "source.url");
        require(c.target(), "target");
        require(c.target().url(), "target.url");
        if (!c.target().url().startsWith("jdbc:postgresql:")) {
            throw new ConfigException("target.url must be a jdbc:postgresql: URL");
        }
        if (!c.source().url().startsWith("jdbc:postgresql:") && !c.source().url().startsWith("jdbc:redshift:")) {
            throw new ConfigException("source.url must be a jdbc:redshift: or jdbc:postgresql: URL");
        }
        require(c.cache(), "cache");
        require(c.cache().uri(), "cache.uri");
        if (!c.cache().uri().matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            throw new ConfigException("cache.uri must be a URI such as s3://bucket/prefix or file:///path, got " + c.cache().uri());
        }
        if (c.cache().compactAt() != null && !(c.cache().compactAt() >= 0)) {
            throw new ConfigException("cache.compact-at must be a share >= 0 (change layers' rows over the base's)");
        }
        if (c.cache().compactLayers() != null && c.cache().compactLayers() < 0) {
            throw new ConfigException("cache.compact-layers must be >= 0 (0: every run writes a full cache base)");
        }
        if (c.cache().keepVersions() != null && c.cache().keepVersions() < 1) {
            throw new ConfigException("cache.keep-versions must be at least 1 (the version the target matches)");
        }
        if (c.tables() == null || c.tables().isEmpty()) {
            throw new ConfigException("tables: at least one table is required");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.tables().size(); i++) {
            validateTable(c, c.tables().get(i), "tables[" + i + "]", names);
        }
        checkUnload(c);
        SyncConfig.Job j = c.jobOrDefaults();
        checkShare(j.maxDeleteShare(), "job.max-delete-share");
        checkShare(j.maxUpdateShare(), "job.max-update-share");
        if (j.parallelism() != null && j.parallelism() < 1) {
            throw new ConfigException("job.parallelism must be at least 1");
        }
        if (j.concurrentTables() != null && j.concurrentTables() < 1) {
            throw new ConfigException("job.concurrent-tables must be a positive integer (how many tables read their source at once), got "
                    + j.concurrentTables());
        }
    }

    /** One table entry, {@code at} naming it in messages; {@code names} collects the names seen so far. */
    private static void validateTable(SyncConfig c, SyncConfig.Table t, String at, Set<String> names) {
        require(t, at);
        require(t.name(), at + ".name");
        if (!names.add(t.name())) {
            throw new ConfigException("table name '" + t.name() + "' appears twice");
        }
        require(t.source(), at + ".source");
        require(t.target(), at + ".target");
        if (t.primaryKey() == null || t.primaryKey().isEmpty()) {
            throw new ConfigException(at + ".primary-key is required (the source table's key columns)");
        }
        if (new HashSet<>(t.primaryKey()).size() != t.primaryKey().size()) {
            throw new ConfigException(at + ".primary-key names a column twice");
        }
        try {
            TableName.parse(t.source());
            TableName.parse(t.target());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + ": " + e.getMessage());
        }
        checkShare(t.maxDeleteShare(), at + ".max-delete-share");
        checkShare(t.maxUpdateShare(), at + ".max-update-share");
        if (t.splits() != null && t.splits() < 1) {
            throw new ConfigException(at + ".splits must be at least 1");
        }
        c.policies(t); // rejects unknown policy values and bad durations now, not mid-run
        checkExtract(t.extract(), at + ".extract");
    }

    private static void checkExtract(String value, String key) {
        if (value != null && !value.equals("jdbc") && !value.equals("unload")) {
            throw new ConfigException(key + " must be jdbc or unload, got '" + value + "'");
        }
    }

    /** UNLOAD settings, when any table is read by UNLOAD (or they are given at all); the prefix is never the cache's. */
    private static void checkUnload(SyncConfig c) {
        checkExtract(c.source().extract(), "source.extract");
        boolean used = c.tables().stream().anyMatch(c::unload);
        if (!used && c.source().unload() == null) {
            return;
        }
        if (c.source().unload() == null) {
            throw new ConfigException("extract: unload needs source.unload (prefix and credentials)");
        }
        try {
            UnloadSettings.checkConfig(c.source().unload());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (UnloadSettings.overlaps(c.source().unload().prefix(), c.cache().uri())) {
            // unloaded files are deleted after every run: a shared prefix would delete cache versions, or read them as a snapshot
            throw new ConfigException("source.unload.prefix " + c.source().unload().prefix() + " must not be the cache's location "
                    + c.cache().uri() + " nor lie inside it or contain it");
        }
    }

    private static void checkShare(Double share, String key) {
        if (share != null && (share < 0 || share > 1)) {
            throw new ConfigException(key + " must be between 0 and 1, got " + share);
        }
    }

    private static void require(Object value, String key) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new ConfigException("missing required config key '" + key + "'");
        }
    }
}
