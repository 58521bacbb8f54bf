package io.snapsync.unload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.Path;

/**
 * The manifest UNLOAD ... MANIFEST VERBOSE writes next to its files ({@code <location>manifest}): JSON with
 * {@code entries[].url}, {@code entries[].meta.content_length}, {@code entries[].meta.record_count} and, in
 * total, {@code meta.record_count}. What the run reads (exactly these files) and the row count it checks against.
 *
 * @param rows the rows UNLOAD wrote: the total's {@code meta.record_count}, or the entries' sum
 */
public record UnloadManifest(List<Entry> entries, long rows) implements Serializable {

    /** One file: its S3 URL, size in bytes (-1 if not given) and rows (-1 if not given). */
    public record Entry(String url, long contentLength, long recordCount) implements Serializable {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static UnloadManifest read(Path manifest) throws IOException {
        try (InputStream in = manifest.getFileSystem().open(manifest)) {
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), manifest.toString());
        }
    }

    /** Parses a manifest; throws IllegalArgumentException naming what is missing or inconsistent. */
    public static UnloadManifest parse(String json, String where) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.path("entries").isArray()) {
            throw new IllegalArgumentException("the UNLOAD manifest " + where + " has no entries list");
        }
        List<Entry> entries = new ArrayList<>();
        long sum = 0;
        boolean allCounted = true;
        for (JsonNode e : root.get("entries")) {
            String url = e.path("url").asText(null);
            if (url == null || url.isEmpty()) {
                throw new IllegalArgumentException("the UNLOAD manifest " + where + " has an entry without url");
            }
            long length = e.path("meta").path("content_length").asLong(-1);
            long count = e.path("meta").path("record_count").asLong(-1);
            allCounted &= count >= 0;
            sum += Math.max(0, count);
            entries.add(new Entry(url, length, count));
        }
        JsonNode total = root.path("meta").path("record_count");
        long rows;
        if (total.isNumber()) {
            rows = total.asLong();
            if (allCounted && rows != sum) {
                throw new IllegalArgumentException("the UNLOAD manifest " + where + " says " + rows + " rows in total but its files' "
                        + "record_count add up to " + sum + "; nothing applied");
            }
        } else if (allCounted) {
            rows = sum;
        } else {
            throw new IllegalArgumentException("the UNLOAD manifest " + where + " has no record_count to check the rows read against "
                    + "(is it a MANIFEST VERBOSE manifest?)");
        }
        return new UnloadManifest(List.copyOf(entries), rows);
    }
}
