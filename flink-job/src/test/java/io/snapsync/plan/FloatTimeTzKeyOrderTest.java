package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitRange;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyOrder} on float (double precision and real) and timetz keys against PostgreSQL itself: edge and random
 * values inserted, each row's rank under PostgreSQL's {@code ORDER BY k} ({@code dense_rank}, so values PostgreSQL
 * holds equal, -0 and 0 or two NaNs, share one) stored beside it, the rows read back through the snapshot reader's
 * own encoder into canonical keys, and for every pair of rows the comparator's sign must be the ranks', and the keys'
 * bytes equal exactly when the ranks are. Then the range
 * splits on a float first column as planned from the table: every row (NaN, infinities, NULL) comes back exactly once,
 * in the split whose range holds it, and the ordered read ascends.
 */
class FloatTimeTzKeyOrderTest {
    private static EmbeddedPostgres pg;
    private static JdbcEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        pg.createDatabase("keys");
        endpoint = new JdbcEndpoint(pg.getJdbcUrl("keys"), EmbeddedPostgres.USER, null, Map.of());
        SplittableRandom rnd = new SplittableRandom(20261207);
        try (Connection c = pg.getConnection("keys"); Statement s = c.createStatement()) {
            for (String t : List.of("k_float8", "k_float4")) {
                s.execute("CREATE TABLE " + t + " (k " + (t.equals("k_float8") ? "double precision" : "real") + ", r bigint)");
                // edges: -0 and 0, NaNs, infinities, the smallest subnormals, MIN_NORMAL, MAX of either width, 2^24 + 1, 2^53 + 1
                s.execute("INSERT INTO " + t + " (k) SELECT x::" + (t.equals("k_float8") ? "float8" : "float4") + " FROM unnest(ARRAY["
                        + "'-0', '0', '-0', 'NaN', 'nan', 'Infinity', '-Infinity', 'Infinity', '1', '-1', '0.1', '-0.1', "
                        + "'1.4e-45', '-1.4e-45', '3.4028235e38', '-3.4028235e38', '1.17549435e-38', '16777217'"
                        + (t.equals("k_float8") ? ", '1e-300', '-1e-300', '4.9e-324', '-4.9e-324', '2.2250738585072014e-308', "
                                + "'1.7976931348623157e308', '-1.7976931348623157e308', '9007199254740993'" : "") + "]) x");
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + t + " (k) VALUES (?)")) {
                    for (int i = 0; i < 300; i++) {
                        double d = switch (i % 4) {
                            case 0 -> Double.longBitsToDouble(rnd.nextLong()); // any bits: subnormals, huge, NaN payloads
                            case 1 -> Float.intBitsToFloat(rnd.nextInt()); // a float4 value widened
                            case 2 -> (rnd.nextInt(2001) - 1000) / 8.0; // small values with repeats
                            default -> rnd.nextDouble(-1e6, 1e6);
                        };
                        if (t.equals("k_float4")) {
                            ins.setFloat(1, (float) d);
                        } else {
                            ins.setDouble(1, d);
                        }
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
                s.execute("INSERT INTO " + t + " (k) VALUES (NULL), (NULL)");
            }
            s.execute("CREATE TABLE k_timetz (k timetz, r bigint)");
            s.execute("INSERT INTO k_timetz (k) SELECT x::timetz FROM unnest(ARRAY["
                    + "'00:00:00+00', '00:00:00+01', '01:00:00+01', '23:00:00-01', '00:00:00-00', '24:00:00+00', '24:00:00+15:59', "
                    + "'24:00:00-15:59', '00:00:00+15:59', '00:00:00-15:59', '23:59:59.999999+15:59', '23:59:59.999999-15:59', "
                    + "'12:00:00+05:30', '06:30:00+00', '12:00:00+05:30:15', '06:29:45+00', '12:00:00-00:00:01', '00:00:00.000001+00', "
                    + "'12:00:00+00', '11:00:00-01', '13:00:00+01', '12:00:00+00', '04:01:00+15:59', '20:01:00-00:00']) x");
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO k_timetz (k) VALUES (?::timetz)")) {
                for (int i = 0; i < 300; i++) {
                    long micros = i % 3 == 0 ? rnd.nextLong(0, 86_400_000_001L) : rnd.nextLong(0, 24 * 4) * 15 * 60_000_000L;
                    int offset = i % 3 == 2 ? rnd.nextInt(-57599, 57600) : (rnd.nextInt(-15, 16) * 3600 + rnd.nextInt(0, 4) * 15 * 60);
                    offset = Math.max(-57599, Math.min(57599, offset));
                    ins.setString(1, io.snapsync.row.Temporal.timeTzText(micros, offset));
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            s.execute("INSERT INTO k_timetz (k) VALUES (NULL)");
            for (String t : List.of("k_float8", "k_float4", "k_timetz")) {
                s.execute("UPDATE " + t + " SET r = d.r FROM (SELECT ctid AS id, dense_rank() OVER (ORDER BY k) AS r FROM " + t + ") d WHERE "
                        + t + ".ctid = d.id");
            }
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Canonical key and PostgreSQL's rank of each non-NULL row, read through the snapshot reader's encoder. */
    private static List<Object[]> keysAndRanks(TableSchema schema, TableName table) {
        List<Object[]> out = new ArrayList<>();
        CanonicalRowReader reader = new CanonicalRowReader();
        for (SnapshotRow r : SourceRows.withKeys(endpoint, schema, table)) {
            reader.reset(r.row);
            reader.next();
            reader.skip();
            reader.next();
            out.add(new Object[] {r.key, reader.readLong()});
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"k_float8", "k_float4", "k_timetz"})
    void keyOrderAgreesWithPostgresOnEveryPair(String name) throws Exception {
        TableName table = new TableName("public", name);
        try (Connection c = pg.getConnection("keys")) {
            TableSchema schema = TablePlanner.readSourceSchema(c, table, List.of("k"));
            assertThat(KeyOrder.supports(schema)).isTrue();
            KeyOrder order = new KeyOrder(schema);
            List<Object[]> rows = keysAndRanks(schema, table);
            assertThat(rows.size()).isGreaterThan(300);
            long distinctRanks = rows.stream().map(r -> r[1]).distinct().count();
            assertThat(distinctRanks).as("ties among the values (-0 = 0, NaN = NaN, repeats)").isLessThan(rows.size());
            for (Object[] a : rows) {
                for (Object[] b : rows) {
                    int expected = Long.compare((Long) a[1], (Long) b[1]);
                    int got = order.compare((String) a[0], (String) b[0]);
                    // equal under PostgreSQL iff equal canonical bytes: the encoding's -0 and NaN normalisation, which makes
                    // the key unique as the database's is (the merge finds equal keys by their bytes)
                    if (got != expected || a[0].equals(b[0]) != (expected == 0)) {
                        throw new AssertionError(name + ": KeyOrder says " + got + " (bytes equal: " + a[0].equals(b[0]) + "), PostgreSQL's ORDER BY "
                                + expected + " for "
                                + text(c, name, (Long) a[1]) + " vs " + text(c, name, (Long) b[1]));
                    }
                }
            }
        }
    }

    private static String text(Connection c, String table, long rank) throws Exception {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT string_agg(DISTINCT k::text, ', ') FROM " + table + " WHERE r = " + rank)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Range splits on a float first column, planned from the table's own finite min and max: more than three splits,
     * every row once (NaN and Infinity in the last, -Infinity and NULL in the first), each in the split whose range
     * holds it under {@link KeyOrder}, and the ordered read (the dialect's ORDER BY, split after split) never descends.
     * A timetz first column is one split.
     */
    @ParameterizedTest
    @ValueSource(strings = {"k_float8", "k_float4", "k_timetz"})
    void rangeSplitsTakeEveryRowOnceInKeyOrder(String name) throws Exception {
        TableName table = new TableName("public", name);
        try (Connection c = pg.getConnection("keys")) {
            TableSchema schema = TablePlanner.readSourceSchema(c, table, List.of("k"));
            SourceQuery q = TablePlanner.planSplits(c, schema, table, 6);
            assertThat(q.ranged()).isTrue();
            if (name.equals("k_timetz")) {
                assertThat(q.splitCount()).as("timetz: one split, %s", q).isEqualTo(1);
            } else {
                assertThat(q.splitCount()).as("%s", q).isGreaterThan(3);
                assertThat(q.rangeColumn()).isEqualTo("k");
            }
            SourceQuery ordered = q.orderedBy(new SourceDialect.Postgres().orderBy(schema.keyColumnList()));
            KeyOrder first = KeyOrder.ofFirstColumn(schema);
            List<String> got = new ArrayList<>();
            List<Integer> nullSplits = new ArrayList<>();
            List<Integer> nanSplits = new ArrayList<>();
            String nan = SplitRange.canonical(Double.NaN);
            for (int i = 0; i < ordered.splitCount(); i++) {
                Serializable[] params = ordered.splits() == null ? new Serializable[0] : ordered.splits()[i];
                SplitRange.Bounds bounds = ordered.range(i).bounds(first);
                try (JdbcSnapshotSource.RowIterator it = JdbcSnapshotSource.rows(endpoint, ordered.sql(), schema, 7, EncoderOptions.strict("t"), params)) {
                    while (it.hasNext()) {
                        SnapshotRow r = it.next();
                        assertThat(r.has(SnapshotRow.ERROR)).as("read error").isFalse();
                        if (r.has(SnapshotRow.NULL_KEY)) {
                            nullSplits.add(i);
                            continue;
                        }
                        assertThat(bounds.contains(r.key)).as("split %d %s holds the row it returned", i, ordered.range(i)).isTrue();
                        if (r.key.equals(nan)) {
                            nanSplits.add(i);
                        }
                        if (!got.isEmpty()) {
                            assertThat(first.compare(got.get(got.size() - 1), r.key)).as("row %d after row %d", got.size(), got.size() - 1)
                                    .isNotPositive();
                        }
                        got.add(r.key);
                    }
                }
            }
            List<String> all = keysAndRanks(schema, table).stream().map(r -> (String) r[0]).toList();
            assertThat(got).as("every non-NULL key once").containsExactlyInAnyOrderElementsOf(all);
            assertThat(nullSplits).as("NULL keys once each, in the first split").containsOnly(0)
                    .hasSize((int) count(c, "SELECT count(*) FROM " + name + " WHERE k IS NULL"));
            if (!name.equals("k_timetz")) {
                assertThat(nanSplits).as("NaN rows in the last split").hasSizeGreaterThanOrEqualTo(2).containsOnly(ordered.splitCount() - 1);
            }
        }
    }
}
