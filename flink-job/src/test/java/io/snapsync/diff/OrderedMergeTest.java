package io.snapsync.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.TablePolicies;
import io.snapsync.row.CacheEntry;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Change;
import io.snapsync.row.ChangeKind;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming merge's decisions, with real encoded rows and hashes, no Flink. */
class OrderedMergeTest {
    private final TableSchema schema = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("name", ColumnType.TEXT, "text", 0, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id", "name"));

    private final List<Change> changes = new ArrayList<>();
    private final List<Change> deletes = new ArrayList<>();
    private final List<SnapshotRow> cache = new ArrayList<>();
    private final List<DataIssue> issues = new ArrayList<>();

    private OrderedMerge merge(TablePolicies.DuplicateKeys policy) {
        return merge(schema, policy);
    }

    /** A merge of {@code s}'s keys whose outputs go to this test's lists. */
    private OrderedMerge merge(TableSchema s, TablePolicies.DuplicateKeys policy) {
        return new OrderedMerge(s, policy, new KeyOrder(s), new OrderedMerge.Output() {
            @Override
            public void change(Change upsert) {
                changes.add(upsert);
            }

            @Override
            public void delete(Change delete) {
                deletes.add(delete);
            }

            @Override
            public void cache(SnapshotRow row) {
                cache.add(row);
            }

            @Override
            public void issue(DataIssue issue) {
                issues.add(issue);
            }
        });
    }

    private static String key(long id, String name) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        w.writeText(name);
        return Keys.fromBytes(w.toByteArray());
    }

