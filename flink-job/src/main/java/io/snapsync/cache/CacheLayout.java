package io.snapsync.cache;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.fs.Path;

/**
 * Where cache versions live: {@code <cache-uri>/<table>/v-<run id>/part-<subtask>-a<attempt>.parquet}
 * plus {@code _manifest.json}. A version directory is never modified after its manifest is written;
 * which version is current is decided by the target's control table, not by the file system.
 */
public record CacheLayout(String rootUri) implements Serializable {
    public static final String MANIFEST = "_manifest.json";
    public static final String VERSION_PREFIX = "v-";

    public Path tableDir(String table) {
        return new Path(trimSlash(rootUri) + "/" + URLEncoder.encode(table, StandardCharsets.UTF_8));
    }

    public Path versionDir(String table, String version) {
        return new Path(tableDir(table), VERSION_PREFIX + version);
    }

    public Path manifest(String table, String version) {
        return new Path(versionDir(table, version), MANIFEST);
    }

    /** Attempt-qualified so a retried task never overwrites a file another attempt may still be writing. */
    public static String partFileName(int subtask, int attempt) {
        return "part-" + subtask + "-a" + attempt + ".parquet";
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
