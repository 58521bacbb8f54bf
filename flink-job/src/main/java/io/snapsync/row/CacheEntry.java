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

    public String getKey() {
        return key;
    }
}
