package io.snapsync.plan;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SourceQuery;
import io.snapsync.targetdb.TargetDialect;
import java.io.Serializable;
import java.util.List;

/**
 * Everything one table's run needs, decided before the Flink job starts (schema, previous cache
 * version, staging tables, split queries). Serializable: the operators carry the parts they use.
 *
 * @param previousVersion the cache version the control table names, or null on the first run
 * @param previousFiles that version's Parquet files (full URIs), from its manifest
 * @param expectedRows the source's row count when the run was planned, or -1 when not checked
 * @param previousRows rows in the previous cache version, or -1 on a first run
 * @param dryRun compute and report the diff; write nothing to the target or the cache
 * @param policies the table's resolved policies for bad data, schema changes and chunked apply
 * @param targetQuery reconcile runs: the live target table's read (splits), diffed instead of the cache; else null
 * @param reconcileReason why this run diffs against the live target (asked for, or an unfinished chunked apply)
 * @param targetColumns the target table's columns and their limits, to check values before staging
 * @param previousSchema the schema the previous cache version was written under, when it differs (its rows are
 *     re-hashed under {@link #schema}); else null
 * @param schemaDdl statements bringing the target to the new schema, run in the commit transaction
 * @param schemaChange what changed in the source schema, for the report; null when nothing did
 * @param shadowTable resync runs: the new table the whole snapshot is loaded into and swapped in by renames; else null
 * @param resyncReason resync runs: why (asked for, or the source schema changed under schema-evolution: resync)
 * @param unload {@code extract: unload}: the files one UNLOAD wrote for this run, read instead of {@link #query}; else null
 */
public record TablePlan(
        String name,
        JdbcEndpoint source,
        TableName sourceTable,
        JdbcEndpoint target,
        TableName targetTable,
        TableSchema schema,
        String runId,
        String previousVersion,
        List<String> previousFiles,
        String cacheUri,
        TableName upsertStaging,
        TableName deleteStaging,
        String controlSchema,
        TargetDialect dialect,
        List<String> compareAsText,
        int parallelism,
        SourceQuery query,
        int fetchSize,
        String parquetCodec,
        int rowGroupBytes,
        long expectedRows,
        long previousRows,
        MassChangeGuard guard,
        boolean dryRun,
        io.snapsync.config.TablePolicies policies,
        SourceQuery targetQuery,
        String reconcileReason,
        List<io.snapsync.schema.TargetColumn> targetColumns,
        TableSchema previousSchema,
        List<String> schemaDdl,
        String schemaChange,
        TableName shadowTable,
        String resyncReason,
        io.snapsync.unload.UnloadSnapshot unload)
        implements Serializable {

    public TablePlan(String name, JdbcEndpoint source, TableName sourceTable, JdbcEndpoint target, TableName targetTable,
                     TableSchema schema, String runId, String previousVersion, List<String> previousFiles, String cacheUri,
                     TableName upsertStaging, TableName deleteStaging, String controlSchema, TargetDialect dialect,
                     List<String> compareAsText, int parallelism, SourceQuery query, int fetchSize, String parquetCodec,
                     int rowGroupBytes, long expectedRows, long previousRows, MassChangeGuard guard, boolean dryRun,
                     io.snapsync.config.TablePolicies policies, SourceQuery targetQuery, String reconcileReason,
                     List<io.snapsync.schema.TargetColumn> targetColumns, TableSchema previousSchema,
                     List<String> schemaDdl, String schemaChange, TableName shadowTable, String resyncReason) {
        this(name, source, sourceTable, target, targetTable, schema, runId, previousVersion, previousFiles, cacheUri,
                upsertStaging, deleteStaging, controlSchema, dialect, compareAsText, parallelism, query, fetchSize,
                parquetCodec, rowGroupBytes, expectedRows, previousRows, guard, dryRun, policies, targetQuery,
                reconcileReason, targetColumns, previousSchema, schemaDdl, schemaChange, shadowTable, resyncReason, null);
    }

    /** This plan reading the snapshot UNLOAD wrote, its row count the one the manifest reports. */
    public TablePlan withUnload(io.snapsync.unload.UnloadSnapshot u) {
        return new TablePlan(name, source, sourceTable, target, targetTable, schema, runId, previousVersion, previousFiles, cacheUri,
                upsertStaging, deleteStaging, controlSchema, dialect, compareAsText, parallelism, query, fetchSize,
                parquetCodec, rowGroupBytes, u.rows(), previousRows, guard, dryRun, policies, targetQuery,
                reconcileReason, targetColumns, previousSchema, schemaDdl, schemaChange, shadowTable, resyncReason, u);
    }

    /** A plan that is not a resync. */
    public TablePlan(String name, JdbcEndpoint source, TableName sourceTable, JdbcEndpoint target, TableName targetTable,
                     TableSchema schema, String runId, String previousVersion, List<String> previousFiles, String cacheUri,
                     TableName upsertStaging, TableName deleteStaging, String controlSchema, TargetDialect dialect,
                     List<String> compareAsText, int parallelism, SourceQuery query, int fetchSize, String parquetCodec,
                     int rowGroupBytes, long expectedRows, long previousRows, MassChangeGuard guard, boolean dryRun,
                     io.snapsync.config.TablePolicies policies, SourceQuery targetQuery, String reconcileReason,
                     List<io.snapsync.schema.TargetColumn> targetColumns, TableSchema previousSchema,
                     List<String> schemaDdl, String schemaChange) {
        this(name, source, sourceTable, target, targetTable, schema, runId, previousVersion, previousFiles, cacheUri,
                upsertStaging, deleteStaging, controlSchema, dialect, compareAsText, parallelism, query, fetchSize,
                parquetCodec, rowGroupBytes, expectedRows, previousRows, guard, dryRun, policies, targetQuery,
                reconcileReason, targetColumns, previousSchema, schemaDdl, schemaChange, null, null);
    }

    /** Loads the whole snapshot into a shadow table that replaces the live table (see commit.ShadowSwap). */
    public boolean resync() {
        return shadowTable != null;
    }

    public String cacheVersion() {
        return runId;
    }

    /** Diffs today's snapshot against the live target table rather than the previous cache version. */
    public boolean reconcile() {
        return targetQuery != null;
    }
}
