package io.snapsync.job;

import io.snapsync.cache.CacheEntryFormat;
import io.snapsync.cache.CacheLayout;
import io.snapsync.fault.CommitHook;
import io.snapsync.commit.CommitOutcome;
import io.snapsync.commit.SyncCommitter;
import io.snapsync.diff.DiffFunction;
import io.snapsync.gate.ReadGate;
import io.snapsync.diff.IssueCounter;
import io.snapsync.diff.KeyHash;
import io.snapsync.plan.TablePlan;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.Change;
import io.snapsync.row.SnapshotRow;
import io.snapsync.sink.CacheWriter;
import io.snapsync.sink.DryRunWriter;
import io.snapsync.sink.StagingWriter;
import io.snapsync.sink.ValueValidator;
import io.snapsync.result.WriteResult;
import io.snapsync.result.Stage;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.task.ReadProgress;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The job graph for one table:
 *
 * <pre>
 *   snapshot (JDBC, N splits) ─ keyBy(pk) ─┐
 *                                          ├─ diff ─┬─ inserts+updates ─ COPY upsert staging ─┐
 *   cache v(prev) (Parquet key+hash) ─ keyBy ┘      ├─ deletes ───────── COPY delete staging ─┤
 *     (reconcile: the live target table)            ├─ rows kept ─────── Parquet: cache v(run) ┤
 *                                                   └─ data issues ───── counts ──────────────┴─ committer (1): MERGE
 * </pre>
 */
public final class SyncPipeline {
    private SyncPipeline() {}

    public static DataStream<CommitOutcome> build(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook) {
        return build(env, plan, hook, ReadGate.NONE);
    }

    /** @param gate how many of the run's tables read their snapshot at once (the snapshot read is what it gates) */
    public static DataStream<CommitOutcome> build(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook, ReadGate gate) {
        int p = plan.parallelism();
        DataStream<SnapshotRow> snapshot = plan.unload() != null
                // extract: unload: the files the UNLOAD manifest lists, through the same row encoder
                ? io.snapsync.unload.Unloads.stream(env, plan.schema(), EncoderOptions.of(plan.name(), plan.policies()), plan.unload(), p,
                        "unloaded snapshot " + plan.sourceTable(), gate, plan.name())
                : env.fromSource(gate.wrap(new JdbcSnapshotSource(plan.source().endpoint(), plan.query(), plan.schema(), plan.fetchSize(),
                                EncoderOptions.of(plan.name(), plan.policies()), hook), plan.name()),
                        WatermarkStrategy.noWatermarks(), "snapshot " + plan.sourceTable())
                .setParallelism(p)
                .map(new ReadProgress(plan.name(), plan.expectedRows())).name("read " + plan.name()).setParallelism(p);

        DataStream<CacheEntry> cache = previousCache(env, plan);

        SingleOutputStreamOperator<Change> upserts = snapshot.keyBy(new KeyHash.OfSnapshot(), KeyHash.TYPE)
                .connect(cache.keyBy(new KeyHash.OfCache(), KeyHash.TYPE))
                .process(new DiffFunction(plan.schema(), plan.policies()), TypeInformation.of(Change.class))
                .name("diff " + plan.name()).setParallelism(p);
        DataStream<Change> deletes = upserts.getSideOutput(DiffFunction.DELETES);
        // the new cache is what the diff let through (one row per key), not the raw snapshot
        DataStream<SnapshotRow> newCache = upserts.getSideOutput(DiffFunction.CACHE);

        TypeInformation<WriteResult> resultType = TypeInformation.of(WriteResult.class);
        ValueValidator validator = new ValueValidator(plan.name(), plan.schema(), plan.targetColumns());
        DataStream<WriteResult> upsertResults;
        DataStream<WriteResult> deleteResults;
        DataStream<WriteResult> cacheResults;
        if (plan.dryRun()) {
            upsertResults = upserts.transform("count upserts", resultType, new DryRunWriter<Change>(Stage.UPSERTS, plan.schema(), validator))
                    .setParallelism(p);
            deleteResults = deletes.transform("count deletes", resultType, new DryRunWriter<Change>(Stage.DELETES, plan.schema()))
                    .setParallelism(p);
            cacheResults = newCache.transform("count snapshot", resultType, new DryRunWriter<SnapshotRow>(Stage.CACHE, plan.schema()))
                    .setParallelism(p);
        } else {
            upsertResults = upserts.transform("stage upserts " + plan.name(), resultType,
                    new StagingWriter(Stage.UPSERTS, plan.target().endpoint(), plan.upsertStaging(), plan.schema().columns(), validator, hook))
                    .setParallelism(p);
            deleteResults = deletes.transform("stage deletes " + plan.name(), resultType,
                    new StagingWriter(Stage.DELETES, plan.target().endpoint(), plan.deleteStaging(), plan.schema().keyColumnList(), null, hook))
                    .setParallelism(p);
            String versionDir = new CacheLayout(plan.cacheUri()).versionDir(plan.name(), plan.cacheVersion()).toString();
            cacheResults = newCache.transform("write cache " + plan.name(), resultType,
                    new CacheWriter(plan.schema(), versionDir, CompressionCodecName.fromConf(plan.parquetCodec().toUpperCase()),
                            plan.rowGroupBytes(), hook))
                    .setParallelism(p);
        }

        DataStream<WriteResult> issueResults = upserts.getSideOutput(DiffFunction.ISSUES)
                .transform("count data issues", resultType, new IssueCounter()).setParallelism(p);

        return upsertResults.union(deleteResults, cacheResults, issueResults)
                .transform("commit " + plan.name(), TypeInformation.of(CommitOutcome.class), new SyncCommitter(plan, p, hook))
                .setParallelism(1)
                .setMaxParallelism(1);
    }

    private static DataStream<CacheEntry> previousCache(StreamExecutionEnvironment env, TablePlan plan) {
        if (plan.reconcile()) {
            // the live target, read and hashed by the same reader and encoder as the source: equal rows hash equal
            return env.fromSource(new JdbcSnapshotSource(plan.target().endpoint(), plan.targetQuery(), plan.schema(), plan.fetchSize(),
                                    EncoderOptions.strict(plan.targetTable().toString())),
                            WatermarkStrategy.noWatermarks(), "target " + plan.targetTable())
                    .setParallelism(plan.parallelism())
                    .map(r -> new CacheEntry(r.key, r.hashHi, r.hashLo)).returns(CacheEntry.class).name("key and hash")
                    .setParallelism(plan.parallelism());
        }
        if (plan.previousFiles().isEmpty()) {
            // first run, or an empty previous snapshot: every row is an insert
            // (fromData with an empty list fails at run time in Flink 2.2; one filtered-out element is an empty bounded stream)
            return env.fromSequence(0, 0).filter(x -> false).name("no previous cache")
                    .map(x -> new CacheEntry()).returns(CacheEntry.class).name("no previous cache");
        }
        Path[] files = plan.previousFiles().stream().map(Path::new).toArray(Path[]::new);
        // written under an older schema: read whole rows and re-hash them as today's schema encodes them
        CacheEntryFormat format = plan.previousSchema() == null ? new CacheEntryFormat()
                : new CacheEntryFormat(plan.previousSchema(), plan.schema());
        FileSource<CacheEntry> source = FileSource.forRecordStreamFormat(format, files).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "cache " + plan.previousVersion())
                .setParallelism(Math.max(1, Math.min(plan.parallelism(), files.length)));
    }
}