    private static SnapshotRow row(long id, String name, String v) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(id);
        w.writeText(name);
        if (v == null) w.writeNull(); else w.writeText(v);
        byte[] bytes = w.toByteArray();
        long[] h = RowHash.hash(bytes);
        return new SnapshotRow(key(id, name), h[0], h[1], bytes);
    }

    private static CacheEntry cached(long id, String name, String v) {
        SnapshotRow r = row(id, name, v);
        return new CacheEntry(r.key, r.hashHi, r.hashLo);
    }

    private static void feed(OrderedMerge m, List<CacheEntry> previous, SnapshotRow... rows) {
        m.begin(previous.iterator());
        for (SnapshotRow r : rows) {
            m.row(r);
        }
        m.end();
    }

    @Test
    void classifiesEveryKeyInOneWalk() {
        feed(merge(TablePolicies.DuplicateKeys.FAIL),
                List.of(cached(0, "gone-first", "x"), cached(1, "a", "same"), cached(1, "b", "old"), cached(2, "Z", "gone"),
                        cached(3, "c", ""), cached(9, "gone-last", "x")),
                row(1, "a", "same"), row(1, "b", "new"), row(2, "a", "inserted"), row(3, "c", null), row(4, "z", "inserted at the end"));
        assertThat(changes).extracting(c -> c.kind + " " + c.key).containsExactly(
                "UPDATE " + key(1, "b"), "INSERT " + key(2, "a"), "UPDATE " + key(3, "c"), "INSERT " + key(4, "z"));
        assertThat(changes.get(0).row).isEqualTo(row(1, "b", "new").row);
        assertThat(deletes).extracting(d -> d.key).containsExactly(key(0, "gone-first"), key(2, "Z"), key(9, "gone-last"));
        assertThat(deletes).allSatisfy(d -> {
            assertThat(d.kind).isEqualTo(ChangeKind.DELETE);
            assertThat(d.row).isNull();
        });
        assertThat(cache).extracting(r -> r.key).as("the new cache: every snapshot row, in key order")
                .containsExactly(key(1, "a"), key(1, "b"), key(2, "a"), key(3, "c"), key(4, "z"));
        assertThat(issues).isEmpty();
    }

    @Test
    void emptySidesAreAllInsertsOrAllDeletes() {
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(), row(1, "a", "v"), row(2, "a", "v"));
        assertThat(changes).extracting(c -> c.kind).containsExactly(ChangeKind.INSERT, ChangeKind.INSERT);
        changes.clear();
        cache.clear();
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(1, "a", "v"), cached(2, "a", "v")));
        assertThat(changes).isEmpty();
        assertThat(cache).isEmpty();
        assertThat(deletes).hasSize(2);
    }

    @Test
    void duplicatesUnderFailOrSkipCarryThePreviousEntryAndChangeNothing() {
        for (TablePolicies.DuplicateKeys policy : List.of(TablePolicies.DuplicateKeys.FAIL, TablePolicies.DuplicateKeys.SKIP)) {
            changes.clear();
            cache.clear();
            issues.clear();
            feed(merge(policy), List.of(cached(42, "x", "old"), cached(43, "x", "kept")),
                    row(42, "x", "a"), row(42, "x", "b"), row(42, "x", "c"), row(43, "x", "kept"));
            assertThat(changes).as(policy.name()).isEmpty();
            assertThat(deletes).isEmpty();
            assertThat(issues).singleElement().satisfies(i -> {
                assertThat(i.kind).isEqualTo(DataIssue.Kind.DUPLICATE_KEY);
                assertThat(i.key).isEqualTo("(id=42, name=x)");
                assertThat(i.rows).isEqualTo(3);
                assertThat(i.dropped).isEqualTo(3);
                assertThat(i.carried).isTrue();
            });
            assertThat(cache).hasSize(2);
            assertThat(cache.get(0).row).as("carried over without values").isNull();
            assertThat(cache.get(0).hashHi).isEqualTo(cached(42, "x", "old").hashHi);
        }
    }

    @Test
    void skippedDuplicateWithoutAPreviousEntryLeavesNoTrace() {
        feed(merge(TablePolicies.DuplicateKeys.SKIP), List.of(), row(1, "a", "1"), row(1, "a", "2"));
        assertThat(changes).isEmpty();
        assertThat(cache).isEmpty();
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.carried).isFalse());
    }

    @Test
    void keepOneKeepsTheSameRowWhateverTheArrivalOrder() {
        SnapshotRow a = row(5, "k", "a");
        SnapshotRow b = row(5, "k", "b");
        SnapshotRow kept = DuplicateRows.preferred(a, b) ? a : b;
        for (List<SnapshotRow> order : List.of(List.of(a, b), List.of(b, a))) {
            changes.clear();
            cache.clear();
            issues.clear();
            feed(merge(TablePolicies.DuplicateKeys.KEEP_ONE), List.of(cached(5, "k", "old")), order.toArray(SnapshotRow[]::new));
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.kind).isEqualTo(ChangeKind.UPDATE);
                assertThat(c.row).isEqualTo(kept.row);
            });
            assertThat(cache).singleElement().satisfies(r -> assertThat(r.row).isEqualTo(kept.row));
            assertThat(issues).singleElement().satisfies(i -> assertThat(i.dropped).isEqualTo(1));
        }
    }

    @Test
    void nullKeysAndNulFixesAreIssuesAndNullKeysAreNeitherMergedNorOrderChecked() {
        SnapshotRow nullKey = row(7, "n", "v");
        nullKey.flags = SnapshotRow.NULL_KEY;
        SnapshotRow fixed = row(9, "b", "v");
        fixed.flags = SnapshotRow.NUL_FIXED;
        // the NULL-key row (its bytes say 7) arrives after 9: it is counted, never compared, so no order error
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(7, "n", "v")), row(9, "a", "v"), nullKey, fixed, row(10, "a", "v"));
        assertThat(issues).extracting(i -> i.kind).containsExactly(DataIssue.Kind.NULL_KEY, DataIssue.Kind.NUL_FIXED);
        assertThat(issues.get(0).dropped).isEqualTo(1);
        assertThat(changes).extracting(c -> c.key).as("the NUL-fixed row is still applied").containsExactly(key(9, "a"), key(9, "b"), key(10, "a"));
        assertThat(deletes).extracting(d -> d.key).as("the cached (7, n) is not matched by a NULL-key row").containsExactly(key(7, "n"));
    }

    @Test
    void sourceRowsOutOfOrderFailNamingTheColumnAndTheKeys() {
        OrderedMerge m = merge(TablePolicies.DuplicateKeys.FAIL);
        feed(m, List.of(cached(1, "a", "v")), row(1, "b", "v"), row(1, "B", "v"), row(2, "a", "v"));
        assertThat(m.failed()).isTrue();
        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.kind).isEqualTo(DataIssue.Kind.ERROR);
            assertThat(i.key).contains("out of key order").contains("(id=1, name=B) after (id=1, name=b)").contains("column name");
        });
        assertThat(deletes).as("nothing decided after the violation: no delete of (1, a)").isEmpty();
    }

    @Test
    void cacheOutOfOrderOrDuplicatedFails() {
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(2, "a", "v"), cached(1, "a", "v")), row(3, "a", "v"));
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key)
                .contains("the previous cache is not in key order: (id=1, name=a) after (id=2, name=a)").contains("column id"));
        issues.clear();
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(2, "a", "v"), cached(2, "a", "w")), row(1, "a", "v"));
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key)
                .contains("duplicate primary key in the cache").contains("(id=2, name=a)"));
    }

    /**
     * A bytes and boolean key whose rows arrive in another order than {@link KeyOrder}'s (0x80 before 0x7F, as a
     * signed-byte comparison would return them; true before false): the table fails, nothing is decided after it.
     */
    @Test
    void bytesAndBooleanKeysOutOfOrderFailOnEitherSide() {
        TableSchema bs = new TableSchema(List.of(new Column("h", ColumnType.BYTES, "bytea", 0, 0, 0, false),
                new Column("b", ColumnType.BOOLEAN, "boolean", 0, 0, 0, false)), List.of("h", "b"));
        java.util.function.BiFunction<Integer, Boolean, SnapshotRow> row = (h, b) -> {
            CanonicalRowWriter w = new CanonicalRowWriter();
            w.writeBytes(h < 0 ? new byte[0] : new byte[] {(byte) (int) h});
            w.writeBoolean(b);
            byte[] bytes = w.toByteArray();
            long[] hash = RowHash.hash(bytes);
            return new SnapshotRow(Keys.fromBytes(bytes), hash[0], hash[1], bytes);
        };
        java.util.function.Function<SnapshotRow, CacheEntry> entry = r -> new CacheEntry(r.key, r.hashHi, r.hashLo);
        java.util.function.Supplier<OrderedMerge> merge = () -> merge(bs, TablePolicies.DuplicateKeys.FAIL);
        // in order: the empty value, 0x00, 0x7F false/true, 0x80, 0xFF
        OrderedMerge ok = merge.get();
        feed(ok, List.of(entry.apply(row.apply(-1, true)), entry.apply(row.apply(0x7F, true)), entry.apply(row.apply(0xFF, false))),
                row.apply(-1, true), row.apply(0x00, false), row.apply(0x7F, false), row.apply(0x7F, true), row.apply(0x80, true), row.apply(0xFF, false));
        assertThat(ok.failed()).isFalse();
        assertThat(issues).isEmpty();
        assertThat(changes).hasSize(3);
        changes.clear();
        cache.clear();

        OrderedMerge signed = merge.get();
        feed(signed, List.of(entry.apply(row.apply(0xFF, false))), row.apply(0x80, true), row.apply(0x7F, true), row.apply(0xFF, false));
        assertThat(signed.failed()).isTrue();
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("out of key order")
                .contains("(h=\\x7f, b=true) after (h=\\x80, b=true) (column h)").contains("bytes unsigned with a prefix first"));
        assertThat(deletes).isEmpty();
        issues.clear();

        OrderedMerge bools = merge.get();
        feed(bools, List.of(), row.apply(0x01, true), row.apply(0x01, false));
        assertThat(bools.failed()).isTrue();
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("out of key order").contains("column b"));
        issues.clear();

        feed(merge.get(), List.of(entry.apply(row.apply(0x80, false)), entry.apply(row.apply(0x7F, false))), row.apply(0xFF, true));
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("the previous cache is not in key order").contains("column h"));
    }

    @Test
    void aCacheEntryOutOfOrderIsFoundEvenWhenItMatchesItsSnapshotKey() {
        // the check runs on entries taken as deletes; these put the disorder next to an entry that matches
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(5, "a", "v"), cached(5, "a", "v")), row(5, "a", "v"), row(7, "a", "v"));
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("duplicate primary key in the cache").contains("(id=5, name=a)"));
        issues.clear();
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(4, "a", "v"), cached(6, "a", "v"), cached(5, "a", "v")),
                row(5, "a", "v"), row(6, "a", "v"));
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("(id=5, name=a) after (id=6, name=a)"));
        issues.clear();
        feed(merge(TablePolicies.DuplicateKeys.FAIL), List.of(cached(5, "a", "v"), cached(3, "a", "v")), row(3, "a", "v"), row(5, "a", "v"));
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.key).contains("(id=3, name=a) after (id=5, name=a)"));
    }

    @Test
    void anyCacheNotStrictlyAscendingFailsAndEveryOtherGivesExactlyTheSource() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 3000; round++) {
            java.util.TreeSet<Long> source = new java.util.TreeSet<>();
            for (int i = random.nextInt(8); i > 0; i--) {
                source.add((long) random.nextInt(10));
            }
            List<Long> previous = new ArrayList<>();
            for (int i = random.nextInt(8); i > 0; i--) {
                previous.add((long) random.nextInt(10));
            }
            if (random.nextBoolean()) {
                java.util.Collections.sort(previous); // duplicates may remain
            }
            boolean ascending = true;
            for (int i = 1; i < previous.size(); i++) {
                ascending &= previous.get(i) > previous.get(i - 1);
            }
            changes.clear();
            deletes.clear();
            cache.clear();
            issues.clear();
            feed(merge(TablePolicies.DuplicateKeys.FAIL), previous.stream().map(id -> cached(id, "a", "v")).toList(),
                    source.stream().map(id -> row(id, "a", id % 3 == 0 ? "changed" : "v")).toArray(SnapshotRow[]::new));
            String what = "previous " + previous + ", source " + source;
            assertThat(issues.isEmpty()).as("merge succeeded: " + what).isEqualTo(ascending);
            if (ascending) {
                java.util.Set<String> target = new java.util.HashSet<>(previous.stream().map(id -> key(id, "a")).toList());
                deletes.forEach(d -> assertThat(target.remove(d.key)).as("deleted a key the target holds: " + what).isTrue());
                changes.forEach(c -> target.add(c.key));
                assertThat(target).as(what).isEqualTo(new java.util.HashSet<>(source.stream().map(id -> key(id, "a")).toList()));
                java.util.Set<String> deleted = new java.util.HashSet<>(deletes.stream().map(d -> d.key).toList());
                assertThat(changes).as("no key both deleted and upserted: " + what).noneMatch(c -> deleted.contains(c.key));
            }
        }
    }

    @Test
    void aSourceErrorStopsTheMerge() {
        OrderedMerge m = merge(TablePolicies.DuplicateKeys.FAIL);
        feed(m, List.of(cached(5, "a", "v")), row(1, "a", "v"), SnapshotRow.error("value too long for column v"), row(2, "a", "v"));
        assertThat(issues).singleElement().satisfies(i -> {
            assertThat(i.kind).isEqualTo(DataIssue.Kind.ERROR);
            assertThat(i.key).isEqualTo("value too long for column v");
        });
        assertThat(deletes).isEmpty();
    }
}
