package io.snapsync.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.row.KeyOrder;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitPlannerTest {
    private final TableSchema schema = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
    private final TableName table = new TableName("public", "t");

    /** Evaluates the range predicate for one value the way the SQL does. */
    private static boolean matches(Serializable[] p, Long v) {
        if (v == null) {
            return (Boolean) p[4];
        }
        return ((Boolean) p[0] || v >= (Long) p[1]) && ((Boolean) p[2] || v < (Long) p[3]);
    }

    @Test
    void rangeSplitsCoverEveryValueExactlyOnceIncludingOutliersAndNull() {
        SourceQuery q = SplitPlanner.byRange(schema, table, "id", -5, 1_000, 7);
        assertThat(q.splitCount()).isEqualTo(7);
        for (Long v : new Long[] {Long.MIN_VALUE, -6L, -5L, 0L, 143L, 999L, 1_000L, 1_001L, Long.MAX_VALUE, null}) {
            long hits = java.util.Arrays.stream(q.splits()).filter(p -> matches(p, v)).count();
            assertThat(hits).as("value %s", v).isEqualTo(1);
        }
        assertThat(q.sql()).startsWith("SELECT \"id\", \"v\" FROM \"public\".\"t\" WHERE");
    }

    @Test
    void fewerSplitsThanDistinctValues() {
        assertThat(SplitPlanner.byRange(schema, table, "id", 5, 6, 8).splitCount()).isEqualTo(2);
        assertThat(SplitPlanner.byRange(schema, table, "id", Long.MIN_VALUE, Long.MAX_VALUE, 4).splitCount()).isEqualTo(4);
    }

    @Test
    void hashSplitsPerDialect() {
        SourceQuery pg = SplitPlanner.byHash(schema, table, new SourceDialect.Postgres(), 3);
        assertThat(pg.sql()).contains("hashtext(ROW(\"id\")::text)");
        assertThat(pg.splits()).hasDimensions(3, 2);
        SourceQuery rs = SplitPlanner.byHash(new TableSchema(schema.columns(), List.of("id", "v")), table, new SourceDialect.Redshift(), 2);
        assertThat(rs.sql()).contains("FNV_HASH(\"v\", FNV_HASH(\"id\"))");
    }

    private static Column col(String name, ColumnType type, int precision, int scale) {
        return new Column(name, type, type.name().toLowerCase(), type == ColumnType.INTEGER ? 8 : 0, precision, scale, true);
    }

    /**
     * Plans splits at {@code bounds} and checks that every probe value (and NULL) falls in exactly one split, as
     * row.KeyOrder places it (the SQL is asked to compare the same way; RangeSplitCoverageTest runs it on PostgreSQL).
     */
    private void assertCoverExactlyOnce(Column c, List<Serializable> bounds, List<? extends Serializable> probes) {
        TableSchema s = new TableSchema(List.of(c), List.of(c.name()));
        SourceQuery q = SplitPlanner.byBounds(s, table, new SourceDialect.Postgres(), c, bounds);
        assertThat(q.splitCount()).isEqualTo(bounds.size() + 1);
        KeyOrder first = KeyOrder.ofFirstColumn(s);
        for (int i = 1; i < bounds.size(); i++) {
            assertThat(first.compare(SplitRange.canonical(bounds.get(i - 1)), SplitRange.canonical(bounds.get(i))))
                    .as("bounds ascend strictly: %s", bounds).isNegative();
        }
        for (Serializable v : probes) {
            String key = SplitRange.canonical(v);
            long hits = q.splits() == null ? 1 : Arrays.stream(q.splits()).filter(p -> SplitRange.of(p).bounds(first).contains(key)).count();
            assertThat(hits).as("value %s in %s", v, bounds).isEqualTo(1);
        }
        if (q.splits() != null) {
            assertThat(Arrays.stream(q.splits()).filter(p -> (Boolean) p[4]).count()).as("NULL").isEqualTo(1);
            // every split binds a value of the column's type at both places, even at an open end
            assertThat(Arrays.asList(q.splits())).allSatisfy(p -> assertThat(p[1]).isNotNull().isInstanceOf(bounds.get(0).getClass()));
            assertThat(Arrays.asList(q.splits())).allSatisfy(p -> assertThat(p[3]).isNotNull().isInstanceOf(bounds.get(0).getClass()));
        }
    }

    @Test
    void integerBoundsAreTheRangeSplitsOfBefore() {
        Column c = col("id", ColumnType.INTEGER, 0, 0);
        List<Serializable> b = SplitPlanner.bounds(c, -5L, 1_000L, 7);
        assertThat(b).hasSize(6);
        assertCoverExactlyOnce(c, b, List.of(Long.MIN_VALUE, -6L, -5L, 0L, 143L, 999L, 1_000L, 1_001L, Long.MAX_VALUE));
        assertThat(SplitPlanner.bounds(c, Long.MIN_VALUE, Long.MAX_VALUE, 4)).hasSize(3);
        assertThat(SplitPlanner.bounds(c, 7L, 7L, 4)).as("one value").isEmpty();
        assertThat(SplitPlanner.bounds(c, null, null, 4)).as("no rows, or all NULL").isEmpty();
        assertThat(SplitPlanner.bounds(c, 5L, 6L, 8)).containsExactly(6L);
        assertThat(SplitPlanner.byBounds(new TableSchema(List.of(c), List.of("id")), table, new SourceDialect.Postgres(), c, List.of()).splitCount())
                .isEqualTo(1);
    }

    @Test
    void dateBoundsInterpolateDaysIncludingBcAndLeaveInfinityToTheOpenEnds() {
        Column c = col("d", ColumnType.DATE, 0, 0);
        LocalDate min = LocalDate.of(-4712, 1, 1); // 4713 BC
        LocalDate max = LocalDate.of(2024, 2, 29);
        List<Serializable> b = SplitPlanner.bounds(c, min, max, 5);
        assertThat(b).hasSize(4).allSatisfy(x -> assertThat((LocalDate) x).isAfter(min).isBeforeOrEqualTo(max));
        assertThat((LocalDate) b.get(0)).as("BC").isBefore(LocalDate.of(0, 1, 1));
        assertCoverExactlyOnce(c, b, List.of(LocalDate.MIN, min, LocalDate.of(-43, 3, 15), LocalDate.of(0, 12, 31), LocalDate.of(1, 1, 1),
                LocalDate.of(1970, 1, 1), max, LocalDate.MAX, (Serializable) b.get(2)));
        assertThat(SplitPlanner.bounds(c, max, max, 5)).isEmpty();
        assertThat(SplitPlanner.bounds(c, max, max.plusDays(1), 5)).containsExactly(max.plusDays(1));
    }

    @Test
    void timestampAndTimestamptzBoundsInterpolateMicroseconds() {
        Column ts = col("ts", ColumnType.TIMESTAMP, 0, 0);
        LocalDateTime lo = LocalDateTime.of(-1, 6, 1, 0, 0);
        LocalDateTime hi = LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000);
        List<Serializable> b = SplitPlanner.bounds(ts, lo, hi, 8);
        assertThat(b).hasSize(7);
        assertCoverExactlyOnce(ts, b, List.of(LocalDateTime.MIN, lo, LocalDateTime.of(2000, 1, 1, 0, 0), hi, LocalDateTime.MAX));

        Column tz = col("tz", ColumnType.TIMESTAMPTZ, 0, 0);
        OffsetDateTime a = OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(5));
        OffsetDateTime z = OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 4_000, ZoneOffset.UTC);
        List<Serializable> tb = SplitPlanner.bounds(tz, a, z, 4);
        assertThat(tb).hasSize(3).allSatisfy(x -> assertThat(((OffsetDateTime) x).getOffset()).isEqualTo(ZoneOffset.UTC));
        assertCoverExactlyOnce(tz, tb, List.of(OffsetDateTime.MIN, a, a.withOffsetSameInstant(ZoneOffset.ofHours(-3)), z, z.plusNanos(1000),
                OffsetDateTime.MAX));
        // microseconds apart: as many splits as there are microseconds
        assertThat(SplitPlanner.bounds(tz, z, z.plusNanos(2_000), 8)).hasSize(2);
    }

    @Test
    void timeBoundsStopShortOfMidnightAtTheEnd() {
        Column c = col("t", ColumnType.TIME, 0, 0);
        List<Serializable> b = SplitPlanner.bounds(c, LocalTime.MIDNIGHT, LocalTime.MAX, 4); // LocalTime.MAX: 24:00:00 as pgjdbc reads it
        assertThat(b).hasSize(3);
        assertCoverExactlyOnce(c, b, List.of(LocalTime.MIDNIGHT, LocalTime.NOON, LocalTime.of(23, 59, 59, 999_999_000), LocalTime.MAX));
        // two values a microsecond apart below 24:00: the bound would be 24:00, which binds as no LocalTime: left out
        assertThat(SplitPlanner.bounds(c, LocalTime.of(23, 59, 59, 999_999_000), LocalTime.MAX, 4)).isEmpty();
    }

    @Test
    void decimalBoundsAtAScaleTheColumnHoldsWithNegativeNumbers() {
        Column c = col("n", ColumnType.DECIMAL, 12, 2);
        List<Serializable> b = SplitPlanner.bounds(c, new BigDecimal("-1000.5"), new BigDecimal("-999"), 4);
        assertThat(b).hasSize(3).allSatisfy(x -> assertThat(((BigDecimal) x).scale()).isLessThanOrEqualTo(2));
        assertCoverExactlyOnce(c, b, List.of(new BigDecimal("-1E+10"), new BigDecimal("-1000.50"), new BigDecimal("-1000.01"),
                new BigDecimal("-999.5"), new BigDecimal("-999.00"), BigDecimal.ZERO, new BigDecimal("1E+10")));
        // 1 and 2 with scale 2 declared: decimals are taken (one digit is enough for 4 splits)
        assertThat(SplitPlanner.bounds(c, BigDecimal.ONE, new BigDecimal(2), 4)).containsExactly(
                new BigDecimal("1.2"), new BigDecimal("1.5"), new BigDecimal("1.8"));
        // numeric(20,0): no digits after the point, fewer bounds
        assertThat(SplitPlanner.bounds(col("n", ColumnType.DECIMAL, 20, 0), BigDecimal.ONE, new BigDecimal(3), 8))
                .containsExactly(new BigDecimal(2), new BigDecimal(3));
        assertThat(SplitPlanner.bounds(c, new BigDecimal("1.5"), new BigDecimal("1.50"), 4)).as("min == max").isEmpty();
        // unconstrained numeric: a few more digits than the values have
        assertThat(SplitPlanner.bounds(col("n", ColumnType.DECIMAL, 0, 0), new BigDecimal("0.1"), new BigDecimal("0.2"), 4)).hasSize(3);
    }

    @Test
    void textBoundsAreValidStringsAscendingInByteOrder() {
        Column c = col("k", ColumnType.TEXT, 0, 0);
        List<Serializable> b = SplitPlanner.bounds(c, "ORD-000001", "ORD-999999", 8);
        assertThat(b).hasSize(7).allSatisfy(x -> assertThat((String) x).startsWith("ORD-"));
        List<String> probes = List.of("", "A", "B", "O", "ORD-", "ORD-000001", "ORD-5", "ORD-500000", "ORD-999999", "ORD-999999x", "Z", "a", "é",
                "日本", "😀", "\uFFFF", "ORD-\u0001");
        assertCoverExactlyOnce(c, b, probes);
        // from the empty string to non-ASCII: digits in the surrogate range are raised, NUL never appears
        List<Serializable> wide = SplitPlanner.bounds(c, "", "\uD83D\uDE00", 16); // "" to U+1F600
        assertThat(wide).isNotEmpty().allSatisfy(x -> {
            String s = (String) x;
            assertThat(s).doesNotContain("\u0000");
            assertThat(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(s); // no lone surrogate
        });
        assertCoverExactlyOnce(c, wide, probes);
        assertThat(SplitPlanner.bounds(c, "same", "same", 4)).isEmpty();
        // nothing valid lies between them: bounds above max are still sound (the last split is open above)
        assertCoverExactlyOnce(c, SplitPlanner.bounds(c, "a", "a\u0001", 4), List.of("a", "a\u0001", "a\u0001\u0001", "b"));
        // byte order, not the database's collation: 'B' < 'a' < 'é'
        assertCoverExactlyOnce(c, SplitPlanner.bounds(c, "B", "é", 4), probes);
        assertThat(SplitPlanner.compareUtf8("\uFFFF", "😀")).as("UTF-8 order, not UTF-16").isNegative();
    }

    /**
     * Bytes bounds: non-empty, strictly ascending unsigned (0x80 and 0xff above 0x7f, not below 0 as Java's signed
     * bytes), a prefix below its extensions, and every probe (the empty string, 0x00, 0xff.., prefixes, the extremes) in
     * exactly one split as row.KeyOrder compares bytes.
     */
    @Test
    void bytesBoundsAscendUnsignedWithPrefixesFirst() {
        Column c = col("h", ColumnType.BYTES, 0, 0);
        List<Serializable> probes = new ArrayList<>();
        for (String hex : List.of("", "00", "0000", "000000000000", "01", "7f", "7fff", "80", "8000", "ab", "abcd", "abcdef", "abce", "fe",
                "ff", "ffff", "ffffffffffff", "ff00")) {
            probes.add(HexFormat.of().parseHex(hex));
        }
        for (String[] ends : new String[][] {{"", "ffffffff"}, {"00", "ff"}, {"abcd", "abce"}, {"ab", "abff00"}, {"7f", "80"},
                {"", "00"}, {"ff", "ffff"}, {"0001", "fffe"}}) {
            byte[] lo = HexFormat.of().parseHex(ends[0]);
            byte[] hi = HexFormat.of().parseHex(ends[1]);
            List<Serializable> b = SplitPlanner.bounds(c, lo, hi, 9);
            assertThat(b).as("%s..%s", ends[0], ends[1]).isNotEmpty().allSatisfy(x -> assertThat((byte[]) x).isNotEmpty());
            for (int i = 1; i < b.size(); i++) {
                assertThat(Arrays.compareUnsigned((byte[]) b.get(i - 1), (byte[]) b.get(i))).as("unsigned ascending").isNegative();
            }
            assertCoverExactlyOnce(c, b, probes);
            List<Serializable> withEnds = new ArrayList<>(probes);
            withEnds.add(lo);
            withEnds.add(hi);
            assertCoverExactlyOnce(c, b, withEnds);
        }
        // the bounds lie between the extremes after their common prefix, spread over the bytes that differ
        List<Serializable> spread = SplitPlanner.bounds(c, HexFormat.of().parseHex("ab00"), HexFormat.of().parseHex("abff"), 4);
        assertThat(spread.stream().map(x -> HexFormat.of().formatHex((byte[]) x))).containsExactly("ab3fc00000", "ab7f800000", "abbf400000");
        assertThat(SplitPlanner.bounds(c, new byte[] {1, 2}, new byte[] {1, 2}, 4)).as("min == max").isEmpty();
        // a range's bounds compare, hash and print by content
        SplitRange r = new SplitRange(false, new byte[] {0, (byte) 0xff}, true, null);
        assertThat(r).isEqualTo(new SplitRange(false, new byte[] {0, (byte) 0xff}, true, null)).hasSameHashCodeAs(
                new SplitRange(false, new byte[] {0, (byte) 0xff}, true, null));
        assertThat(r).isNotEqualTo(new SplitRange(false, new byte[] {0, (byte) 0xfe}, true, null));
        assertThat(r.toString()).isEqualTo("[\\x00ff, +inf)");
        assertThat(SplitRange.ofMarker(SplitRange.marker(r))).isEqualTo(r);
    }

    @Test
    void theRangePredicateComparesTextByBytesPerDialectAndQuotesTheColumn() {
        Column t = col("we\"ird", ColumnType.TEXT, 0, 0);
        assertThat(SplitPlanner.rangePredicate(new SourceDialect.Postgres(), t))
                .contains("\"we\"\"ird\"::text COLLATE \"C\" >= ?").contains("\"we\"\"ird\"::text COLLATE \"C\" < ?").contains("\"we\"\"ird\" IS NULL");
        assertThat(SplitPlanner.rangePredicate(new SourceDialect.Redshift(), t)).contains("COLLATE(\"we\"\"ird\", 'case_sensitive') >= ?");
        assertThat(SplitPlanner.rangePredicate(new SourceDialect.Postgres(), col("d", ColumnType.DATE, 0, 0))).contains("\"d\" >= ?")
                .doesNotContain("COLLATE");
        // char(n) keeps its blanks (as text it would lose them); uuid and citext are compared as their text
        Column ch = new Column("c", ColumnType.TEXT, "char(8)", 0, 0, 0, false);
        assertThat(new SourceDialect.Postgres().orderBy(List.of(ch, new Column("u", ColumnType.TEXT, "uuid", 0, 0, 0, false))))
                .isEqualTo("\"c\" COLLATE \"C\" ASC NULLS LAST, \"u\"::text COLLATE \"C\" ASC NULLS LAST");
    }

    /**
     * A boolean or json first key column (or a bytes one on Redshift): no range bounds, one split, since every key column
     * is ordered (the ordered diff).
     */
    @Test
    void aBooleanJsonOrBytesFirstColumnIsOneSplit() {
        assertThat(SplitPlanner.rangeable(ColumnType.BOOLEAN)).isFalse();
        assertThat(SplitPlanner.rangeable(ColumnType.BYTES, new SourceDialect.Postgres())).isTrue();
        assertThat(SplitPlanner.rangeable(ColumnType.BYTES, new SourceDialect.Redshift())).isFalse();
        assertThat(SplitPlanner.rangeable(ColumnType.INTEGER)).isTrue();
        Column b = new Column("b", ColumnType.BOOLEAN, "boolean", 0, 0, 0, false);
        Column bytes = new Column("h", ColumnType.BYTES, "bytea", 0, 0, 0, false);
        Column f = new Column("f", ColumnType.JSON, "jsonb", 0, 0, 0, false);
        for (TableSchema s : List.of(new TableSchema(List.of(b, schema.columns().get(0)), List.of("b", "id")),
                new TableSchema(List.of(bytes, b), List.of("h", "b")))) {
            SourceQuery q = SplitPlanner.unsplit(s, table, new SourceDialect.Postgres(), 4);
            assertThat(q.splitCount()).as("%s", s.keyColumns()).isEqualTo(1);
            assertThat(q.ranged()).isTrue();
        }
        // json is ordered by its text but never ranged: a json first column is one split, and a json column after a
        // bytes one rides that key's one split too (no key type is hashed any more)
        assertThat(SplitPlanner.rangeable(ColumnType.JSON, new SourceDialect.Postgres())).isFalse();
        for (TableSchema s : List.of(new TableSchema(List.of(bytes, f), List.of("h", "f")), new TableSchema(List.of(f, b), List.of("f", "b")))) {
            SourceQuery q = SplitPlanner.unsplit(s, table, new SourceDialect.Postgres(), 4);
            assertThat(q.splitCount()).as("%s", s.keyColumns()).isEqualTo(1);
            assertThat(q.ranged()).isTrue();
        }
    }

    /**
     * JSON key columns are ordered by their text as the canonical row holds it: on PostgreSQL {@code ::text} under "C"
     * (the output function's bytes, what getString returns); on Redshift the SUPER value serialized, under
     * 'case_sensitive', NULL kept NULL (JSON_SERIALIZE(NULL) is the string 'null').
     */
    @Test
    void jsonKeysAreOrderedByTheirText() {
        Column id = schema.columns().get(0);
        Column f = new Column("f", ColumnType.JSON, "jsonb", 0, 0, 0, false);
        assertThat(new SourceDialect.Postgres().orderBy(List.of(id, f)))
                .isEqualTo("\"" + id.name() + "\" ASC NULLS LAST, \"f\"::text COLLATE \"C\" ASC NULLS LAST");
        assertThat(new SourceDialect.Redshift().orderBy(List.of(f)))
                .isEqualTo("COLLATE(CASE WHEN \"f\" IS NULL THEN NULL ELSE JSON_SERIALIZE(\"f\") END, 'case_sensitive') ASC NULLS LAST");
    }

    /**
     * Float first key columns: range splits on PostgreSQL (NaN compares >= every number there, so the last split takes
     * it), one split on Redshift (how NaN compares is undocumented); timetz: one split. Float bounds are finite, strictly
     * ascending, 0.0 rather than -0.0, and do not overflow across the whole double range.
     */
    @Test
    void floatsAreRangedOnPostgresOnlyWithFiniteAscendingBounds() {
        assertThat(SplitPlanner.rangeable(ColumnType.FLOAT, new SourceDialect.Postgres())).isTrue();
        assertThat(SplitPlanner.rangeable(ColumnType.FLOAT, new SourceDialect.Redshift())).isFalse();
        assertThat(SplitPlanner.rangeable(ColumnType.INTEGER, new SourceDialect.Redshift())).isTrue();
        assertThat(SplitPlanner.rangeable(ColumnType.TIMETZ)).isFalse();
        Column f = new Column("f", ColumnType.FLOAT, "double precision", 8, 0, 0, false);
        assertThat(SplitPlanner.bounds(f, -1.0, 1.0, 2)).containsExactly(0.0);
        assertThat(Double.doubleToRawLongBits((Double) SplitPlanner.bounds(f, -1.0, 1.0, 2).get(0))).as("not -0.0").isZero();
        for (double[] range : new double[][] {{-Double.MAX_VALUE, Double.MAX_VALUE}, {Double.MIN_VALUE, 4 * Double.MIN_VALUE}, {-3.5, 1e300}}) {
            List<java.io.Serializable> b = SplitPlanner.bounds(f, range[0], range[1], 8);
            assertThat(b).as("%s", java.util.Arrays.toString(range)).isNotEmpty();
            double prev = range[0];
            for (java.io.Serializable x : b) {
                assertThat((Double) x).as("%s", b).isGreaterThan(prev).isLessThanOrEqualTo(range[1]);
                prev = (Double) x;
            }
        }
        assertThat(SplitPlanner.bounds(f, -Double.MAX_VALUE, Double.MAX_VALUE, 8)).as("no overflow to infinity").hasSize(7);
        assertThat(SplitPlanner.bounds(f, 2.0, 2.0, 8)).isEmpty();
    }

    @Test
    void aMarkerCarriesItsTypedRange() {
        SplitRange r = new SplitRange(false, "ab", false, "é");
        SplitRange back = SplitRange.ofMarker(SplitRange.marker(r));
        assertThat(back).isEqualTo(r);
        assertThat(SplitRange.ofMarker(SplitRange.marker(SplitRange.ALL))).isEqualTo(SplitRange.ALL);
    }
}
