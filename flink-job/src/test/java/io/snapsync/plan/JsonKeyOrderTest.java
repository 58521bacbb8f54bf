package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.JdbcSnapshotSource;
import io.snapsync.source.SourceDialect;
import io.snapsync.source.SourceQuery;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyOrder} on json and jsonb keys against PostgreSQL itself: edge values (empty object and array, scalars, unicode
 * as escapes and as characters, escapes jsonb rewrites and keeps, numbers such as 1.0 and 1.00 and 1e3, key order,
 * duplicate keys and whitespace that json keeps and jsonb normalises, nesting) and random JSON texts, each row's rank under
 * {@code ORDER BY k::text COLLATE "C"} (the source's ORDER BY, {@code SourceDialect.Postgres#orderBy}) and the bytes of
 * {@code convert_to(k::text, 'UTF8')} stored beside it. Read back through the snapshot reader's own encoder (pgjdbc's
 * getString of the json or jsonb value): the canonical key's text is byte for byte {@code k::text}, and on every pair
 * the comparator's sign is the ranks' and the bytes are equal exactly when the ranks are. Then the planner's splits: a
 * json first column is one split, a jsonb after an integer rides its range splits, and the ordered read ascends, in a
 * database whose default collation is linguistic (ICU), where {@code k::text} without {@code COLLATE "C"} sorts otherwise.
 */
class JsonKeyOrderTest {
    private static EmbeddedPostgres pg;
    private static JdbcEndpoint endpoint;

