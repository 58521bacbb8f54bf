package io.snapsync.run;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One table's entry in the run report (JSON via Jackson). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TableReport {
    public String name;
    /** "committed", "failed", or "dry-run" (computed, nothing written). */
    public String status;
    public String runId;
    public String cacheVersion;
    public String previousCacheVersion;
    /** Set when the run diffed against the live target table instead of the cache, and why. */
    public String reconcile;
    /**
     * Set when the run took the keyed diff (shuffle and sort) instead of the ordered diff, and why: a key column without a
     * proven order, or hash-bucket splits.
     */
    public String keyedDiff;
    /**
     * extract: unload: set when the table was unloaded whole as one bucket (and why), or when buckets were estimated
     * larger than source.unload.max-bucket-mb and so sorted through run files in the spill directory (each task logs
     * the rows and bytes a bucket actually spilled).
     */
    public String unloadSort;
    /** The source schema changed since the previous cache version: what, and the DDL applied (or, dry run, planned). */
    public String schemaChange;
    public java.util.List<String> schemaDdl;
    /** Set when the run replaced the table with a new one holding the whole snapshot (a resync), and why. */
    public String resync;
    /** Resync: parts of the live table's definition the new table did not keep, and why. */
    public java.util.List<String> resyncNotes;
    public Long snapshotRows;
    public Long inserted;
    public Long updated;
    public Long deleted;
    /** Rows the MERGE wrote and the DELETE removed in the target (less than the diff's when the target already had them). */
    public Long appliedUpserts;
    public Long appliedDeletes;
    public Boolean alreadyCommitted;
    /**
     * The table's accept-lossy-columns (column: why), when set: the target may store those columns' values changed,
     * so an update that differs only in what the target does not keep is reported by the diff and not applied.
     */
    public java.util.Map<String, String> acceptedLossyColumns;
    /** With accepted lossy columns: inserted + updated - appliedUpserts, the reported upserts the target's equality found already applied. */
    public Long unappliedUpserts;
    /** The change set was applied in this many transactions (apply-chunk-rows); absent when in one. */
    public Integer chunks;
    public Long planMillis;
    public Long jobMillis;
    public Long commitMillis;
    public String error;
    /** Dry runs: a few keys per kind ({@code "UPDATE (id=7)"}), and what the mass-change guard would refuse. */
    public java.util.List<String> samples;
    public String wouldBeRefused;
    /** Bad data found in the snapshot and how it was treated (see on-duplicate-key, on-null-key, on-nul-character). */
    public Long duplicateKeys;
    public Long nullKeyRows;
    public Long nulFixedRows;
    public java.util.List<String> issueSamples;

    /** Fills in what the table's committer did (in the job), from its outcome. */
    public void apply(io.snapsync.commit.CommitOutcome o, boolean dryRun) {
        if (o.error != null) {
            status = "failed";
            error = o.error;
            return;
        }
        status = dryRun ? "dry-run" : "committed";
        if (dryRun) {
            samples = o.samples == null ? java.util.List.of() : o.samples;
            wouldBeRefused = o.guardViolation;
        }
        cacheVersion = o.cacheVersion;
        snapshotRows = o.snapshotRows;
        inserted = o.inserted;
        updated = o.updated;
        deleted = o.deleted;
        appliedUpserts = o.appliedUpserts;
        appliedDeletes = o.appliedDeletes;
        if (acceptedLossyColumns != null) {
            // upserts that differ only in what an accepted lossy column does not keep change nothing in the target
            unappliedUpserts = Math.max(0, o.inserted + o.updated - o.appliedUpserts);
        }
        alreadyCommitted = o.alreadyCommitted ? true : null;
        chunks = o.chunks > 0 ? o.chunks : null;
        duplicateKeys = o.duplicateKeys > 0 ? o.duplicateKeys : null;
        nullKeyRows = o.nullKeyRows > 0 ? o.nullKeyRows : null;
        nulFixedRows = o.nulFixedRows > 0 ? o.nulFixedRows : null;
        issueSamples = o.issueSamples == null || o.issueSamples.isEmpty() ? null : o.issueSamples;
        resyncNotes = o.resyncNotes;
        commitMillis = o.commitMillis;
    }
}
