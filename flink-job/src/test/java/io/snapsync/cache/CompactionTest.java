package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a run writes only a change layer and when a full base. */
class CompactionTest {
    private static CacheManifest.FileEntry file(String name, long rows, Integer layer) {
        return new CacheManifest.FileEntry(name, rows, 1L, "0", "AA==", "AQ==", layer == null ? null : "old", layer);
    }

    private static CacheManifest manifest(Boolean sorted, CacheManifest.FileEntry... files) {
        return new CacheManifest(CacheManifest.FORMAT, "t", "v2", 1000, "fp", List.of(), List.of("id"), List.of(files), "now", sorted);
    }

    @Test
    void layersWhileTheLayersStayUnderTheShareAndCount() {
        Compaction c = new Compaction(0.2, 3);
        CacheManifest base = manifest(true, file("b", 1000, null));
        assertThat(c.decide(base, null).layer()).isTrue();
        CacheManifest twoLayers = manifest(true, file("b", 1000, null), file("l1", 100, 1), file("l2", 100, 2));
        assertThat(c.decide(twoLayers, null).layer()).as("200 rows = 0.2 of the base: not above").isTrue();
        CacheManifest more = manifest(true, file("b", 1000, null), file("l1", 100, 1), file("l2", 101, 2));
        assertThat(c.decide(more, null).layer()).isFalse();
        assertThat(c.decide(more, null).reason()).contains("compact-at");
        CacheManifest three = manifest(true, file("b", 1000, null), file("l1", 1, 1), file("l2", 1, 2), file("l3", 1, 3));
        assertThat(c.decide(three, null).layer()).isFalse();
        assertThat(c.decide(three, null).reason()).contains("compact-layers");
    }

    @Test
    void aFullBaseWhenToldOrWhenThePreviousVersionIsNotSorted() {
        Compaction c = Compaction.of(null, null);
        CacheManifest base = manifest(true, file("b", 1000, null));
        assertThat(c.decide(base, "the schema changed").layer()).isFalse();
        assertThat(c.decide(manifest(null, file("b", 1000, null)), null).layer()).isFalse();
        assertThat(c.decide(null, null).layer()).isFalse();
        assertThat(new Compaction(0.2, 0).decide(base, null).layer()).as("compact-layers 0: layers off").isFalse();
    }

    @Test
    void theManifestCountsBaseAndLayerRowsAndNamesTheVersionsItReads() {
        CacheManifest m = manifest(true, file("b", 1000, null), file("l1", 30, 1), new CacheManifest.FileEntry("l2", 7, 1L, "0", "AA==", "AQ==", null, 2));
        assertThat(m.isLayered()).isTrue();
        assertThat(m.topLayer()).isEqualTo(2);
        assertThat(m.baseRows()).isEqualTo(1000);
        assertThat(m.layerRows()).isEqualTo(37);
        assertThat(m.referencedVersions()).containsExactlyInAnyOrder("v2", "old");
    }
}
