package io.snapsync.unload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitPlanner;
import io.snapsync.source.SplitRange;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class UnloadBucketsTest {
    static final Column ID = new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, true);
    static final TableSchema SCHEMA = new TableSchema(List.of(ID, new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
    static final String LOCATION = "s3://b/unload/t/20261201T000000Z-abc123/";

    static SourceQuery ranges(List<Serializable> bounds) {
        return SplitPlanner.byBounds(SCHEMA, new TableName("public", "t"), new SourceDialect.Postgres(), ID, bounds);
    }

    /**
     * The CASE evaluated as SQL evaluates it (NULL comparisons unknown, first WHEN that holds wins): parsed from the
     * expression text itself, so the test checks what Redshift is sent.
     */
    static int evaluate(String caseSql, Long k) {
        if (caseSql.equals("0")) {
            return 0;
        }
        Matcher m = Pattern.compile("WHEN (\"id\" IS NULL OR )?\"id\" (<=?) (-?\\d+) THEN (\\d+)").matcher(caseSql);
        while (m.find()) {
            boolean nullArm = m.group(1) != null;
            long bound = Long.parseLong(m.group(3));
            if ((nullArm && k == null) || (k != null && (m.group(2).equals("<") ? k < bound : k <= bound))) {
                return Integer.parseInt(m.group(4));
            }
        }
        Matcher e = Pattern.compile(" ELSE (\\d+) END$").matcher(caseSql);
        assertThat(e.find()).as(caseSql).isTrue();
        return Integer.parseInt(e.group(1));
    }

    static String key(long v) {
        CanonicalRowWriter w = new CanonicalRowWriter(16);
        w.writeInteger(v);
        return Keys.fromBytes(w.toByteArray());
    }

    @Test
    void everyValueLandsInExactlyTheSplitWhoseRangeHoldsItBoundsAndExtremesIncluded() {
        for (List<Serializable> bounds : List.<List<Serializable>>of(List.of(), List.of(0L), List.of(-1000L, 5L, 6L, 1L << 40))) {
            SourceQuery q = ranges(bounds);
            String sql = UnloadBuckets.caseExpression(ID, UnloadBuckets.bounds(q));
            assertThat(sql).doesNotContain("'"); // numbers only: nothing a literal could end on
            List<Long> probes = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L));
            for (Serializable b : bounds) {
                probes.add((Long) b - 1);
                probes.add((Long) b);
                probes.add((Long) b + 1);
            }
            KeyOrder first = KeyOrder.ofFirstColumn(SCHEMA);
            for (long v : probes) {
                int bucket = evaluate(sql, v);
                for (int i = 0; i < q.splitCount(); i++) {
                    assertThat(q.range(i).bounds(first).contains(key(v))).as("%d in split %d of %s (%s)", v, i, bounds, sql).isEqualTo(i == bucket);
                }
            }
            // NULL first key columns go to the first split, as the JDBC predicates put them
            assertThat(evaluate(sql, null)).isZero();
            assertThat(q.splits() == null || (Boolean) q.splits()[0][4]).as("the first split takes NULLs").isTrue();
        }
    }

    @Test
    void theSplitOfAFileIsItsFolderAndNothingElse() {
        assertThat(UnloadBuckets.bucketOf(LOCATION + "__snapsync_split=0/0000_part_00.parquet", LOCATION, 3)).isZero();
        assertThat(UnloadBuckets.bucketOf(LOCATION + "__snapsync_split=2/0003_part_01.parquet", LOCATION, 3)).isEqualTo(2);
        for (String bad : List.of("0000_part_00.parquet", "__snapsync_split=3/0000_part_00.parquet", "__snapsync_split=-1/x.parquet",
                "__snapsync_split=__HIVE_DEFAULT_PARTITION__/0000_part_00.parquet", "__snapsync_split=1/x/y.parquet",
                "__snapsync_split=1", "other=1/x.parquet", "__snapsync_split=01x/x.parquet")) {
            assertThatThrownBy(() -> UnloadBuckets.bucketOf(LOCATION + bad, LOCATION, 3)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing applied");
        }
        assertThatThrownBy(() -> UnloadBuckets.bucketOf("s3://b/elsewhere/__snapsync_split=0/x.parquet", LOCATION, 3))
                .hasMessageContaining("its key range is unknown");
    }

    @Test
    void onlyAFirstKeyColumnWithNumericOrTextBoundsIsBucketed() {
        assertThat(UnloadBuckets.whyNot(SCHEMA)).isNull();
        Column text = new Column("k", ColumnType.TEXT, "text", 0, 0, 0, false);
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(text, ID), List.of("k", "id")))).isNull();
        Column flag = new Column("b", ColumnType.BOOLEAN, "boolean", 0, 0, 0, false);
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(flag, ID), List.of("b", "id"))))
                .contains("only integer, decimal, date, timestamp, time, varchar, varbyte and float bounds");
        Column f = new Column("f", ColumnType.FLOAT, "double precision", 8, 0, 0, false);
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(f), List.of("f")))).isNull();
        Column tz = new Column("z", ColumnType.TIMETZ, "timetz", 0, 0, 0, false);
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(tz), List.of("z")))).contains("is timetz: only integer");
        Column json = new Column("j", ColumnType.JSON, "jsonb", 0, 0, 0, false);
        // json is ordered (by its text) but has no bound UNLOAD's CASE could write: a json first key column is not bucketed,
        // a later one rides the first column's buckets
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(json), List.of("j")))).contains("is jsonb: only integer");
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(ID, json), List.of("id", "j")))).isNull();
        Column clash = new Column(UnloadBuckets.SPLIT_COLUMN, ColumnType.INTEGER, "integer", 4, 0, 0, true);
        assertThat(UnloadBuckets.whyNot(new TableSchema(List.of(ID, clash), List.of("id")))).contains(UnloadBuckets.SPLIT_COLUMN);
    }

    @Test
    void bucketsAreSizedFromTheRowEstimate() {
        assertThat(UnloadBuckets.count(8, 0, 100)).isEqualTo(8);
        assertThat(UnloadBuckets.count(8, 1000, 100)).isEqualTo(8);
        // 6M rows of ~300 bytes: ~1.8 GB, 64 MB each
        assertThat(UnloadBuckets.count(8, 6_000_000, 300)).isEqualTo(27);
        assertThat(UnloadBuckets.count(8, Long.MAX_VALUE / 1024, 300)).isEqualTo(UnloadBuckets.MAX_BUCKETS);
        assertThat(UnloadBuckets.rowBytes(SCHEMA)).isGreaterThan(UnloadBuckets.ROW_OVERHEAD + 64);
    }

    @Test
    void bucketsEstimatedAboveTheBudgetAreNamedAsSpillingNotSentToTheKeyedDiff() {
        SourceQuery q = ranges(List.of(10L));
        UnloadBuckets.Bucket small = new UnloadBuckets.Bucket(0, q.range(0), List.of(new UnloadManifest.Entry(LOCATION + "a", 1000, 10)));
        UnloadBuckets.Bucket big = new UnloadBuckets.Bucket(1, q.range(1), List.of(new UnloadManifest.Entry(LOCATION + "b", 300_000, 2000),
                new UnloadManifest.Entry(LOCATION + "c", 300_000, 2000)));
        long bigEstimate = UnloadBuckets.memoryEstimate(4000, 600_000);
        assertThat(Unloads.spilling(List.of(small, big), bigEstimate, null)).isNull();
        assertThat(Unloads.spilling(List.of(small, big), bigEstimate - 1, null))
                .startsWith("1 of 2 key-range buckets estimated above source.unload.max-bucket-mb (")
                .contains("sorted through run files in the spill directory; the largest, bucket 1 [10, +inf), holds 4000 rows in 600000 Parquet bytes");
        UnloadBuckets.Bucket whole = new UnloadBuckets.Bucket(0, io.snapsync.source.SplitRange.ALL, big.files());
        assertThat(Unloads.spilling(List.of(whole), bigEstimate, "the first key column is boolean"))
                .isEqualTo("one bucket, the whole table (not in key-range buckets: the first key column is boolean), sorted in memory");
        assertThat(Unloads.spilling(List.of(whole), 1024, "the first key column is boolean"))
                .startsWith("one bucket, the whole table (not in key-range buckets: the first key column is boolean), it estimated above "
                        + "source.unload.max-bucket-mb (1 KB), sorted through run files");
    }

    @Test
    void aBucketIsSortedByKeyWithNullKeysLast() throws java.io.IOException {
        List<SnapshotRow> rows = new ArrayList<>();
        for (long v : new long[] {5, -3, 9, 5, 0}) {
            rows.add(new SnapshotRow(key(v), v, 0, new byte[0]));
        }
        SnapshotRow nullKey = new SnapshotRow(key(0), 99, 0, new byte[0]);
        nullKey.flags = SnapshotRow.NULL_KEY;
        rows.add(1, nullKey);
        rows.sort(io.snapsync.sort.ExternalRowSorter.byKey(new KeyOrder(SCHEMA)));
        assertThat(rows).extracting(r -> r.hashHi).containsExactly(-3L, 0L, 5L, 5L, 9L, 99L);
    }

    @Test
    void dateBoundsAreCastLiteralsJavaPrintsFromNumbersAndOtherBoundsAreRefused() {
        Column d = new Column("d", ColumnType.DATE, "date", 4, 0, 0, false);
        TableSchema s = new TableSchema(List.of(d, ID), List.of("d", "id"));
        assertThat(UnloadBuckets.whyNot(s)).isNull();
        SourceQuery q = SplitPlanner.byBounds(s, new TableName("public", "t"), new SourceDialect.Postgres(), d,
                List.of(java.time.LocalDate.of(2020, 1, 1), java.time.LocalDate.of(2020, 3, 9)));
        assertThat(UnloadBuckets.caseExpression(d, UnloadBuckets.bounds(q))).isEqualTo("CASE WHEN \"d\" IS NULL OR \"d\" < "
                + "CAST('2020-01-01' AS DATE) THEN 0 WHEN \"d\" < CAST('2020-03-09' AS DATE) THEN 1 ELSE 2 END");
        assertThat(UnloadBuckets.literal(java.time.LocalDate.of(1, 1, 1))).isEqualTo("CAST('0001-01-01' AS DATE)");
        // years that print with a sign or more digits are not written at all: the table is unloaded without buckets
        for (java.time.LocalDate far : List.of(java.time.LocalDate.of(0, 12, 31), java.time.LocalDate.of(10000, 1, 1))) {
            assertThatThrownBy(() -> UnloadBuckets.caseExpression(d, List.of(far))).hasMessageContaining("cannot be written as a literal");
        }
        // text bounds: the hex digits of their UTF-8 bytes, compared with the column's bytes (not under its collation)
        Column tx = new Column("tx", ColumnType.TEXT, "text", 0, 0, 0, false);
        TableSchema t = new TableSchema(List.of(tx), List.of("tx"));
        assertThat(UnloadBuckets.whyNot(t)).isNull();
        SourceQuery tq = SplitPlanner.byBounds(t, new TableName("public", "t"), new SourceDialect.Postgres(), tx, List.of("m", "é"));
        assertThat(UnloadBuckets.caseExpression(tx, UnloadBuckets.bounds(tq))).isEqualTo("CASE WHEN \"tx\" IS NULL OR CAST(\"tx\" AS VARBYTE) < "
                + "FROM_HEX('6d') THEN 0 WHEN CAST(\"tx\" AS VARBYTE) < FROM_HEX('c3a9') THEN 1 ELSE 2 END");
        assertThat(SplitRange.ALL.noLower()).isTrue();
    }
}
