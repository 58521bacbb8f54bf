package io.snapsync.diff;

import io.snapsync.config.TablePolicies;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.KeyFormatter;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The diff as a streaming merge of two key-ordered inputs: today's snapshot rows of one key range (in the
 * source query's ORDER BY) and the previous snapshot's cache entries of the same range (cache files written
 * in that order). The decisions and outputs are {@link DiffFunction}'s (same duplicate, NULL-key, NUL and
 * error policies, same {@link DiffDecision}); only how the two sides of a key meet differs: here by walking
 * both in order, with no shuffle and no sort.
 *
 * <p>Order is checked, never assumed: snapshot keys must not descend and cache keys must strictly ascend
 * under {@link KeyOrder}. A violation is an error issue naming the column and the keys (the table fails
 * before the target is touched) and the merge stops.
 */
public final class OrderedMerge {
    /** Where the merge's decisions go: the same four outputs as {@link DiffFunction}'s. */
    public interface Output {
        void change(Change upsert);

        void delete(Change delete);

        void cache(SnapshotRow row);

        void issue(DataIssue issue);
    }

    private final TableSchema schema;
    private final TablePolicies.DuplicateKeys onDuplicate;
    private final KeyOrder order;
    private final Output out;

    private Iterator<CacheEntry> cache;
    private CacheEntry cacheHead;
    private String lastCacheKey;
    /** The snapshot key being collected (its duplicates follow it directly), the row kept and how many more. */
    private SnapshotRow group;
    private long extra;
    private boolean failed;

    public OrderedMerge(TableSchema schema, TablePolicies.DuplicateKeys onDuplicate, KeyOrder order, Output out) {
        this.schema = schema;
        this.onDuplicate = onDuplicate;
        this.order = order;
        this.out = out;
    }

    /** Starts a key range: {@code entries} are the previous snapshot's entries in it, ascending. */
    public void begin(Iterator<CacheEntry> entries) {
        this.cache = entries;
        this.cacheHead = null;
        this.lastCacheKey = null;
        this.group = null;
        this.extra = 0;
    }

    /** True once an error was reported: the rest of the input is ignored (the table fails). */
    public boolean failed() {
        return failed;
    }

    /** One snapshot row of the current range, in the source's order. */
    public void row(SnapshotRow row) {
        if (failed) {
            return;
        }
        if (row.has(SnapshotRow.ERROR)) {
            fail(new String(row.row, StandardCharsets.UTF_8));
            return;
        }
        if (row.has(SnapshotRow.NULL_KEY)) {
            // never matched (a NULL key equals nothing) and never ordered: only counted, as in the keyed diff
            out.issue(new DataIssue(DataIssue.Kind.NULL_KEY, format(row.key), 1, 1, false));
            return;
        }
        if (row.has(SnapshotRow.NUL_FIXED)) {
            out.issue(new DataIssue(DataIssue.Kind.NUL_FIXED, format(row.key), 1, 0, false));
        }
        if (group != null) {
            int c = order.compareWithColumn(row.key, group.key);
            if (c == 0) {
                extra++;
                if (DuplicateRows.preferred(row, group)) {
                    group = row; // keep-one keeps the same row whatever order the source returned them in
                }
                return;
            }
            if (c < 0) {
                fail("the source returned its rows out of key order: " + format(row.key) + " after " + format(group.key)
                        + " (column " + order.column(c) + "); the source's ORDER BY does not sort as snapsync compares ("
                        + KeyOrder.DESCRIPTION + "); nothing applied");
                return;
            }
            decide();
        }
        group = row;
        extra = 0;
    }

    /** Ends the current range: the last key is decided and every cache entry left in the range is a delete. */
    public void end() {
        if (failed) {
            return;
        }
        if (group != null) {
            decide();
            group = null;
        }
        while (!failed && nextCache() != null) {
            CacheEntry e = takeAscending();
            if (e != null) {
                out.delete(new Change(ChangeKind.DELETE, e.key, null));
            }
        }
        cache = null;
    }

    private void decide() {
        SnapshotRow s = group;
        CacheEntry c = null;
        // every cache entry before this key is gone from the source
        while (!failed && nextCache() != null) {
            int cmp = order.compare(cacheHead.key, s.key);
            if (cmp < 0) {
                CacheEntry e = takeAscending();
                if (e != null) {
                    out.delete(new Change(ChangeKind.DELETE, e.key, null));
                }
            } else {
                if (cmp == 0) {
                    // no order check needed: every entry taken before lies at or below the previous snapshot key (or
                    // below this one, as a delete just now), and the snapshot keys strictly ascend (checked in row())
                    c = take();
                }
                break;
            }
        }
        if (failed) {
            return;
        }
        if (extra > 0) {
            long rows = extra + 1;
            if (onDuplicate == TablePolicies.DuplicateKeys.KEEP_ONE) {
                out.issue(new DataIssue(DataIssue.Kind.DUPLICATE_KEY, format(s.key), rows, extra, false));
            } else {
                // skip (or fail, which the committer enforces): the target row stays, so its cache entry is carried over
                boolean carry = c != null;
                if (carry) {
                    out.cache(new SnapshotRow(c.key, c.hashHi, c.hashLo, null));
                }
                out.issue(new DataIssue(DataIssue.Kind.DUPLICATE_KEY, format(s.key), rows, rows, carry));
                return;
            }
        }
        ChangeKind kind = DiffDecision.decide(true, s.hashHi, s.hashLo,
                c != null, c == null ? 0 : c.hashHi, c == null ? 0 : c.hashLo);
        if (kind == ChangeKind.INSERT || kind == ChangeKind.UPDATE) {
            s.flags |= SnapshotRow.CHANGED; // a change layer holds this row (see sink.CacheWriter)
        }
        out.cache(s);
        if (kind == ChangeKind.INSERT || kind == ChangeKind.UPDATE) {
            out.change(new Change(kind, s.key, s.row));
        }
    }

    /** The next cache entry, peeked, not taken; null when the range has no more. */
    private CacheEntry nextCache() {
        if (cacheHead == null && cache != null && cache.hasNext()) {
            cacheHead = cache.next();
        }
        return cacheHead;
    }

    /**
     * Takes the peeked entry as a delete, checked to ascend strictly after the last entry taken; null (and the merge
     * failed) when it does not. Only deletes need this check, which is what keeps it off the common path: an entry
     * that matches its snapshot key is above every entry taken before it (see decide), so an entry out of order is
     * always found when it is taken as a delete, here or at the range's end.
     */
    private CacheEntry takeAscending() {
        CacheEntry e = cacheHead;
        if (lastCacheKey != null) {
            int c = order.compareWithColumn(e.key, lastCacheKey);
            if (c == 0) {
                fail("duplicate primary key in the cache (corrupt cache version?): " + format(e.key));
                return null;
            }
            if (c < 0) {
                fail("the previous cache is not in key order: " + format(e.key) + " after " + format(lastCacheKey)
                        + " (column " + order.column(c) + "); run `snapsync reconcile` to diff against the live target and write a fresh cache");
                return null;
            }
        }
        return take();
    }

    private CacheEntry take() {
        CacheEntry e = cacheHead;
        lastCacheKey = e.key;
        cacheHead = null;
        return e;
    }

    private void fail(String message) {
        failed = true;
        // not retried (the data is what it is): the table's committer fails the table
        out.issue(new DataIssue(DataIssue.Kind.ERROR, message, 0, 0, false));
    }

    private String format(String key) {
        return KeyFormatter.format(schema, Keys.toBytes(key));
    }
}
