package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.KeyOrder;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SplitRange;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Reads a cache version that is a sorted base plus change layers ({@link CacheManifest#isLayered}) one key
 * range at a time: each layer (the base is layer 0) through its own {@link SortedCacheReader}, merged by key
 * so that a key's entry in the newest layer holding it wins and a tombstone there removes it. The result is
 * what a full rewrite of the version would hold, in the same order; each input's order is not assumed: an
 * input that descends or repeats a key makes the merged sequence descend or repeat, which the ordered diff
 * ({@code diff.OrderedMerge}) refuses as it refuses an unordered base.
 */
public final class LayeredCacheReader implements Closeable {
    private final List<SortedCacheReader> layers = new ArrayList<>();
    private final KeyOrder order;

    public LayeredCacheReader(List<SortedCacheReader.FileRange> files, KeyOrder order, TableSchema before, TableSchema now) {
        this.order = order;
        TreeMap<Integer, List<SortedCacheReader.FileRange>> byLayer = new TreeMap<>();
        for (SortedCacheReader.FileRange f : files) {
            byLayer.computeIfAbsent(f.layer(), l -> new ArrayList<>()).add(f);
        }
        for (List<SortedCacheReader.FileRange> l : byLayer.values()) {
            layers.add(new SortedCacheReader(l, order, before, now)); // oldest (the base) first
        }
    }

    /** The version's entries whose first key column lies in {@code range}, ascending, tombstoned keys left out. */
    public Iterator<CacheEntry> range(SplitRange range) {
        List<Iterator<CacheEntry>> inputs = new ArrayList<>();
        for (SortedCacheReader r : layers) {
            inputs.add(r.range(range));
        }
        return merge(inputs, order);
    }

    /**
     * Merges ascending inputs, oldest first: at equal keys the newest input's entry is taken and the older
     * ones' passed over; a tombstone taken so is dropped. Hand-written: a k-way merge with this precedence
     * over a handful of inputs is a few lines, and no library here offers one.
     */
    public static Iterator<CacheEntry> merge(List<Iterator<CacheEntry>> inputs, KeyOrder order) {
        int n = inputs.size();
        CacheEntry[] heads = new CacheEntry[n];
        return new Iterator<>() {
            private CacheEntry next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    int newest = -1;
                    for (int i = 0; i < n; i++) {
                        if (heads[i] == null && inputs.get(i).hasNext()) {
                            heads[i] = inputs.get(i).next();
                        }
                        if (heads[i] != null && (newest < 0 || order.compare(heads[i].key, heads[newest].key) <= 0)) {
                            newest = i; // the lowest key; at a tie the later (newer) input
                        }
                    }
                    if (newest < 0) {
                        return false;
                    }
                    CacheEntry taken = heads[newest];
                    for (int i = 0; i < n; i++) {
                        if (heads[i] != null && order.compare(heads[i].key, taken.key) == 0) {
                            heads[i] = null; // older entries of the same key: superseded
                        }
                    }
                    if (!taken.isTombstone()) {
                        next = taken;
                    }
                }
                return true;
            }

            @Override
            public CacheEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CacheEntry e = next;
                next = null;
                return e;
            }
        };
    }

    @Override
    public void close() {
        for (SortedCacheReader r : layers) {
            r.close();
        }
    }
}
