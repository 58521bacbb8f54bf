package io.snapsync.plan;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.config.TablePolicies;
import io.snapsync.schema.CopyFormat;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import io.snapsync.source.SourceQuery;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.TargetDialect;
import io.snapsync.unload.UnloadSnapshot;
import java.io.Serializable;
import java.util.List;

/**
 * Everything one table's run needs, decided before the Flink job starts, in named parts: where the snapshot is
 * read ({@link Source}), the target it is applied to ({@link Target}), the cache it is diffed against and written
 * to ({@link Cache}), the policies, and what kind of run it is ({@link Mode}: diff, reconcile or resync).
 * Serializable: the operators carry the parts they use.
 *
 * @param schema the source schema the run reads, stages and caches
 * @param dryRun compute and report the diff; write nothing to the target or the cache
 * @param policies the table's resolved policies for bad data, schema changes and chunked apply
 */
public record TablePlan(
        String name,
        String runId,
        TableSchema schema,
        int parallelism,
        boolean dryRun,
        Source source,
        Target target,
        Cache cache,
        TablePolicies policies,
        MassChangeGuard guard,
        Mode mode) implements Serializable {

    /**
     * @param query the split queries; with {@code extract: unload} not read: the key-range buckets' bounds (see
     *     unload.UnloadBuckets), or a single query
     * @param expectedRows the source's row count when the run was planned, or -1 when not checked
     * @param unload {@code extract: unload}: the files one UNLOAD wrote for this run, read instead of {@link #query}; else null
     */
    public record Source(JdbcEndpoint endpoint, TableName table, SourceQuery query, int fetchSize, long expectedRows,
                         UnloadSnapshot unload) implements Serializable {}

    /**
     * @param staging this run's staging tables
     * @param compareAsText columns the MERGE compares as text (json, and types comparing otherwise than the source)
     * @param columns the target table's columns and their limits, to check values before staging
     * @param schemaDdl statements bringing the target to the new schema, run in the commit transaction
     * @param schemaChange what changed in the source schema, for the report; null when nothing did
     * @param copy the writers' COPY format, binary or text, chosen from the staged tables' types
     */
    public record Target(JdbcEndpoint endpoint, TableName table, String controlSchema, TargetDialect dialect,
                         StagingTables.Pair staging, List<String> compareAsText, List<TargetColumn> columns,
                         List<String> schemaDdl, String schemaChange, CopyFormat copy) implements Serializable {}

    /**
     * @param previousVersion the cache version the control table names, or null on the first run
     * @param previousFiles that version's Parquet files (full URIs), from its manifest; empty when it is not read
     * @param previousRows rows in the previous version (reconcile and resync: in the live table), or -1 on a first run
     * @param previousSchema the schema the previous version was written under, when it differs (its rows are
     *     re-hashed under the plan's schema); else null
     */
    public record Cache(String uri, String previousVersion, List<String> previousFiles, long previousRows,
                        TableSchema previousSchema, String parquetCodec, int rowGroupBytes) implements Serializable {}

    /** What the run diffs the snapshot against, and how its changes reach the target. */
    public sealed interface Mode extends Serializable permits Diff, Reconcile, Resync {}

    /** The daily run: diff against the previous cache version, apply the changes to the live table. */
    public record Diff() implements Mode {}

    /**
     * Diff against the live target table (read with {@code targetQuery}'s splits) instead of the cache.
     *
     * @param reason why: asked for, an unfinished chunked apply, or a filled table without a control row
     */
    public record Reconcile(SourceQuery targetQuery, String reason) implements Mode {}

    /**
     * Load the whole snapshot into {@code shadowTable} and swap it in for the live table by renames (see commit.ShadowSwap).
     *
     * @param reason why: asked for, or the source schema changed under schema-evolution: resync; or a first load
     * @param firstLoad a first load into an empty live table: {@code shadowTable} is shaped like the live table, whose
     *     definition it must keep whole, and a busy or meanwhile filled live table gets the rows merged instead of
     *     swapped; else a resync, {@code shadowTable} built from the source schema
     * @param parts where the writers, which COPY the rows straight into {@code shadowTable}, record each attempt whose
     *     COPY committed ({@code targetdb.SwapLoad})
     */
    public record Resync(TableName shadowTable, String reason, boolean firstLoad, TableName parts) implements Mode {
        /** The run's tables besides staging: dropped when the run fails (the shadow: unless it was swapped in). */
        public TableName[] tables() {
            return new TableName[] {shadowTable, parts};
        }
    }

    /** This plan reading the snapshot UNLOAD wrote, its row count the one the manifest reports. */
    public TablePlan withUnload(UnloadSnapshot u) {
        Source s = new Source(source.endpoint(), source.table(), source.query(), source.fetchSize(), u.rows(), u);
        return new TablePlan(name, runId, schema, parallelism, dryRun, s, target, cache, policies, guard, mode);
    }

    /** This plan diffing against another basis (a keyed diff over a layered cache: the live target). */
    public TablePlan withBasis(Mode m, Cache c) {
        return new TablePlan(name, runId, schema, parallelism, dryRun, source, target, c, policies, guard, m);
    }

    /** The cache version this run writes: named after the run. */
    public String cacheVersion() {
        return runId;
    }

    public boolean reconcile() {
        return mode instanceof Reconcile;
    }

    public boolean resync() {
        return mode instanceof Resync;
    }
}
