package io.snapsync.cache;

import io.snapsync.row.KeyOrder;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.Keys;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SplitRange;
import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads a sorted cache version's key and hash entries one key range at a time, in key order: the files in
 * order of their first key (their ranges do not overlap, see {@link CacheManifest#isSorted}), a file opened
 * only when the walk reaches it and only if its first-key-column range overlaps the requested range. Ranges
 * requested in ascending order continue where the last one stopped; a range below that restarts the walk.
 * Whether the entries really ascend is checked by the merge ({@code diff.OrderedMerge}), not assumed here.
 */
public final class SortedCacheReader implements Closeable {
    /** One file of the version and its first and last key (canonical key bytes as a Latin-1 String). */
    public record FileRange(String path, String firstKey, String lastKey, int layer) implements Serializable {
        public FileRange(String path, String firstKey, String lastKey) {
            this(path, firstKey, lastKey, 0);
        }
    }

    private final List<FileRange> files;
    private final TableSchema before;
    private final TableSchema now;
    /** The order of the first key column: the split ranges are on it. */
    private final KeyOrder first;

    private int next;
    private FSDataInputStream stream;
    private CacheEntryFormat.EntryReader reader;
    private CacheEntry head;
    /** The key of the last entry taken or passed over: a range starting at or below its first column restarts the walk. */
    private String walked;
    private boolean started;

    /**
     * @param before the schema the files were written under when it encodes differently from {@code now}
     *               (entries are re-hashed, key order is unchanged); null otherwise
     */
    public SortedCacheReader(List<FileRange> files, KeyOrder order, TableSchema before, TableSchema now) {
        this.files = new ArrayList<>(files);
        this.files.sort((a, b) -> order.compare(a.firstKey(), b.firstKey()));
        this.before = before;
        this.now = now;
        this.first = KeyOrder.ofFirstColumn(now);
    }

    /** The files of a sorted manifest that are all in {@code versionDir} (not layered). */
    public static List<FileRange> files(CacheManifest m, Path versionDir) {
        List<FileRange> out = new ArrayList<>();
        for (CacheManifest.FileEntry f : m.files()) {
            out.add(new FileRange(new Path(versionDir, f.name()).toString(), decodeKey(f.firstKey()), decodeKey(f.lastKey()), f.layerOrBase()));
        }
        return out;
    }

    /** The files of a sorted manifest with their full paths (a layered version's may lie in older versions' directories). */
    public static List<FileRange> files(CacheManifest m, CacheLayout layout) {
        List<FileRange> out = new ArrayList<>();
        for (CacheManifest.FileEntry f : m.files()) {
            Path dir = layout.versionDir(m.table(), f.versionOr(m.version()));
            out.add(new FileRange(new Path(dir, f.name()).toString(), decodeKey(f.firstKey()), decodeKey(f.lastKey()), f.layerOrBase()));
        }
        return out;
    }

    /**
     * True when the key has a proven order and the files' key ranges, in order of their first keys, do not
     * overlap (each file's own order is checked by its writer). No files: trivially true.
     */
    public static boolean disjoint(List<CacheManifest.FileEntry> files, TableSchema schema) {
        if (!KeyOrder.supports(schema)) {
            return false;
        }
        KeyOrder order = new KeyOrder(schema);
        List<CacheManifest.FileEntry> sorted = new ArrayList<>(files);
        if (sorted.stream().anyMatch(f -> f.firstKey() == null || f.lastKey() == null)) {
            return false;
        }
        sorted.sort((a, b) -> order.compare(decodeKey(a.firstKey()), decodeKey(b.firstKey())));
        for (int i = 1; i < sorted.size(); i++) {
            if (order.compare(decodeKey(sorted.get(i - 1).lastKey()), decodeKey(sorted.get(i).firstKey())) >= 0) {
                return false;
            }
        }
        return true;
    }

    public static String encodeKey(String key) {
        return key == null ? null : Base64.getEncoder().encodeToString(Keys.toBytes(key));
    }

    public static String decodeKey(String base64) {
        return base64 == null ? null : Keys.fromBytes(Base64.getDecoder().decode(base64));
    }

    /** The entries whose first key column lies in {@code range}, ascending. */
    public Iterator<CacheEntry> range(SplitRange range) {
        SplitRange.Bounds bounds = range.bounds(first);
        if (started && (range.noLower() || walked == null || !bounds.below(walked))) {
            reset();
        }
        started = true;
        return new Iterator<>() {
            /** head is this range's next entry (checked once, not again by next()'s own hasNext). */
            private boolean ready;
            /** An entry of this range was seen: the later ones (ascending) are not below it either. */
            private boolean pastLower;

            @Override
            public boolean hasNext() {
                if (ready) {
                    return true;
                }
                while (true) {
                    if (head == null) {
                        head = read(bounds);
                        if (head == null) {
                            return false;
                        }
                    }
                    if (bounds.above(head.key)) {
                        return false; // the next range's
                    }
                    walked = head.key;
                    if (pastLower || !bounds.below(head.key)) {
                        pastLower = true;
                        ready = true;
                        return true;
                    }
                    head = null; // a range before this one's (another subtask's)
                }
            }

            @Override
            public CacheEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CacheEntry e = head;
                head = null;
                ready = false;
                return e;
            }
        };
    }

    private CacheEntry read(SplitRange.Bounds range) {
        try {
            while (true) {
                if (reader != null) {
                    CacheEntry e = CacheEntryFormat.read(reader, files.get(next - 1).path());
                    if (e != null) {
                        return e;
                    }
                    closeFile();
                }
                if (next >= files.size()) {
                    return null;
                }
                FileRange f = files.get(next);
                if (!range.overlaps(f.firstKey(), f.lastKey())) {
                    if (range.above(f.firstKey())) {
                        return null; // this file and every later one lie beyond the range: keep them for the next range
                    }
                    next++; // entirely below the range
                    continue;
                }
                next++;
                Path p = new Path(f.path());
                FileSystem fs = p.getFileSystem();
                long len = fs.getFileStatus(p).getLen();
                stream = fs.open(p);
                reader = CacheEntryFormat.open(FlinkParquetFiles.input(stream, len), before, now);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void reset() {
        closeFile();
        next = 0;
        head = null;
        walked = null;
    }

    private void closeFile() {
        try {
            if (reader != null) {
                reader.close();
            }
            if (stream != null) {
                stream.close();
            }
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
        reader = null;
        stream = null;
    }

    @Override
    public void close() {
        closeFile();
    }
}
