package io.snapsync.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Checks, before anything is written to the target, that the cache location can be written: a
 * missing bucket, a path below a file or missing credentials would otherwise surface only when the
 * cache writers start, after staging tables exist.
 */
public final class CacheProbe {
    private CacheProbe() {}

    /** Writes and deletes a small object under the table's cache directory; throws with the cause on failure. */
    public static void requireWritable(CacheLayout layout, String table, String runId) throws CacheLocationException {
        Path dir = layout.tableDir(table);
        Path probe = new Path(dir, "_probe-" + runId);
        try {
            FileSystem fs = probe.getFileSystem();
            boolean existed = fs.exists(dir);
            try (OutputStream out = fs.create(probe, FileSystem.WriteMode.OVERWRITE)) {
                out.write(runId.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(probe, false);
            if (!existed) {
                // a run refused later while planning leaves no trace in the cache (object stores have no directories)
                fs.delete(dir, false);
            }
        } catch (IOException | RuntimeException e) {
            throw new CacheLocationException("the cache location " + layout.rootUri() + " is not writable: " + cause(e));
        }
    }

    /** The first line of the innermost message: S3 errors carry request ids and XML further down. */
    static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (e.getMessage() != null && e != t && !e.getMessage().contains(msg)) {
            msg = e.getMessage() + ": " + msg;
        }
        return msg.lines().findFirst().orElse(msg).trim();
    }

    /** The cache cannot be used; the message names the location (never credentials) and the cause. */
    public static final class CacheLocationException extends IOException {
        public CacheLocationException(String message) {
            super(message);
        }
    }
}
