package io.snapsync.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The external sort against an in-memory sort of the same rows, over real run files: every key type row.KeyOrder
 * orders, duplicates across runs, NULL keys, error rows and every field of a row surviving the round trip.
 */
class ExternalRowSorterTest {
    @TempDir
    Path dir;

    /** A key column type and a random value writer for it (few distinct values: duplicates are frequent). */
    record KeyType(ColumnType type, String sqlType, BiConsumer<CanonicalRowWriter, Random> value) {
        @Override
        public String toString() {
            return sqlType;
        }
    }

    static final List<KeyType> TYPES = List.of(
            new KeyType(ColumnType.INTEGER, "bigint", (w, r) -> w.writeInteger(r.nextInt(2000) - 1000 + (r.nextInt(50) == 0 ? Long.MIN_VALUE / 2 : 0))),
            new KeyType(ColumnType.DECIMAL, "numeric(20,4)", (w, r) -> w.writeDecimal(BigDecimal.valueOf(r.nextInt(4000) - 2000, r.nextInt(5)))),
            new KeyType(ColumnType.TEXT, "text", (w, r) -> w.writeText(text(r))),
            new KeyType(ColumnType.BYTES, "bytea", (w, r) -> {
                byte[] b = new byte[r.nextInt(4)];
                r.nextBytes(b);
                w.writeBytes(b);
            }),
            new KeyType(ColumnType.BOOLEAN, "boolean", (w, r) -> w.writeBoolean(r.nextBoolean())),
            new KeyType(ColumnType.FLOAT, "double precision", (w, r) -> w.writeFloat(switch (r.nextInt(20)) {
                case 0 -> Double.NaN;
                case 1 -> Double.NEGATIVE_INFINITY;
                case 2 -> Double.POSITIVE_INFINITY;
                case 3 -> -0.0;
                default -> (r.nextInt(2000) - 1000) / 8.0;
            })),
            new KeyType(ColumnType.DATE, "date", (w, r) -> w.writeDate(LocalDate.of(2020, 1, 1).plusDays(r.nextInt(1000) - 500))),
            new KeyType(ColumnType.TIMESTAMP, "timestamp", (w, r) -> w.writeTimestamp(LocalDateTime.of(2024, 3, 1, 0, 0).plusSeconds(r.nextInt(100000)))),
            new KeyType(ColumnType.TIME, "time", (w, r) -> w.writeTime(LocalTime.ofSecondOfDay(r.nextInt(86400)))),
            new KeyType(ColumnType.TIMETZ, "timetz", (w, r) -> w.writeTimeTz(OffsetTime.of(LocalTime.ofSecondOfDay(r.nextInt(86400)),
                    ZoneOffset.ofHours(r.nextInt(25) - 12)))));

    private static String text(Random r) {
        String[] parts = {"", "a", "A", "ab", "é", "\uFFFD", "\uD83D\uDE00", "z", "\t"};
        return parts[r.nextInt(parts.length)] + parts[r.nextInt(parts.length)] + (r.nextInt(3) == 0 ? "" : Integer.toString(r.nextInt(40)));
    }

