package io.snapsync.diff;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import net.openhft.hashing.LongTupleHashFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * What the diff is keyed by: XXH3-128 of the canonical key bytes, as a fixed-width (16 byte) Flink key.
 * Flink's batch sort compares fixed-width keys by their bytes alone (a normalized key), whereas a String key
 * of varying length is compared through its serialized prefix and, when records share it (the rows of one
 * order do), by deserializing both keys: that fallback was most of the sort's time. The real key still travels
 * in the records; the diff refuses the run if two different keys ever hash equal (see {@link DiffFunction}).
 */
public final class KeyHash {
    public static final TypeInformation<Tuple2<Long, Long>> TYPE = Types.TUPLE(Types.LONG, Types.LONG);
    private static final LongTupleHashFunction XX128 = LongTupleHashFunction.xx128();

    private KeyHash() {}

    public static Tuple2<Long, Long> of(String key) {
        long[] h = XX128.hashBytes(Keys.toBytes(key));
        return Tuple2.of(h[0], h[1]);
    }

    public static final class OfSnapshot implements KeySelector<SnapshotRow, Tuple2<Long, Long>> {
        @Override
        public Tuple2<Long, Long> getKey(SnapshotRow row) {
            return of(row.key);
        }
    }

    public static final class OfCache implements KeySelector<CacheEntry, Tuple2<Long, Long>> {
        @Override
        public Tuple2<Long, Long> getKey(CacheEntry entry) {
            return of(entry.key);
        }
    }
}
