package io.snapsync.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.config.SyncConfig;
import io.snapsync.config.TablePolicies;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The diff operator under Flink's keyed two-input test harness, with real encoded rows and hashes. */
class DiffFunctionTest {
    private final TableSchema schema = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
    private KeyedTwoInputStreamOperatorTestHarness<Tuple2<Long, Long>, SnapshotRow, CacheEntry, Change> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness(TablePolicies.DEFAULTS);
    }

    private KeyedTwoInputStreamOperatorTestHarness<Tuple2<Long, Long>, SnapshotRow, CacheEntry, Change> harness(TablePolicies policies)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new DiffFunction(schema, policies)),
                new KeyHash.OfSnapshot(), new KeyHash.OfCache(), KeyHash.TYPE);
        h.open();
        return h;
    }

    private static TablePolicies onDuplicate(String policy) {
        return TablePolicies.resolve(SyncConfig.Job.DEFAULTS,
                new SyncConfig.Table("t", "t", "t", List.of("id"), null, null, null).with("on-duplicate-key", policy));
    }

    private List<DataIssue> issues() {
        return harness.getSideOutput(DiffFunction.ISSUES).stream().map(StreamRecord::getValue).toList();
    }

    private List<SnapshotRow> cacheOut() {
        return harness.getSideOutput(DiffFunction.CACHE) == null ? List.of()
                : harness.getSideOutput(DiffFunction.CACHE).stream().map(StreamRecord::getValue).toList();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static String key(long id) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        return Keys.fromBytes(w.toByteArray());
    }

    private static SnapshotRow row(long id, String v) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        if (v == null) w.writeNull(); else w.writeText(v);
        byte[] bytes = w.toByteArray();
        long[] h = RowHash.hash(bytes);
        return new SnapshotRow(key(id), h[0], h[1], bytes);
    }

    private static CacheEntry cached(long id, String v) {
        SnapshotRow r = row(id, v);
        return new CacheEntry(r.key, r.hashHi, r.hashLo);
    }

    /** What BATCH mode does at the end of each key: fire its timers. */
    private void endOfInput() throws Exception {
        harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    }

    @Test
    void classifiesEveryKey() throws Exception {
        harness.processElement1(new StreamRecord<>(row(1, "same")));
        harness.processElement2(new StreamRecord<>(cached(1, "same")));
        harness.processElement1(new StreamRecord<>(row(2, "new value")));
        harness.processElement2(new StreamRecord<>(cached(2, "old value")));
        harness.processElement1(new StreamRecord<>(row(3, null)));
        harness.processElement2(new StreamRecord<>(cached(3, "")));
        harness.processElement1(new StreamRecord<>(row(4, "inserted")));
        harness.processElement2(new StreamRecord<>(cached(5, "deleted")));
        endOfInput();

        Map<String, Change> upserts = harness.extractOutputValues().stream().collect(Collectors.toMap(c -> c.key, c -> c));
        assertThat(upserts).containsOnlyKeys(key(2), key(3), key(4));
        assertThat(upserts.get(key(2)).kind).isEqualTo(ChangeKind.UPDATE);
        assertThat(upserts.get(key(2)).row).isEqualTo(row(2, "new value").row);
        assertThat(upserts.get(key(3)).kind).as("NULL is not the empty string").isEqualTo(ChangeKind.UPDATE);
        assertThat(upserts.get(key(4)).kind).isEqualTo(ChangeKind.INSERT);

        List<Change> deletes = harness.getSideOutput(DiffFunction.DELETES).stream().map(StreamRecord::getValue).toList();
        assertThat(deletes).singleElement().satisfies(d -> {
            assertThat(d.kind).isEqualTo(ChangeKind.DELETE);
            assertThat(d.key).isEqualTo(key(5));
            assertThat(d.row).as("deletes carry the key only").isNull();
        });
    }

    @Test
    void stateIsClearedAfterEachKey() throws Exception {
        harness.processElement2(new StreamRecord<>(cached(7, "x")));
        endOfInput();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void theNewCacheGetsEveryRowOfTheSnapshotOncePerKey() throws Exception {
        harness.processElement1(new StreamRecord<>(row(1, "same")));
        harness.processElement2(new StreamRecord<>(cached(1, "same")));
        harness.processElement1(new StreamRecord<>(row(2, "new")));
        harness.processElement2(new StreamRecord<>(cached(3, "gone")));
        endOfInput();
        assertThat(cacheOut()).extracting(r -> r.key).containsExactlyInAnyOrder(key(1), key(2));
    }

    @Test
    void duplicateKeysUnderFailAreCountedWithTheKeyAndLeaveTheTargetRowAsItIs() throws Exception {
        harness.processElement1(new StreamRecord<>(row(42, "a")));
        harness.processElement1(new StreamRecord<>(row(42, "b")));
        harness.processElement1(new StreamRecord<>(row(42, "c")));
        harness.processElement2(new StreamRecord<>(cached(42, "old")));
        endOfInput();
        assertThat(harness.extractOutputValues()).as("no change for an ambiguous key").isEmpty();
        assertThat(issues()).singleElement().satisfies(i -> {
            assertThat(i.kind).isEqualTo(DataIssue.Kind.DUPLICATE_KEY);
            assertThat(i.key).isEqualTo("(id=42)");
            assertThat(i.rows).isEqualTo(3);
            assertThat(i.dropped).isEqualTo(3);
            assertThat(i.carried).isTrue();
        });
        // the previous entry is carried over: the cache still says what the (untouched) target row is
        assertThat(cacheOut()).singleElement().satisfies(r -> {
            assertThat(r.row).isNull();
            assertThat(new long[] {r.hashHi, r.hashLo}).containsExactly(cached(42, "old").hashHi, cached(42, "old").hashLo);
        });
    }

    @Test
    void keepOneKeepsTheSameRowWhateverTheArrivalOrder() throws Exception {
        SnapshotRow kept = row(7, "a");
        for (String v : List.of("b", "c")) {
            if (DuplicateRows.preferred(row(7, v), kept)) {
                kept = row(7, v);
            }
        }
        for (List<String> order : List.of(List.of("a", "b", "c"), List.of("c", "b", "a"), List.of("b", "c", "a"))) {
            harness.close();
            harness = harness(onDuplicate("keep-one"));
            for (String v : order) {
                harness.processElement1(new StreamRecord<>(row(7, v)));
            }
            harness.processElement2(new StreamRecord<>(cached(7, "old")));
            endOfInput();
            Change c = harness.extractOutputValues().get(0);
            assertThat(c.kind).isEqualTo(ChangeKind.UPDATE);
            assertThat(c.row).as("order %s", order).isEqualTo(kept.row);
            assertThat(issues()).singleElement().satisfies(i -> assertThat(i.dropped).isEqualTo(2));
            assertThat(cacheOut()).singleElement().satisfies(r -> assertThat(r.row).isEqualTo(c.row));
        }
    }

    @Test
    void skippedDuplicateWithoutAPreviousEntryLeavesNoTrace() throws Exception {
        harness.close();
        harness = harness(onDuplicate("skip"));
        harness.processElement1(new StreamRecord<>(row(9, "a")));
        harness.processElement1(new StreamRecord<>(row(9, "b")));
        endOfInput();
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(cacheOut()).isEmpty();
        assertThat(issues()).singleElement().satisfies(i -> assertThat(i.carried).isFalse());
    }

    @Test
    void nullKeyRowsAreCountedNeverKeyed() throws Exception {
        SnapshotRow r = row(1, "x");
        r.flags = SnapshotRow.NULL_KEY;
        harness.processElement1(new StreamRecord<>(r));
        endOfInput();
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(issues()).singleElement().satisfies(i -> {
            assertThat(i.kind).isEqualTo(DataIssue.Kind.NULL_KEY);
            assertThat(i.dropped).isEqualTo(1);
        });
    }

    @Test
    void duplicateCacheKeyFailsTheTableNamingTheKey() throws Exception {
        harness.processElement2(new StreamRecord<>(cached(42, "a")));
        harness.processElement2(new StreamRecord<>(cached(42, "b")));
        // not an exception (that would end every table of the run's job): an error issue the committer fails the table with
        DataIssue error = issues().get(0);
        assertThat(error.kind).isEqualTo(DataIssue.Kind.ERROR);
        assertThat(error.key).contains("duplicate primary key in the cache").contains("(id=42)");
    }

    /** A key selector under which every key collides: stands in for two keys sharing a 128-bit hash. */
    private KeyedTwoInputStreamOperatorTestHarness<Tuple2<Long, Long>, SnapshotRow, CacheEntry, Change> colliding() throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new DiffFunction(schema, TablePolicies.DEFAULTS)),
                (SnapshotRow r) -> Tuple2.of(0L, 0L), (CacheEntry e) -> Tuple2.of(0L, 0L), KeyHash.TYPE);
        h.open();
        return h;
    }

    private static void assertCollisionReported(KeyedTwoInputStreamOperatorTestHarness<Tuple2<Long, Long>, SnapshotRow, CacheEntry, Change> h) {
        List<DataIssue> issues = h.getSideOutput(DiffFunction.ISSUES).stream().map(StreamRecord::getValue).toList();
        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.kind).isEqualTo(DataIssue.Kind.ERROR);
            assertThat(i.key).contains("(id=1) and (id=2) share a 128-bit key hash");
        });
    }

    @Test
    void twoKeysSharingAKeyHashFailTheTableNotTakenForDuplicatesOrMatches() throws Exception {
        try (var h = colliding()) {
            h.processElement1(new StreamRecord<>(row(1, "a")));
            h.processElement1(new StreamRecord<>(row(2, "b")));
            assertCollisionReported(h);
        }
        try (var h = colliding()) {
            h.processElement2(new StreamRecord<>(cached(1, "a")));
            h.processElement2(new StreamRecord<>(cached(2, "b")));
            assertCollisionReported(h);
        }
        try (var h = colliding()) {
            h.processElement1(new StreamRecord<>(row(1, "a")));
            h.processElement2(new StreamRecord<>(cached(2, "a")));
            h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
            assertCollisionReported(h);
            assertThat(h.extractOutputValues()).as("neither an update nor an insert and a delete").isEmpty();
        }
    }

    @Test
    void equalKeysHashEqualAndDifferentKeysDiffer() {
        assertThat(KeyHash.of(key(7))).isEqualTo(KeyHash.of(key(7)));
        assertThat(KeyHash.of(key(7))).isNotEqualTo(KeyHash.of(key(8)));
        assertThat(KeyHash.TYPE.createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()).getLength())
                .as("fixed width: Flink's sort then compares the key bytes alone").isEqualTo(16);
    }
}