    private static TableSchema schema(List<KeyType> key) {
        List<Column> cols = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            cols.add(new Column("k" + i, key.get(i).type(), key.get(i).sqlType(), 8, 20, 4, false));
            names.add("k" + i);
        }
        return new TableSchema(cols, names);
    }

    /** Random rows of a key; every 97th with a NULL key column (flagged, as the encoder flags it); distinct hashes and row bytes. */
    static List<SnapshotRow> rows(List<KeyType> key, int n, long seed) {
        Random r = new Random(seed);
        List<SnapshotRow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CanonicalRowWriter w = new CanonicalRowWriter();
            boolean nullKey = i % 97 == 13;
            for (int c = 0; c < key.size(); c++) {
                if (nullKey && c == key.size() - 1) {
                    w.writeNull();
                } else {
                    key.get(c).value().accept(w, r);
                }
            }
            byte[] row = new byte[r.nextInt(60)];
            r.nextBytes(row);
            SnapshotRow s = new SnapshotRow(Keys.fromBytes(w.toByteArray()), r.nextLong(), i, i % 31 == 5 ? null : row);
            s.flags = (byte) ((nullKey ? SnapshotRow.NULL_KEY : 0) | (i % 7 == 3 ? SnapshotRow.NUL_FIXED : 0));
            out.add(s);
        }
        return out;
    }

    static Stream<Arguments> keys() {
        List<Arguments> out = new ArrayList<>();
        for (KeyType t : TYPES) {
            out.add(Arguments.of(List.of(t)));
        }
        out.add(Arguments.of(List.of(TYPES.get(4), TYPES.get(2)))); // boolean, text
        out.add(Arguments.of(List.of(TYPES.get(2), TYPES.get(0), TYPES.get(3)))); // text, integer, bytes
        out.add(Arguments.of(List.of(TYPES.get(9), TYPES.get(5)))); // timetz, float
        return out.stream();
    }

    /** What a row is, field by field, to compare the sorted outputs. */
    static String show(SnapshotRow r) {
        return Keys.toBytes(r.key).length + ":" + java.util.HexFormat.of().formatHex(Keys.toBytes(r.key)) + "/" + r.hashHi + "/" + r.hashLo
                + "/" + r.flags + "/" + (r.row == null ? "null" : java.util.HexFormat.of().formatHex(r.row));
    }

    private ExternalRowSorter sorter(TableSchema schema, long budget) {
        return new ExternalRowSorter(ExternalRowSorter.byKey(new KeyOrder(schema)), budget, r -> 100, dir, "t-0");
    }

    private static List<SnapshotRow> drain(Iterator<SnapshotRow> it) {
        List<SnapshotRow> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Budgets of every row in memory, two runs (one written, the held rest), a few, and many (more than one merge pass). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void externalSortEqualsTheInMemorySortWhateverTheRunsAndLeavesNoFile(List<KeyType> key) throws IOException {
        TableSchema schema = schema(key);
        List<SnapshotRow> input = rows(key, 3000, key.hashCode());
        Comparator<SnapshotRow> order = ExternalRowSorter.byKey(new KeyOrder(schema));
        List<SnapshotRow> expected = new ArrayList<>(input);
        expected.sort(order);
        for (long budget : new long[] {Long.MAX_VALUE, 100 * 2000, 100 * 700, 100 * 40, 100 * 5}) {
            ExternalRowSorter s = sorter(schema, budget);
            for (SnapshotRow r : input) {
                s.add(r);
            }
            int runs = s.runs();
            List<SnapshotRow> out = drain(s.sorted());
            assertThat(runs).as("budget %s", budget).isEqualTo(budget == Long.MAX_VALUE ? 0 : (int) ((3000 - 1) / (budget / 100)));
            // same rows, every field, in an order the comparator agrees with (equal keys may come in any order)
            assertThat(out.stream().map(ExternalRowSorterTest::show).sorted().toList()).as("budget %s", budget)
                    .isEqualTo(input.stream().map(ExternalRowSorterTest::show).sorted().toList());
            for (int i = 1; i < out.size(); i++) {
                assertThat(order.compare(out.get(i - 1), out.get(i))).as("budget %s, row %s", budget, i).isLessThanOrEqualTo(0);
            }
            // equal keys adjacent: each key's group is where the in-memory sort puts it
            assertThat(out.stream().map(r -> r.has(SnapshotRow.NULL_KEY) ? "null" : r.key).toList())
                    .isEqualTo(expected.stream().map(r -> r.has(SnapshotRow.NULL_KEY) ? "null" : r.key).toList());
            assertThat(out.subList(out.size() - 31, out.size())).allMatch(r -> r.has(SnapshotRow.NULL_KEY));
            assertThat(files()).as("run files after the merge, budget %s", budget).isEmpty();
            if (budget != Long.MAX_VALUE) {
                assertThat(s.spilledBytes()).isPositive();
                assertThat(s.peakDiskBytes()).isPositive().isLessThanOrEqualTo(s.spilledBytes());
            }
        }
    }

    @Test
    void duplicateKeysInDifferentRunsComeOutAdjacent() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(0)));
        ExternalRowSorter s = sorter(schema, 100 * 3);
        // 5, 1, 9 | 5, 2, 9 | 7, 5 (held): three copies of 5 in three places
        for (long k : new long[] {5, 1, 9, 5, 2, 9, 7, 5}) {
            CanonicalRowWriter w = new CanonicalRowWriter();
            w.writeInteger(k);
            s.add(new SnapshotRow(Keys.fromBytes(w.toByteArray()), k, 0, new byte[] {(byte) k}));
        }
        assertThat(s.runs()).isEqualTo(2);
        assertThat(drain(s.sorted()).stream().map(r -> r.hashHi).toList()).containsExactly(1L, 2L, 5L, 5L, 5L, 7L, 9L, 9L);
    }

    @Test
    void anErrorRowAndEveryFieldSurviveARunFile() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(0)));
        ExternalRowSorter s = sorter(schema, 0);
        SnapshotRow error = SnapshotRow.error("bad value in file x");
        CanonicalRowWriter w = new CanonicalRowWriter();
        w.writeInteger(1);
        SnapshotRow row = new SnapshotRow(Keys.fromBytes(w.toByteArray()), -7, Long.MAX_VALUE, new byte[] {0, (byte) 0xff});
        row.flags = SnapshotRow.NUL_FIXED;
        SnapshotRow noRow = new SnapshotRow(Keys.fromBytes(w.toByteArray()), 3, 4, null);
        s.add(row);
        s.add(error);
        s.add(noRow);
        assertThat(s.runs()).isEqualTo(2);
        List<SnapshotRow> out = drain(s.sorted());
        assertThat(out.stream().map(ExternalRowSorterTest::show).toList())
                .containsExactlyInAnyOrder(show(row), show(error), show(noRow));
        SnapshotRow e = out.stream().filter(r -> r.has(SnapshotRow.ERROR)).findFirst().orElseThrow();
        assertThat(new String(e.row, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("bad value in file x");
    }

    @Test
    void aBucketThatFitsWritesNoFile() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(2)));
        ExternalRowSorter s = sorter(schema, 100 * 3000);
        for (SnapshotRow r : rows(List.of(TYPES.get(2)), 3000, 1)) {
            s.add(r);
        }
        assertThat(s.runs()).isZero();
        assertThat(files()).isEmpty();
        assertThat(drain(s.sorted())).hasSize(3000);
        assertThat(s.spilledBytes()).isZero();
    }

    @Test
    void closingMidMergeDeletesTheRuns() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(0)));
        ExternalRowSorter s = sorter(schema, 100 * 100);
        for (SnapshotRow r : rows(List.of(TYPES.get(0)), 1000, 2)) {
            s.add(r);
        }
        assertThat(files()).hasSize(9);
        Iterator<SnapshotRow> it = s.sorted();
        it.next();
        s.close();
        assertThat(files()).isEmpty();
    }

    @Test
    void aFailingWriteLeavesNoFile() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(0)));
        int[] opened = {0};
        ExternalRowSorter s = new ExternalRowSorter(ExternalRowSorter.byKey(new KeyOrder(schema)), 100 * 100, r -> 100, dir, "t-0",
                file -> {
                    OutputStream out = Files.newOutputStream(file);
                    if (++opened[0] < 3) {
                        return out;
                    }
                    return new FilterOutputStream(out) {
                        private int written;

                        @Override
                        public void write(int b) throws IOException {
                            if (++written > 100) {
                                throw new IOException("disk full");
                            }
                            super.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            for (int i = 0; i < len; i++) {
                                write(b[off + i]);
                            }
                        }
                    };
                });
        List<SnapshotRow> input = rows(List.of(TYPES.get(0)), 1000, 3);
        assertThatThrownBy(() -> {
            for (SnapshotRow r : input) {
                s.add(r);
            }
        }).hasMessageContaining("disk full");
        assertThat(opened[0]).isEqualTo(3);
        assertThat(files()).as("the two written runs and the failed one").isEmpty();
    }

    @Test
    void aTruncatedRunFailsTheMergeAndLeavesNoFile() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(0)));
        ExternalRowSorter s = sorter(schema, 100 * 100);
        for (SnapshotRow r : rows(List.of(TYPES.get(0)), 1000, 4)) {
            s.add(r);
        }
        Path run = files().get(0);
        byte[] bytes = Files.readAllBytes(run);
        Files.write(run, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> drain(s.sorted())).hasMessageContaining("sort run");
        assertThat(files()).isEmpty();
    }

    @Test
    void twoSortersInOneDirectoryDoNotCollide() throws IOException {
        TableSchema schema = schema(List.of(TYPES.get(0)));
        ExternalRowSorter a = sorter(schema, 100 * 10);
        ExternalRowSorter b = sorter(schema, 100 * 10);
        List<SnapshotRow> ra = rows(List.of(TYPES.get(0)), 200, 5);
        List<SnapshotRow> rb = rows(List.of(TYPES.get(0)), 200, 6);
        for (int i = 0; i < 200; i++) {
            a.add(ra.get(i));
            b.add(rb.get(i));
        }
        assertThat(files()).hasSize(a.runs() + b.runs());
        assertThat(drain(a.sorted()).stream().map(ExternalRowSorterTest::show).sorted().toList())
                .isEqualTo(ra.stream().map(ExternalRowSorterTest::show).sorted().toList());
        assertThat(files()).hasSize(b.runs());
        assertThat(drain(b.sorted()).stream().map(ExternalRowSorterTest::show).sorted().toList())
                .isEqualTo(rb.stream().map(ExternalRowSorterTest::show).sorted().toList());
        assertThat(files()).isEmpty();
    }
}
