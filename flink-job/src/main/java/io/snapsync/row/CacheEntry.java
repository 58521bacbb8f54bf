package io.snapsync.row;

/** One row of the previous snapshot as the diff sees it: key and hash only, never the full row. */
public class CacheEntry {
    public String key;
    public long hashHi;
    public long hashLo;

    public CacheEntry() {}

    public CacheEntry(String key, long hashHi, long hashLo) {
        this.key = key;
        this.hashHi = hashHi;
        this.hashLo = hashLo;
    }

    /**
     * A change layer's delete: the key is gone as of that layer. Marked by the all-zero hash, which XXH3-128 of
     * a real row reaches with probability 2^-128 (hand-written: no separate tombstone column keeps the layer
     * files in the base's format and readers).
     */
    public boolean isTombstone() {
        return hashHi == 0 && hashLo == 0;
    }

    public String getKey() {
        return key;
    }
}
