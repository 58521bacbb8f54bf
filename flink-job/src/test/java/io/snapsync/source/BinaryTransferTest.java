package io.snapsync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapsync.config.JdbcEndpoint;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.row.EncoderOptions;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TypeMapping;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGResultSetMetaData;

/**
 * The PostgreSQL dialect reads numerics, dates, timestamps, times, floats, integers and bytes in pgjdbc's
 * binary transfer and ASCII text as its wire bytes; every other source (the Redshift driver) takes the
 * general path, text values through Strings. Both must give
 * the same canonical bytes, key and hash for every value of every type, or an existing cache would see
 * rows as changed.
 */
class BinaryTransferTest {
    private static EmbeddedPostgres pg;
    private static JdbcEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        pg.createDatabase("binary_transfer");
        endpoint = new JdbcEndpoint(pg.getJdbcUrl("binary_transfer"), EmbeddedPostgres.USER, null, Map.of());
        try (Connection c = pg.getConnection("binary_transfer"); Statement s = c.createStatement()) {
            s.execute("""
                CREATE TABLE t (id int PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision,
                  n numeric, n152 numeric(15,2), d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz, b boolean,
                  by bytea, tx text, ch char(5), vc varchar(20), js json, jb jsonb, u uuid)""");
            s.execute("""
                INSERT INTO t VALUES
                 (1, 0, 0, 0, 0.1, 0.1, 0, 17.00, '2024-02-29', '2024-01-01 12:34:56.789012', '2024-06-01 12:00:00+05:30',
                  '00:00', '12:00+05:30', true, '\\x00ff', 'Grüße 日本 😀', 'ab', '', '{"a": "ü"}', '{"b": [1, 2.50]}',
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
                 (2, -32768, -2147483648, -9223372036854775808, '-0', '-0', '-0', -3.10, '0044-03-15 BC', '0001-01-01 00:00:00 BC',
                  '0001-01-01 00:00:00+00 BC', '23:59:59.999999', '23:59:59.999999-14:59', false, '\\x', '', '', 'x', '[]', '{}', NULL),
                 (3, 32767, 2147483647, 9223372036854775807, 'NaN', 'NaN', 1.50, 9999999999999.99, '4713-01-01 BC',
                  '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00', '24:00:00', '24:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                 (4, 1, 1, 1, 'Infinity', 'Infinity', 123456789012345678901234567890.123456789, -0.01, 'infinity', 'infinity', 'infinity',
                  '12:00', NULL, true, '\\xdeadbeef', 'a', 'abcde', 'ü', 'null', 'null', '00000000-0000-0000-0000-000000000000'),
                 (5, NULL, NULL, NULL, '-Infinity', '-Infinity', -0.000001, NULL, '-infinity', '-infinity', '-infinity', NULL, NULL, NULL,
                  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                 (6, 2, 2, 2, 1.4e-45, 4.9e-324, 0.00000000000000000001, 0, '5874897-12-31', '1999-12-31 23:59:59.5', '1800-01-01 00:00:00+00',
                  '00:00:00.000001', '00:00:00+00', false, '\\x00', 'tab\there', 'a b', 'new\nline', '"s"', '"s"', NULL),
                 (7, 3, 3, 3, 3.4028235e38, 1.7976931348623157e308, 1e30, 0.5, '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00',
                  '01:02:03', '01:02:03.5+01', true, NULL, '\\', 'x', NULL, '{"k": "\\u00e9"}', '{"k": "\\u00e9"}', NULL)""");
            // numerics of every shape the digit arithmetic meets: zero, powers of ten, values around Long.MAX/MIN and
            // beyond (left to BigDecimal), declared and undeclared precision, negative scale, then random ones
            s.execute("CREATE TABLE num (id int PRIMARY KEY, n numeric, n152 numeric(15,2), n380 numeric(38,0), n2010 numeric(20,10), "
                    + "nneg numeric(10,-3))");
            s.execute("""
                INSERT INTO num VALUES
                 (1, 0, 0, 0, 0, 0), (2, 0.00, 0.00, -0, 0.0000000000, -0), (3, 10000, 100.00, 10000, 1, 10000),
                 (4, 1E+20, 0.10, 100000000000000000000000000000000000, 0.0000000001, 1000000000),
                 (5, -1E+20, -0.01, -100000000000000000000000000000000000, -0.0000000001, -1000),
                 (6, 9223372036854775807, 9999999999999.99, 9223372036854775807, 9223372036.8547758070, 9223372036000),
                 (7, -9223372036854775808, -9999999999999.99, -9223372036854775808, -9223372036.8547758080, -9223372036000),
                 (8, 9223372036854775808, 9223372036854.75, 9223372036854775808, 1234567890.0123456789, 4999),
                 (9, -922337203685477580.7, -9223372036854.76, -9223372036854775809, -1234567890.0123456789, -5001),
                 (10, 123456789012345678901234567890.123456789, 1.5, 99999999999999999999999999999999999999, 0.5, 1500),
                 (11, 1E-30, 17.00, -99999999999999999999999999999999999999, 99.99000000, 99990000),
                 (12, 99990000, 12.30, 99990000, 0.9999, 10),
                 (13, 0.0001, -3.10, 1, -0.0001, -10),
                 (14, -0.000001, 0.01, -1, 0.000001, 999999999),
                 (15, 922337203685477.5807, 1, 922337203685477580, 1, NULL),
                 (16, NULL, NULL, NULL, NULL, NULL)""");
            s.execute("""
                INSERT INTO num SELECT g,
                  (random() - 0.5)::numeric * 10::numeric ^ (g % 61 - 30),
                  round(((random() - 0.5) * 2e13)::numeric, g % 3),
                  floor((random() - 0.5)::numeric * 10::numeric ^ (g % 39)),
                  round(((random() - 0.5) * 2e10)::numeric, g % 11),
                  round(((random() - 0.5) * 2e10)::numeric, -(g % 4))
                FROM (SELECT setseed(0.5)) seed, generate_series(100, 2099) g""");
            s.execute("CREATE TABLE nan (id int PRIMARY KEY, n numeric)");
            s.execute("INSERT INTO nan VALUES (1, 1), (2, 'NaN')");
            s.execute("CREATE TABLE inf (id int PRIMARY KEY, n numeric)");
            s.execute("INSERT INTO inf VALUES (1, 1), (2, '-Infinity')");
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void binaryAndTextGiveTheSameBytesKeysAndHashesForEveryType() throws Exception {
        TableSchema schema = schema("t");
        List<String> binary = read(schema, "t", new SourceDialect.Postgres());
        List<String> text = read(schema, "t", new SourceDialect.Redshift()); // the general path: the interface's defaults
        assertEquals(7, text.size());
        assertEquals(text, binary);
    }

    /** Numerics from their binary digits give exactly the field the BigDecimal path writes. */
    @Test
    void numericsFromTheirDigitsGiveTheBigDecimalPathsBytes() throws Exception {
        TableSchema schema = schema("num");
        List<String> binary = read(schema, "num", new SourceDialect.Postgres());
        List<String> text = read(schema, "num", new SourceDialect.Redshift());
        assertEquals(2016, text.size());
        for (int i = 0; i < text.size(); i++) {
            assertEquals(text.get(i), binary.get(i), "row " + i);
        }
    }

    @Test
    void aNumericNaNOrInfinityIsRefusedTheSameWayOnBothPaths() throws Exception {
        for (String table : List.of("nan", "inf")) {
            TableSchema schema = schema(table);
            List<String> binary = read(schema, table, new SourceDialect.Postgres());
            List<String> text = read(schema, table, new SourceDialect.Redshift());
            assertEquals(text, binary);
            assertTrue(binary.get(1).startsWith("error:") && binary.get(1).contains("cannot be carried"), binary.get(1));
        }
    }

    /** The fast path is taken: the cursor's columns of the listed types arrive in binary, the others as text. */
    @Test
    void thePostgresDialectsReadTransfersTheListedTypesInBinary() throws Exception {
        SourceDialect dialect = new SourceDialect.Postgres();
        JdbcEndpoint read = endpoint.withDefaultProperties(dialect.readProperties());
        try (Connection c = read.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("SELECT n, d, ts, tstz, tm, i4, f8, by, tmtz, u, tx, b FROM t ORDER BY id",
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                st.setFetchSize(2);
                dialect.prepareRead(st);
                try (ResultSet rs = st.executeQuery()) {
                    PGResultSetMetaData md = rs.getMetaData().unwrap(PGResultSetMetaData.class);
                    List<Integer> formats = new ArrayList<>();
                    for (int i = 1; i <= 12; i++) {
                        formats.add(md.getFormat(i));
                    }
                    assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), formats);
                    boolean[] binary = dialect.binaryColumns(rs); // what the encoder takes dates, timestamps and times from
                    List<Integer> told = new ArrayList<>();
                    for (boolean b : binary) {
                        told.add(b ? 1 : 0);
                    }
                    assertEquals(formats, told);
                    assertEquals(null, new SourceDialect.Redshift().binaryColumns(rs));
                    assertTrue(dialect.textAsBytes(rs), "pgjdbc's own result set: ASCII text taken as its wire bytes");
                    assertFalse(new SourceDialect.Redshift().textAsBytes(rs));
                }
            }
            c.rollback();
        }
    }

    @Test
    void configuredPropertiesWinOverTheDialects() {
        JdbcEndpoint own = new JdbcEndpoint("jdbc:postgresql://h/db", "u", null, Map.of("binaryTransfer", "true"));
        Map<String, String> merged = own.withDefaultProperties(new SourceDialect.Postgres().readProperties()).properties();
        assertEquals("true", merged.get("binaryTransfer"));
        assertEquals(SourceDialect.Postgres.BINARY_TYPES, merged.get("binaryTransferEnable"));
        assertTrue(new SourceDialect.Redshift().readProperties().isEmpty());
    }

    private static TableSchema schema(String table) throws Exception {
        List<Column> columns = new ArrayList<>();
        try (Connection c = endpoint.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE false")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(TypeMapping.map(md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i),
                        md.getScale(i), true));
            }
        }
        return new TableSchema(columns, List.of("id"));
    }

    /** Every row as key, hash, flags and canonical bytes (or the error), read through a cursor of 2 rows per fetch. */
    private static List<String> read(TableSchema schema, String table, SourceDialect dialect) {
        List<String> out = new ArrayList<>();
        try (JdbcSnapshotSource.RowIterator rows = JdbcSnapshotSource.rows(endpoint, "SELECT * FROM " + table + " ORDER BY id", schema, 2,
                EncoderOptions.strict(table), dialect, new Serializable[0])) {
            while (rows.hasNext()) {
                SnapshotRow r = rows.next();
                if (r.has(SnapshotRow.ERROR)) {
                    out.add("error:" + new String(r.row, java.nio.charset.StandardCharsets.UTF_8) + "|" + r.key);
                } else {
                    out.add(r.key + "|" + r.hashHi + "|" + r.hashLo + "|" + r.flags + "|" + HexFormat.of().formatHex(r.row));
                }
            }
        }
        return out;
    }
}