    private static final List<String> EDGES = List.of(
            "{}", "[]", "null", "true", "false", "0", "-0", "1", "-1", "1.0", "1.00", "10", "2", "1e3", "1E+3", "1.5e-7", "-0.0",
            "123456789012345678901234567890.123456789", "\"\"", "\" \"", "\"a\"", "\"A\"", "\"é\"", "\"\\u00e9\"", "\"\\u00E9\"",
            "\"中文\"", "\"😀\"", "\"\\ud83d\\ude00\"", "\"\\\\\"", "\"a\\\"b\"", "\"\\t\"", "\"\\n\"", "\"\\u0001\"", "\"\\/\"", "\"/\"",
            "\"\\uffff\"", "\"\uffff\"", "\"ÿ\"", "\"\\u007f\"", "{\"a\":1}", "{\"a\": 1}", "{ \"a\" : 1 }", "{\"a\":1.0}", "{\"a\":1.00}",
            "{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}", "{\"bb\":1,\"a\":2}", "{\"a\":1,\"a\":2}", "{\"\":0}", "[1,2]", "[1, 2]", "[2,1]",
            "[[]]", "[{}]", "[null]", "{\"a\":{\"b\":[1,2,{\"c\":null}]}}", "{\"a\":[1,[2,[3,[4]]]]}", " 1 ", "\n{}\n");

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        // a linguistic default collation (ICU, English), as many a production database has: k::text compares in it unless
        // the ORDER BY says COLLATE "C", so the ordered reads below fail without it
        try (Connection c = pg.getConnection("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE keys TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C'");
        }
        endpoint = new JdbcEndpoint(pg.getJdbcUrl("keys"), EmbeddedPostgres.USER, null, Map.of());
        SplittableRandom rnd = new SplittableRandom(20261208);
        List<String> random = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            random.add(randomJson(rnd, 0));
        }
        try (Connection c = pg.getConnection("keys"); Statement s = c.createStatement()) {
            for (String type : List.of("json", "jsonb")) {
                String t = "k_" + type;
                s.execute("CREATE TABLE " + t + " (k " + type + ", r bigint, t bytea)");
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + t + " (k) VALUES (?::" + type + ")")) {
                    for (String v : EDGES) {
                        ins.setString(1, v);
                        ins.addBatch();
                    }
                    for (String v : random) {
                        ins.setString(1, v);
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
                s.execute("INSERT INTO " + t + " (k) VALUES (NULL), (NULL)");
                s.execute("UPDATE " + t + " SET r = d.r, t = convert_to(" + t + ".k::text, 'UTF8') FROM (SELECT ctid AS id, "
                        + "dense_rank() OVER (ORDER BY k::text COLLATE \"C\") AS r FROM " + t + ") d WHERE " + t + ".ctid = d.id");
            }
            // a composite key (integer, jsonb): range splits on the integer, the jsonb deciding among an integer's rows
            s.execute("CREATE TABLE k_int_jsonb (i int, k jsonb, PRIMARY KEY (i, k))");
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO k_int_jsonb VALUES (?, ?::jsonb) ON CONFLICT DO NOTHING")) {
                for (int i = 0; i < 600; i++) {
                    ins.setInt(1, i / 6);
                    ins.setString(2, i % 5 == 0 ? EDGES.get(rnd.nextInt(EDGES.size())) : randomJson(rnd, 0));
                    ins.addBatch();
                }
                ins.executeBatch();
            }
        }
    }

    /** A random JSON text: nested objects and arrays, strings of any code point (raw or escaped), numbers of any scale, spaces. */
    private static String randomJson(SplittableRandom rnd, int depth) {
        int kind = rnd.nextInt(depth > 2 ? 3 : 5);
        String ws = rnd.nextInt(4) == 0 ? " " : "";
        return switch (kind) {
            case 0 -> randomString(rnd);
            case 1 -> (rnd.nextBoolean() ? "-" : "") + rnd.nextInt(1000) + (rnd.nextBoolean() ? "." + "0".repeat(rnd.nextInt(3)) + rnd.nextInt(100) : "")
                    + (rnd.nextInt(6) == 0 ? "e" + (rnd.nextInt(20) - 10) : "");
            case 2 -> List.of("true", "false", "null").get(rnd.nextInt(3));
            case 3 -> {
                StringBuilder b = new StringBuilder("[" + ws);
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    b.append(randomJson(rnd, depth + 1)).append(i > 1 ? "," + ws : "");
                }
                yield b.append(ws).append("]").toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{" + ws);
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    b.append(randomString(rnd)).append(ws).append(":").append(ws).append(randomJson(rnd, depth + 1)).append(i > 1 ? "," + ws : "");
                }
                yield b.append(ws).append("}").toString();
            }
        };
    }

    private static String randomString(SplittableRandom rnd) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = rnd.nextInt(5); i > 0; i--) {
            int cp = switch (rnd.nextInt(6)) {
                case 0 -> 'a' + rnd.nextInt(3);
                case 1 -> 0x20 + rnd.nextInt(0x60);
                case 2 -> 0x80 + rnd.nextInt(0x780);
                case 3 -> 0x800 + rnd.nextInt(0xD000);
                case 4 -> 0x10000 + rnd.nextInt(0x2000);
                default -> 1 + rnd.nextInt(0x1f); // a control character: escaped below
            };
            if (cp == '"' || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else if (cp < 0x20 || rnd.nextInt(8) == 0) {
                // as a JSON escape (surrogate pairs for the supplementary planes): json keeps it, jsonb writes the character
                for (char ch : Character.toChars(cp)) {
                    b.append(String.format("\\u%04x", (int) ch));
                }
            } else {
                b.appendCodePoint(cp);
            }
        }
        return b.append('"').toString();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Canonical key, PostgreSQL's rank and the bytes of k::text of each non-NULL row, read through the snapshot reader. */
    private static List<Object[]> keysRanksAndText(TableSchema schema, TableName table) {
        List<Object[]> out = new ArrayList<>();
        CanonicalRowReader reader = new CanonicalRowReader();
        for (SnapshotRow r : SourceRows.withKeys(endpoint, schema, table)) {
            reader.reset(r.row);
            reader.next();
            reader.skip();
            reader.next();
            long rank = reader.readLong();
            reader.next();
            out.add(new Object[] {r.key, rank, reader.readBytes()});
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"k_json", "k_jsonb"})
    void keyOrderAgreesWithPostgresTextOrderInCOnEveryPair(String name) throws Exception {
        TableName table = new TableName("public", name);
        try (Connection c = pg.getConnection("keys")) {
            TableSchema schema = TablePlanner.readSourceSchema(c, table, List.of("k"));
            assertThat(KeyOrder.supports(schema)).isTrue();
            KeyOrder order = new KeyOrder(schema);
            List<Object[]> rows = keysRanksAndText(schema, table);
            assertThat(rows).hasSize(EDGES.size() + 250);
            for (Object[] row : rows) {
                // the key field: tag, 4-byte length, then the text as the encoder took it from getString
                byte[] key = Keys.toBytes((String) row[0]);
                byte[] text = Arrays.copyOfRange(key, 5, key.length);
                assertThat(new String(text, StandardCharsets.UTF_8)).as("getString is k::text").isEqualTo(new String((byte[]) row[2], StandardCharsets.UTF_8));
                assertThat(text).as("byte for byte").isEqualTo((byte[]) row[2]);
            }
            long distinct = rows.stream().map(r -> r[1]).distinct().count();
            assertThat(distinct).as("ties: texts equal after jsonb normalises them, or repeated").isLessThan(rows.size());
            for (Object[] a : rows) {
                for (Object[] b : rows) {
                    int expected = Long.compare((Long) a[1], (Long) b[1]);
                    int got = order.compare((String) a[0], (String) b[0]);
                    if (got != expected || a[0].equals(b[0]) != (expected == 0)) {
                        throw new AssertionError(name + ": KeyOrder says " + got + " (bytes equal: " + a[0].equals(b[0]) + "), PostgreSQL's ORDER BY "
                                + expected + " for " + new String((byte[]) a[2], StandardCharsets.UTF_8) + " vs "
                                + new String((byte[]) b[2], StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    /** What jsonb's text is, which the test's edges rely on: scale kept, keys sorted (shorter first), escapes resolved. */
    @Test
    void jsonbTextKeepsScaleAndNormalisesTheRest() throws Exception {
        try (Connection c = pg.getConnection("keys"); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT '{\"a\":1.00}'::jsonb::text, '{\"bb\":1,\"a\":2}'::jsonb::text, '\"\\u00e9\"'::jsonb::text, "
                     + "'{\"a\":1.0}'::jsonb = '{\"a\":1.00}'::jsonb, '\"\\u00e9\"'::json::text")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("{\"a\": 1.00}");
            assertThat(rs.getString(2)).isEqualTo("{\"a\": 2, \"bb\": 1}");
            assertThat(rs.getString(3)).isEqualTo("\"é\"");
            assertThat(rs.getBoolean(4)).as("equal under jsonb's =, two texts").isTrue();
            assertThat(rs.getString(5)).isEqualTo("\"\\u00e9\"");
        }
    }

    /**
     * The planner's splits: a json first column one split (ranged: read in key order), a jsonb after an integer in range
     * splits of the integer; every row once, and each split's ordered read ascends under KeyOrder.
     */
    @ParameterizedTest
    @ValueSource(strings = {"k_jsonb", "k_int_jsonb"})
    void splitsReadEveryRowOnceInKeyOrder(String name) throws Exception {
        TableName table = new TableName("public", name);
        try (Connection c = pg.getConnection("keys")) {
            List<String> key = name.equals("k_int_jsonb") ? List.of("i", "k") : List.of("k");
            TableSchema schema = TablePlanner.readSourceSchema(c, table, key);
            SourceQuery q = TablePlanner.planSplits(c, schema, table, 6);
            assertThat(q.ranged()).isTrue();
            if (name.equals("k_jsonb")) {
                assertThat(q.splitCount()).as("%s", q).isEqualTo(1);
            } else {
                assertThat(q.splitCount()).as("%s", q).isGreaterThan(3);
                assertThat(q.rangeColumn()).isEqualTo("i");
            }
            SourceQuery ordered = q.orderedBy(new SourceDialect.Postgres().orderBy(schema.keyColumnList()));
            KeyOrder order = new KeyOrder(schema);
            List<String> got = new ArrayList<>();
            int nulls = 0;
            for (int i = 0; i < ordered.splitCount(); i++) {
                Serializable[] params = ordered.splits() == null ? new Serializable[0] : ordered.splits()[i];
                try (JdbcSnapshotSource.RowIterator it = JdbcSnapshotSource.rows(endpoint, ordered.sql(), schema, 7, EncoderOptions.strict("t"), params)) {
                    while (it.hasNext()) {
                        SnapshotRow r = it.next();
                        assertThat(r.has(SnapshotRow.ERROR)).as("read error").isFalse();
                        if (r.has(SnapshotRow.NULL_KEY)) {
                            nulls++;
                            continue;
                        }
                        if (!got.isEmpty()) {
                            assertThat(order.compare(got.get(got.size() - 1), r.key)).as("row %d after row %d", got.size(), got.size() - 1)
                                    .isNotPositive();
                        }
                        got.add(r.key);
                    }
                }
            }
            long rows = count(c, "SELECT count(*) FROM " + name);
            assertThat(got.size() + nulls).as("every row once").isEqualTo(rows);
            assertThat(got.stream().distinct().count()).as("no row twice").isEqualTo(count(c, "SELECT count(DISTINCT (" + String.join(", ", key)
                    + ")::text) FROM " + name + " WHERE k IS NOT NULL"));
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
