package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SourceQuery;
import io.snapsync.source.SplitPlanner;
import io.snapsync.source.SplitRange;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The range splits as PostgreSQL runs them, per first key type: planned from the table's own min and max (with
 * BC dates, +/-infinity, negative numbers, 24:00, NULLs, and text in a linguistic collation whose order is not
 * byte order), every split's query run through the source reader. Every row comes back exactly once, NULL first
 * keys included, and each in the split whose range holds it as snapsync compares keys ({@link KeyOrder}).
 */
class RangeSplitCoverageTest {
    private static EmbeddedPostgres pg;
    private static JdbcEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        pg.createDatabase("ranges");
        endpoint = new JdbcEndpoint(pg.getJdbcUrl("ranges"), EmbeddedPostgres.USER, null, Map.of());
        try (Connection c = pg.getConnection("ranges"); Statement s = c.createStatement()) {
            // deterministic ICU collation: 'a' < 'B' < 'é' < 'Z', unlike byte order 'B' < 'Z' < 'a' < 'é'
            s.execute("CREATE COLLATION en_icu (provider = icu, locale = 'en')");
            s.execute("CREATE TABLE k_text (k text COLLATE en_icu, v int)");
            s.execute("INSERT INTO k_text SELECT x, 1 FROM unnest(ARRAY['', ' ', 'a', 'B', 'Z', 'é', 'e', 'f', 'ä', 'Ä', '日本', '😀', 'ab', "
                    + "'A b', 'zz', 'ő', 'ÿ', E'\\uFFFF', 'k', 'k0']) x");
            s.execute("INSERT INTO k_text SELECT 'k' || i, 2 FROM generate_series(1, 300) i");
            s.execute("INSERT INTO k_text SELECT chr(160 + i * 37) || i, 3 FROM generate_series(1, 200) i");
            s.execute("INSERT INTO k_text VALUES (NULL, 4), (NULL, 5)");
            s.execute("CREATE TABLE k_date (k date, v int)");
            s.execute("INSERT INTO k_date SELECT DATE '2000-01-01' + i * 97, 1 FROM generate_series(-400, 400) i");
            s.execute("INSERT INTO k_date VALUES ('4713-01-01 BC', 2), ('0044-03-15 BC', 2), ('0001-12-31 BC', 2), ('0001-01-01', 2), "
                    + "('infinity', 3), ('-infinity', 3), (NULL, 4)");
            s.execute("CREATE TABLE k_tstz (k timestamptz, v int)");
            s.execute("INSERT INTO k_tstz SELECT TIMESTAMPTZ '2024-01-01 00:00:00+05' + i * INTERVAL '1 hour 1.000001 second', 1 "
                    + "FROM generate_series(-300, 300) i");
            s.execute("INSERT INTO k_tstz VALUES ('infinity', 3), ('-infinity', 3), ('0001-01-01 00:00:00+00 BC', 2), (NULL, 4)");
            s.execute("CREATE TABLE k_ts (k timestamp, v int)");
            s.execute("INSERT INTO k_ts SELECT TIMESTAMP '1999-12-31 23:59:59.999999' + i * INTERVAL '17 days 0.000003 second', 1 "
                    + "FROM generate_series(-300, 300) i");
            s.execute("INSERT INTO k_ts VALUES ('infinity', 3), (NULL, 4)");
            s.execute("CREATE TABLE k_time (k time, v int)");
            s.execute("INSERT INTO k_time SELECT TIME '00:00' + i * INTERVAL '1 minute 0.000001 second', 1 FROM generate_series(0, 1400) i");
            s.execute("INSERT INTO k_time VALUES ('24:00:00', 2), (NULL, 4)");
            s.execute("CREATE TABLE k_num (k numeric(12,2), v int)");
            s.execute("INSERT INTO k_num SELECT i * 0.37 - 50, 1 FROM generate_series(-300, 300) i");
            s.execute("INSERT INTO k_num VALUES (-9999999999.99, 2), (9999999999.99, 2), (0, 2), (NULL, 4)");
            s.execute("CREATE TABLE k_big (k bigint, v int)");
            s.execute("INSERT INTO k_big SELECT i * 1000003, 1 FROM generate_series(-300, 300) i");
            s.execute("INSERT INTO k_big VALUES (-9223372036854775808, 2), (9223372036854775807, 2), (NULL, 4)");
            s.execute("CREATE TABLE k_int (k integer, v int)");
            s.execute("INSERT INTO k_int SELECT i * 7, 1 FROM generate_series(-300, 300) i");
            s.execute("INSERT INTO k_int VALUES (NULL, 4)");
            s.execute("CREATE TABLE k_one (k text, v int)");
            s.execute("INSERT INTO k_one VALUES ('only', 1), (NULL, 4)");
            s.execute("CREATE TABLE k_nulls (k date, v int)");
            s.execute("INSERT INTO k_nulls VALUES (NULL, 4), (NULL, 4)");
            // bytea's edge values (empty, NUL bytes, a prefix, 0x7F against 0x80 and 0xFF) among hashes
            s.execute("CREATE TABLE k_bytea (k bytea PRIMARY KEY, v int)");
            s.execute("INSERT INTO k_bytea SELECT decode(x, 'hex'), 1 FROM unnest(ARRAY['', '00', '0000', '0001', '01', '7f', '7fffff', "
                    + "'80', 'feff', 'ff', 'ff00', 'ffff']) x");
            s.execute("INSERT INTO k_bytea SELECT decode(substr(md5(i::text), 1, 2 + i % 9 * 2), 'hex'), 2 FROM generate_series(1, 400) i "
                    + "ON CONFLICT DO NOTHING");
            s.execute("CREATE TABLE k_bool_int (k boolean, k2 int, v int, PRIMARY KEY (k, k2))");
            s.execute("INSERT INTO k_bool_int SELECT i % 3 = 0, i, 1 FROM generate_series(-200, 200) i");
            // booleans and bytes after an integer: range splits on the integer, the later columns decide within a value
            s.execute("CREATE TABLE k_int_bool_bytea (k int, k2 boolean, k3 bytea, v int, PRIMARY KEY (k, k2, k3))");
            s.execute("INSERT INTO k_int_bool_bytea SELECT i / 6, i % 2 = 0, decode(substr(md5(i::text), 1, 2 + abs(i % 3) * 2), 'hex'), 1 "
                    + "FROM generate_series(-600, 600) i");
            s.execute("INSERT INTO k_int_bool_bytea VALUES (7, true, ''::bytea, 2), (7, true, '\\x00'::bytea, 2), (7, true, '\\xff'::bytea, 2), "
                    + "(7, false, '\\x80'::bytea, 2) ON CONFLICT DO NOTHING");
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static List<String> read(SourceQuery q, TableSchema schema, int split, KeyOrder first, List<String> nulls) {
        Serializable[] params = q.splits() == null ? new Serializable[0] : q.splits()[split];
        SplitRange.Bounds bounds = q.range(split).bounds(first);
        List<String> keys = new ArrayList<>();
        try (JdbcSnapshotSource.RowIterator it = JdbcSnapshotSource.rows(endpoint, q.sql(), schema, 7, EncoderOptions.strict("t"), params)) {
            while (it.hasNext()) {
                SnapshotRow r = it.next();
                assertThat(r.has(SnapshotRow.ERROR)).as("read error").isFalse();
                if (r.has(SnapshotRow.NULL_KEY)) {
                    nulls.add("split " + split);
                    continue;
                }
                assertThat(bounds.contains(r.key)).as("split %d %s holds the row it returned", split, q.range(split)).isTrue();
                keys.add(r.key);
            }
        }
        return keys;
    }

    /**
     * Keys of booleans and bytes, on PostgreSQL: a boolean first column is one split (no range bounds are planned on
     * it), a bytea one is split in ranges of its bytes, after an integer they ride the integer's range splits; either way every row comes back once, and
     * the source's ORDER BY (the dialect's, as the ordered read asks it) returns the keys strictly ascending under
     * {@link KeyOrder}: the order the ordered diff's merge checks and relies on is the one PostgreSQL produces.
     */
    @ParameterizedTest
    @ValueSource(strings = {"k_bytea", "k_bool_int", "k_int_bool_bytea"})
    void booleanAndBytesKeysComeBackOnceInTheOrderKeyOrderExpects(String name) throws Exception {
        TableName table = new TableName("public", name);
        List<String> keyColumns = switch (name) {
            case "k_bytea" -> List.of("k");
            case "k_bool_int" -> List.of("k", "k2");
            default -> List.of("k", "k2", "k3");
        };
        try (Connection c = pg.getConnection("ranges")) {
            TableSchema schema = TablePlanner.readSourceSchema(c, table, keyColumns);
            assertThat(KeyOrder.supports(schema)).isTrue();
            SourceQuery q = TablePlanner.planSplits(c, schema, table, 6);
            assertThat(q.ranged()).as("%s", q).isTrue();
            if (!name.equals("k_bool_int")) {
                // bytea bounds bound as bytea: each split's rows are in its range (checked by read), all rows once
                assertThat(q.rangeColumn()).isEqualTo("k");
                assertThat(q.splitCount()).as("%s", q).isGreaterThan(3);
            } else {
                assertThat(q.splitCount()).as("a boolean first column: one split, %s", q).isEqualTo(1);
            }
            SourceQuery ordered = q.orderedBy(new io.snapsync.source.SourceDialect.Postgres().orderBy(schema.keyColumnList()));
            KeyOrder order = new KeyOrder(schema);
            KeyOrder first = KeyOrder.ofFirstColumn(schema);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < ordered.splitCount(); i++) {
                got.addAll(read(ordered, schema, i, first, new ArrayList<>()));
            }
            assertThat((long) got.size()).isEqualTo(TablePlanner.count(c, table));
            // splits in ascending ranges, each in key order: the whole sequence strictly ascends
            for (int i = 1; i < got.size(); i++) {
                assertThat(order.compare(got.get(i - 1), got.get(i))).as("%s: row %d after row %d", name, i, i - 1).isNegative();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"k_text", "k_date", "k_tstz", "k_ts", "k_time", "k_num", "k_big", "k_int", "k_one", "k_nulls"})
    void everyRowComesBackExactlyOnceInTheSplitWhoseRangeHoldsIt(String name) throws Exception {
        TableName table = new TableName("public", name);
        try (Connection c = pg.getConnection("ranges")) {
            TableSchema schema = TablePlanner.readSourceSchema(c, table, List.of("k"));
            SourceQuery q = TablePlanner.planSplits(c, schema, table, 6);
            long rows = TablePlanner.count(c, table);
            long nullRows;
            try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM " + table.quoted() + " WHERE k IS NULL")) {
                rs.next();
                nullRows = rs.getLong(1);
            }
            KeyOrder first = KeyOrder.ofFirstColumn(schema);
            List<String> all = read(SplitPlanner.single(schema, table), schema, 0, first, new ArrayList<>());
            assertThat((long) all.size()).isEqualTo(rows - nullRows);
            if (name.equals("k_one") || name.equals("k_nulls")) {
                assertThat(q.splitCount()).as("one value, or only NULLs: one split").isEqualTo(1);
            } else {
                assertThat(q.splitCount()).as("%s", q).isGreaterThan(3);
                assertThat(q.rangeColumn()).isEqualTo("k");
            }
            List<String> got = new ArrayList<>();
            List<String> nulls = new ArrayList<>();
            for (int i = 0; i < q.splitCount(); i++) {
                got.addAll(read(q, schema, i, first, nulls));
            }
            assertThat(got).as("every non-NULL key once").containsExactlyInAnyOrderElementsOf(all);
            assertThat((long) nulls.size()).as("NULL first keys once, in the first split: %s", nulls).isEqualTo(nullRows);
            if (name.equals("k_text")) {
                // the splits really spread the rows (text bounds interpolated over byte order)
                assertThat(q.splitCount()).isGreaterThan(3);
            }
        }
    }
}
