package io.snapsync.unload;

import java.io.Serializable;
import java.util.List;

/**
 * One table's snapshot as UNLOAD left it on S3 for this run: the run's own location
 * ({@code <prefix>/<table>/<run id>/}), the files its manifest lists and the rows the manifest reports.
 *
 * @param buckets a bucketed UNLOAD: its files by key-range split, in split order (see {@link UnloadBuckets}); else empty
 * @param keyedReason why the run takes the keyed diff over these files (a key without a proven order, see
 *     row.KeyOrder); null when the ordered diff reads {@link #buckets}
 * @param maxBucketBytes {@code source.unload.max-bucket-mb} in bytes: the rows one subtask's sort of a bucket holds in
 *     memory before it spills run files
 * @param sortNote for the report: the table unloaded whole as one bucket, and/or buckets estimated to spill; else null
 */
public record UnloadSnapshot(String location, List<UnloadManifest.Entry> files, long rows, List<UnloadBuckets.Bucket> buckets,
                             String keyedReason, long maxBucketBytes, String sortNote) implements Serializable {

    /** Files read by the keyed diff (no buckets). */
    public UnloadSnapshot(String location, List<UnloadManifest.Entry> files, long rows) {
        this(location, files, rows, List.of(), "not bucketed", 0, null);
    }

    /** True when the ordered diff reads the buckets. */
    public boolean ordered() {
        return keyedReason == null;
    }
}
