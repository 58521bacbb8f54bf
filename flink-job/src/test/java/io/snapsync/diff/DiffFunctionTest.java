package io.snapsync.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.apache.flink.api.common.typeinfo.Types;
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
    private KeyedTwoInputStreamOperatorTestHarness<String, SnapshotRow, CacheEntry, Change> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new DiffFunction(schema)),
                SnapshotRow::getKey, CacheEntry::getKey, Types.STRING);
        harness.open();
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
    void duplicateSnapshotKeyFailsNamingTheKey() throws Exception {
        harness.processElement1(new StreamRecord<>(row(42, "a")));
        assertThatThrownBy(() -> harness.processElement1(new StreamRecord<>(row(42, "b"))))
                .rootCause().isInstanceOf(DuplicateKeyException.class).hasMessageContaining("(id=42)");
    }
}
