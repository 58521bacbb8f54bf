package io.snapsync.cache;

import java.io.Serializable;

/**
 * Whether a run writes only a change layer on top of the previous version's base and layers, or a full new
 * base (compaction). A layer is written only when the previous version is sorted and the run merges it as
 * stored; a full base when the layers already written hold more than {@code compactAt} of the base's rows or
 * number {@code maxLayers}, so that reading the version stays within a bounded factor of reading one base.
 *
 * @param compactAt layer rows (changed rows and tombstones, all layers) over base rows above which the run compacts
 * @param maxLayers layers above which the run compacts
 */
public record Compaction(double compactAt, int maxLayers) implements Serializable {
    public static final double DEFAULT_COMPACT_AT = 0.2;
    public static final int DEFAULT_MAX_LAYERS = 10;

    /** A full base every run: what snapsync did before change layers. */
    public static final Compaction NEVER_LAYER = new Compaction(0, 0);

    public static Compaction of(Double compactAt, Integer maxLayers) {
        return new Compaction(compactAt == null ? DEFAULT_COMPACT_AT : compactAt, maxLayers == null ? DEFAULT_MAX_LAYERS : maxLayers);
    }

    /** The decision and why, for the log. */
    public record Decision(boolean layer, String reason) {}

    /**
     * @param previous the version this run merges with (null: none)
     * @param fullReason why this run must write a full base regardless (schema change, reconcile, ...); null if none
     */
    public Decision decide(CacheManifest previous, String fullReason) {
        if (fullReason != null) {
            return new Decision(false, fullReason);
        }
        if (previous == null || !previous.isSorted()) {
            return new Decision(false, "no sorted previous version");
        }
        if (maxLayers < 1) {
            return new Decision(false, "change layers are off (cache.compact-layers: 0)");
        }
        int layers = previous.topLayer();
        if (layers >= maxLayers) {
            return new Decision(false, "compaction: " + layers + " layers reached cache.compact-layers " + maxLayers);
        }
        long base = previous.baseRows();
        long changed = previous.layerRows();
        if (changed > compactAt * base) {
            return new Decision(false, "compaction: the layers' " + changed + " rows exceed cache.compact-at " + compactAt
                    + " of the base's " + base);
        }
        return new Decision(true, "change layer " + (layers + 1) + " over the base of " + base + " rows (layers so far: "
                + changed + " rows)");
    }
}
