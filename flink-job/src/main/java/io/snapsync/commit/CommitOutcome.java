package io.snapsync.commit;

/** What the committer did for one table. Flink POJO, collected by the driver for the report. */
public class CommitOutcome implements java.io.Serializable {
    public String table;
    public String runId;
    public String cacheVersion;
    public String previousVersion;
    /** Rows read from the source, and rows in the new cache version (fewer when keys were skipped or merged). */
    public long snapshotRows;
    public long cacheRows;
    public long inserted;
    public long updated;
    public long deleted;
    /** Rows the MERGE / INSERT ON CONFLICT actually wrote, and the DELETE removed. */
    public long appliedUpserts;
    public long appliedDeletes;
    /** A retried committer found its own run already committed and changed nothing. */
    public boolean alreadyCommitted;
    /** Target transactions used to apply the change set in chunks; 0 when applied in one transaction. */
    public int chunks;
    public long commitMillis;
    /** Dry runs: sample keys per kind (e.g. {@code UPDATE (id=7)}), and what the mass-change guard would have said. */
    public java.util.List<String> samples;
    public String guardViolation;
    /** Data issues the diff found (see DataIssues): counts and a few sample keys. */
    public long duplicateKeys;
    public long nullKeyRows;
    public long nulFixedRows;
    public java.util.List<String> issueSamples;
    /** Resync: what of the live table's definition the new table did not keep, and why; else null. */
    public java.util.List<String> resyncNotes;
    /** Why this table failed (nothing applied, staging dropped); null when it committed or was a dry run. */
    public String error;

    public CommitOutcome() {}
}
