package io.snapsync.pipeline;

import io.snapsync.cache.CacheEntryFormat;
import io.snapsync.cache.CacheLayout;
import io.snapsync.cache.Compaction;
import io.snapsync.cache.CacheManifest;
import io.snapsync.cache.SortedCacheReader;
import io.snapsync.commit.CommitOutcome;
import io.snapsync.commit.SyncCommitter;
import io.snapsync.diff.DiffFunction;
import io.snapsync.diff.IssueCounter;
import io.snapsync.diff.KeyHash;
import io.snapsync.fault.CommitHook;
import io.snapsync.gate.ReadGate;
import io.snapsync.plan.TablePlan;
import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.Change;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.CopyFormat;
import io.snapsync.sink.CacheWriter;
import io.snapsync.sink.DryRunWriter;
import io.snapsync.sink.StagingWriter;
import io.snapsync.sink.ValueValidator;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitPlanner;
import io.snapsync.task.ReadProgress;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job graph for one table. Where the splits are key ranges (or one split) and the key's order is proven
 * ({@link KeyOrder}), the ordered diff, one pipelined chain per subtask:
 *
 * <pre>
 *   snapshot (JDBC, ranges, ORDER BY key) ─ diff: merge with cache v(prev) of the same range ─┬─ writers (as below) ─ committer (1)
 *     (split markers)                        (sorted Parquet files; reconcile: the target)    ┘
 * </pre>
 *
 * The same for an UNLOAD (each key-range bucket's files, or the whole table's as one bucket, sorted in memory up to
 * source.unload.max-bucket-mb and through run files beyond it, see unload.UnloadBucketSource).
 * Otherwise (hash-bucket splits, a key type without a proven order) the keyed diff:
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
    private static final Logger LOG = LoggerFactory.getLogger(SyncPipeline.class);
    private SyncPipeline() {}

    public static DataStream<CommitOutcome> build(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook) {
        return build(env, plan, hook, ReadGate.NONE);
    }

    public static DataStream<CommitOutcome> build(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook, ReadGate gate) {
        return build(env, plan, hook, gate, Compaction.of(null, null));
    }

    /**
     * @param gate how many of the run's tables read their snapshot at once (the snapshot read is what it gates)
     * @param compaction when the ordered diff writes only a change layer over the previous version, and when a full base
     */
    public static DataStream<CommitOutcome> build(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook, ReadGate gate,
                                                  Compaction compaction) {
        int p = plan.parallelism();
        CacheManifest previous = previousManifest(plan);
        OrderedDiffOperator.Previous ordered = orderedPrevious(plan, previous);
        // the previous version this run's cache is a change layer over; null: a full base (see cache.Compaction)
        CacheManifest layerOn = layerOn(plan, ordered, previous, compaction);
        SingleOutputStreamOperator<Change> upserts = ordered != null
                ? orderedDiff(env, plan, hook, gate, ordered, layerOn != null)
                : keyedDiff(env, plan, hook, gate);
        return writers(plan, hook, upserts, layerOn != null)
                .transform("commit " + plan.name(), TypeInformation.of(CommitOutcome.class), new SyncCommitter(plan, p, hook, layerOn))
                .setParallelism(1)
                .setMaxParallelism(1);
    }

    /**
     * The ordered diff: each split read in key order and merged with the previous snapshot's entries of its key
     * range, chained to the read and to the writers; no shuffle, no sort.
     */
    private static SingleOutputStreamOperator<Change> orderedDiff(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook,
                                                                  ReadGate gate, OrderedDiffOperator.Previous ordered, boolean layer) {
        int p = plan.parallelism();
        LOG.info("{}: ordered diff ({} key-range splits; previous snapshot: {})", plan.name(), plan.source().query().splitCount(),
                ordered.target() != null ? "the live target" : ordered.files().isEmpty() ? "none" : ordered.files().size() + " sorted cache files");
        io.snapsync.unload.UnloadSnapshot unload = plan.source().unload();
        org.apache.flink.api.connector.source.Source<SnapshotRow, ?, ?> source = unload != null
                // UNLOAD: each key-range bucket's files (or the whole table's, one bucket) read, sorted (in memory up to
                // max-bucket-mb, beyond it through run files in the spill directory) and emitted as an ordered split
                ? new io.snapsync.unload.UnloadBucketSource(plan.schema(), EncoderOptions.of(plan.name(), plan.policies()), unload.buckets(),
                        unload.maxBucketBytes(), hook)
                : JdbcSnapshotSource.ordered(plan.source().endpoint(),
                        plan.source().query().orderedBy(dialect(plan.source().endpoint()).orderBy(plan.schema().keyColumnList())),
                        plan.schema(), plan.source().fetchSize(), EncoderOptions.of(plan.name(), plan.policies()), hook);
        return env.fromSource(gate.wrap(source, plan.name()), WatermarkStrategy.noWatermarks(),
                        (unload != null ? "unloaded snapshot " : "snapshot ") + plan.source().table())
                .setParallelism(p)
                .map(new ReadProgress(plan.name(), plan.source().expectedRows())).name("read " + plan.name()).setParallelism(p)
                .transform("diff " + plan.name(), TypeInformation.of(Change.class), new OrderedDiffOperator(plan.schema(), plan.policies(), ordered, layer,
                        plan.name(), unload != null))
                .setParallelism(p);
    }

    /** The keyed diff: snapshot and previous cache shuffled by key hash and sorted by Flink's batch runtime. */
    private static SingleOutputStreamOperator<Change> keyedDiff(StreamExecutionEnvironment env, TablePlan plan, CommitHook hook, ReadGate gate) {
        int p = plan.parallelism();
        DataStream<SnapshotRow> snapshot = plan.source().unload() != null
                // extract: unload: the files the UNLOAD manifest lists, through the same row encoder
                ? io.snapsync.unload.Unloads.stream(env, plan.schema(), EncoderOptions.of(plan.name(), plan.policies()), plan.source().unload(), p,
                        "unloaded snapshot " + plan.source().table(), gate, plan.name())
                : env.fromSource(gate.wrap(new JdbcSnapshotSource(plan.source().endpoint(), plan.source().query(), plan.schema(), plan.source().fetchSize(),
                                EncoderOptions.of(plan.name(), plan.policies()), hook), plan.name()),
                        WatermarkStrategy.noWatermarks(), "snapshot " + plan.source().table())
                .setParallelism(p)
                .map(new ReadProgress(plan.name(), plan.source().expectedRows())).name("read " + plan.name()).setParallelism(p);
        return snapshot.keyBy(new KeyHash.OfSnapshot(), KeyHash.TYPE)
                .connect(previousCache(env, plan).keyBy(new KeyHash.OfCache(), KeyHash.TYPE))
                .process(new DiffFunction(plan.schema(), plan.policies()), TypeInformation.of(Change.class))
                .name("diff " + plan.name()).setParallelism(p);
    }

    /** The four writers of the diff's outputs (counters only in a dry run), their results as one stream for the committer. */
    private static DataStream<WriteResult> writers(TablePlan plan, CommitHook hook, SingleOutputStreamOperator<Change> upserts, boolean layer) {
        int p = plan.parallelism();
        DataStream<Change> deletes = upserts.getSideOutput(DiffFunction.DELETES);
        // the new cache is what the diff let through (one row per key), not the raw snapshot
        DataStream<SnapshotRow> newCache = upserts.getSideOutput(DiffFunction.CACHE);
        TypeInformation<WriteResult> resultType = TypeInformation.of(WriteResult.class);
        ValueValidator validator = new ValueValidator(plan.name(), plan.schema(), plan.target().columns());
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
            // a resync or a first load by swap: the rows straight into the new table, each attempt recorded in the parts table
            // binary or text COPY, as the plan chose it for the table (same value checks either way)
            CopyFormat copy = plan.target().copy();
            StagingWriter upsertWriter = plan.mode() instanceof TablePlan.Resync r
                    ? StagingWriter.intoLoadTable(plan.target().endpoint(), r.shadowTable(), r.parts(), plan.schema().columns(),
                            copy.upserts(), validator, hook)
                    : new StagingWriter(Stage.UPSERTS, plan.target().endpoint(), plan.target().staging().upserts(), plan.schema().columns(),
                            copy.upserts(), validator, hook);
            upsertResults = upserts.transform("stage upserts " + plan.name(), resultType, upsertWriter).setParallelism(p);
            deleteResults = deletes.transform("stage deletes " + plan.name(), resultType,
                    new StagingWriter(Stage.DELETES, plan.target().endpoint(), plan.target().staging().deletes(), plan.schema().keyColumnList(),
                            copy.deletes(), null, hook))
                    .setParallelism(p);
            String versionDir = new CacheLayout(plan.cache().uri()).versionDir(plan.name(), plan.cacheVersion()).toString();
            cacheResults = newCache.transform("write cache " + plan.name(), resultType,
                    new CacheWriter(plan.schema(), versionDir, CompressionCodecName.fromConf(plan.cache().parquetCodec().toUpperCase()),
                            plan.cache().rowGroupBytes(), hook, layer))
                    .setParallelism(p);
        }
        DataStream<WriteResult> issueResults = upserts.getSideOutput(DiffFunction.ISSUES)
                .transform("count data issues", resultType, new IssueCounter()).setParallelism(p);
        return upsertResults.union(deleteResults, cacheResults, issueResults);
    }

    /**
     * Whether the table can take the ordered diff: JDBC range splits (or one split), or an UNLOAD (in key-range buckets
     * or whole, each bucket sorted externally), over a key whose order is proven.
     */
    static boolean orderable(TablePlan plan) {
        return keyedReason(plan) == null;
    }

    /**
     * Why the table takes the keyed diff (the run report's {@code keyedDiff}), or null when it takes the ordered diff:
     * the one decision {@link #orderable} makes, so that a report cannot say ordered while the job shuffles.
     */
    public static String keyedReason(TablePlan plan) {
        if (plan.source().unload() != null) {
            return plan.source().unload().keyedReason();
        }
        if (!KeyOrder.supports(plan.schema())) {
            return "a key column has no proven order (" + plan.schema().keyColumnList().stream()
                    .filter(c -> !KeyOrder.ordered(c.type())).map(c -> c.name() + " " + c.sqlType()).collect(java.util.stream.Collectors.joining(", "))
                    + "): hash-bucket splits";
        }
        return plan.source().query().ranged() ? null : "hash-bucket splits";
    }

    /** The previous cache version's manifest when the ordered diff will read it (read once for both decisions below), else null. */
    private static CacheManifest previousManifest(TablePlan plan) {
        if (!orderable(plan) || plan.reconcile() || plan.cache().previousFiles().isEmpty()) {
            return null;
        }
        try {
            return CacheManifest.read(new CacheLayout(plan.cache().uri()).manifest(plan.name(), plan.cache().previousVersion()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading the manifest of cache version " + plan.cache().previousVersion() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The previous snapshot for the ordered diff, or null when the table takes the keyed diff: UNLOAD
     * extraction not in key-range buckets, hash-bucket splits, or a key type without a proven order. A previous
     * cache version not written sorted (by an older snapsync or the keyed diff) is replaced, once, by the live
     * target read with the same ordered range queries, as reconcile reads it; that run writes a sorted cache
     * (unless the schema changes in the same run: the target has the old columns until the commit, so that run
     * takes the keyed diff and the next one makes the move).
     */
    static OrderedDiffOperator.Previous orderedPrevious(TablePlan plan, CacheManifest m) {
        if (!orderable(plan)) {
            return null;
        }
        if (plan.reconcile()) {
            return targetPrevious(plan);
        }
        if (plan.cache().previousFiles().isEmpty()) {
            return OrderedDiffOperator.Previous.none();
        }
        CacheLayout layout = new CacheLayout(plan.cache().uri());
        if (!m.isSorted()) {
            if (plan.cache().previousSchema() != null || !plan.target().schemaDdl().isEmpty()) {
                // the live target still has the old columns until this run's DDL: diff against the (re-hashed) cache
                // with the keyed diff this once; the next run replaces the unsorted cache from the target
                LOG.info("{}: cache version {} was not written in key order and the schema changed; keyed diff this run",
                        plan.name(), plan.cache().previousVersion());
                return null;
            }
            LOG.info("{}: cache version {} was not written in key order; this run diffs against the live target (as reconcile does) "
                    + "and writes a sorted cache", plan.name(), plan.cache().previousVersion());
            return targetPrevious(plan);
        }
        return OrderedDiffOperator.Previous.cache(SortedCacheReader.files(m, layout), plan.cache().previousSchema());
    }

    /** The previous manifest when this run writes only a change layer over it, else null (a full base). */
    static CacheManifest layerOn(TablePlan plan, OrderedDiffOperator.Previous ordered, CacheManifest m, Compaction compaction) {
        if (ordered == null || ordered.files().isEmpty() || plan.dryRun()) {
            return null; // the keyed diff, the live target (reconcile, the first sorted cache), no previous version
        }
        String full = plan.resync() ? "resync"
                : plan.cache().previousSchema() != null || plan.target().schemaChange() != null ? "the schema changed: the cache is re-hashed"
                : null;
        Compaction.Decision d = compaction.decide(m, full);
        LOG.info("{}: cache: {}", plan.name(), d.layer() ? d.reason() : "a full base (" + d.reason() + ")");
        return d.layer() ? m : null;
    }

    private static OrderedDiffOperator.Previous targetPrevious(TablePlan plan) {
        SourceQuery q = plan.source().query();
        String sql = SplitPlanner.selectList(plan.schema(), plan.target().table())
                + (q.rangeColumn() != null ? " WHERE " + SplitPlanner.rangePredicate(new SourceDialect.Postgres(), plan.schema().keyColumnList().get(0)) : "")
                + " ORDER BY " + new SourceDialect.Postgres().orderBy(plan.schema().keyColumnList());
        return OrderedDiffOperator.Previous.target(plan.target().endpoint(), sql, q.rangeColumn() != null, plan.source().fetchSize(), plan.target().table().toString());
    }

    private static SourceDialect dialect(io.snapsync.config.JdbcEndpoint source) {
        return source.isRedshift() ? new SourceDialect.Redshift() : new SourceDialect.Postgres();
    }

    private static DataStream<CacheEntry> previousCache(StreamExecutionEnvironment env, TablePlan plan) {
        if (plan.mode() instanceof TablePlan.Reconcile reconcile) {
            // the live target, read and hashed by the same reader and encoder as the source: equal rows hash equal
            return env.fromSource(new JdbcSnapshotSource(plan.target().endpoint(), reconcile.targetQuery(), plan.schema(), plan.source().fetchSize(),
                                    EncoderOptions.strict(plan.target().table().toString())),
                            WatermarkStrategy.noWatermarks(), "target " + plan.target().table())
                    .setParallelism(plan.parallelism())
                    .map(r -> new CacheEntry(r.key, r.hashHi, r.hashLo)).returns(CacheEntry.class).name("key and hash")
                    .setParallelism(plan.parallelism());
        }
        if (plan.cache().previousFiles().isEmpty()) {
            // first run, or an empty previous snapshot: every row is an insert
            // (fromData with an empty list fails at run time in Flink 2.2; one filtered-out element is an empty bounded stream)
            return env.fromSequence(0, 0).filter(x -> false).name("no previous cache")
                    .map(x -> new CacheEntry()).returns(CacheEntry.class).name("no previous cache");
        }
        Path[] files = plan.cache().previousFiles().stream().map(Path::new).toArray(Path[]::new);
        // written under an older schema: read whole rows and re-hash them as today's schema encodes them
        CacheEntryFormat format = plan.cache().previousSchema() == null ? new CacheEntryFormat()
                : new CacheEntryFormat(plan.cache().previousSchema(), plan.schema());
        FileSource<CacheEntry> source = FileSource.forRecordStreamFormat(format, files).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "cache " + plan.cache().previousVersion())
                .setParallelism(Math.max(1, Math.min(plan.parallelism(), files.length)));
    }
}
