package io.snapsync.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.CopyFormat;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.targetdb.TargetCatalog;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * The same canonical rows COPYed through the text encoder into one table and through the binary encoder into another of
 * the same declaration (every type the binary path writes, with typmods that round: numeric(15,2) fed more scale,
 * varchar(n), char(n), timestamp(3), time(2)): the server stores the same values, compared with {@code IS NOT DISTINCT
 * FROM} and as text; and a value the server refuses as text it refuses in binary with the same error.
 */
class CopyBinaryPostgresTest {
    private static EmbeddedPostgres pg;

    /** name, source column, target declaration. */
    private record Col(Column source, String declared) {}

    private static Col col(String name, ColumnType t, String sqlType, int width, int precision, int scale, String declared) {
        return new Col(new Column(name, t, sqlType, width, precision, scale, true), declared);
    }

    private static final List<Col> COLUMNS = List.of(
            col("id", ColumnType.INTEGER, "bigint", 8, 0, 0, "bigint NOT NULL"),
            col("b", ColumnType.BOOLEAN, "boolean", 0, 0, 0, "boolean"),
            col("i2", ColumnType.INTEGER, "smallint", 2, 0, 0, "smallint"),
            col("i4", ColumnType.INTEGER, "integer", 4, 0, 0, "integer"),
            col("in", ColumnType.INTEGER, "bigint", 8, 0, 0, "numeric(20,2)"),
            col("n", ColumnType.DECIMAL, "numeric(20,5)", 0, 20, 5, "numeric(15,2)"),
            col("nf", ColumnType.DECIMAL, "numeric(10,3)", 0, 10, 3, "numeric"),
            col("nu", ColumnType.DECIMAL, "numeric", 0, 0, 0, "numeric"),
            col("f4", ColumnType.FLOAT, "real", 4, 0, 0, "real"),
            col("f8", ColumnType.FLOAT, "double precision", 8, 0, 0, "double precision"),
            col("t", ColumnType.TEXT, "text", 0, 0, 0, "text"),
            col("vc", ColumnType.TEXT, "varchar(5)", 0, 0, 0, "varchar(5)"),
            col("ch", ColumnType.TEXT, "char(4)", 0, 0, 0, "char(4)"),
            col("u", ColumnType.TEXT, "uuid", 0, 0, 0, "uuid"),
            col("y", ColumnType.BYTES, "bytea", 0, 0, 0, "bytea"),
            col("d", ColumnType.DATE, "date", 0, 0, 0, "date"),
            col("dts", ColumnType.DATE, "date", 0, 0, 0, "timestamp"),
            col("ts", ColumnType.TIMESTAMP, "timestamp", 0, 0, 0, "timestamp"),
            col("ts3", ColumnType.TIMESTAMP, "timestamp", 0, 0, 0, "timestamp(3)"),
            col("tz", ColumnType.TIMESTAMPTZ, "timestamptz", 0, 0, 0, "timestamptz"),
            col("tm", ColumnType.TIME, "time", 0, 0, 0, "time"),
            col("tm2", ColumnType.TIME, "time", 0, 0, 0, "time(2)"),
            col("tt", ColumnType.TIMETZ, "timetz", 0, 0, 0, "timetz"),
            col("j", ColumnType.JSON, "json", 0, 0, 0, "json"),
            col("jb", ColumnType.JSON, "jsonb", 0, 0, 0, "jsonb"),
            col("jt", ColumnType.JSON, "json", 0, 0, 0, "text"));

    private static final List<Column> SOURCE = COLUMNS.stream().map(Col::source).toList();

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        pg.createDatabase("bincopy");
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static Connection connect() throws SQLException {
        return pg.getConnection("bincopy");
    }

    private static void createTable(Connection c, String name, List<Col> cols) throws SQLException {
        List<String> defs = new ArrayList<>();
        for (Col x : cols) {
            defs.add("\"" + x.source().name() + "\" " + x.declared());
        }
        // the staging tables' bookkeeping columns, which both encoders append to every row
        defs.add("part int NOT NULL");
        defs.add("attempt int NOT NULL");
        defs.add("seq bigint NOT NULL");
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + name);
            s.execute("CREATE TABLE " + name + " (" + String.join(", ", defs) + ")");
        }
    }

    private static String copySql(String table, List<Col> cols) {
        List<String> names = new ArrayList<>(cols.stream().map(x -> "\"" + x.source().name() + "\"").toList());
        names.addAll(List.of("part", "attempt", "seq"));
        return "COPY " + table + " (" + String.join(", ", names) + ") FROM STDIN";
    }

    /** COPYs the rows through {@code e}, in pieces as the writer flushes them. */
    private static void copy(Connection c, String table, List<Col> cols, CopyEncoder e, List<byte[]> rows) throws Exception {
        var in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table, cols) + e.options());
        try {
            long seq = 0;
            for (byte[] row : rows) {
                e.appendRow(row, 3, 1, seq++);
                if (e.length() > 4096) {
                    in.writeToCopy(e.buffer(), 0, e.length());
                    e.clear();
                }
            }
            e.finish();
            in.writeToCopy(e.buffer(), 0, e.length());
            e.clear();
            assertThat(in.endCopy()).isEqualTo(rows.size());
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** The wire forms CopyFormat chooses from the table's catalog: the plan's own decision. */
    private static List<CopyFormat.Wire> wires(Connection c, String table, List<Column> source) throws SQLException {
        TableName t = new TableName("public", table);
        CopyFormat f = CopyFormat.choose(new TableSchema(source, List.of("id")), TargetCatalog.stagedTypes(c, t),
                TargetCatalog.stagedTypes(c, t));
        assertThat(f.textReason()).isNull();
        return f.upserts();
    }

    private static void write(CanonicalRowWriter w, Column c, Object v) {
        if (v == null) {
            w.writeNull();
            return;
        }
        switch (c.type()) {
            case BOOLEAN -> w.writeBoolean((Boolean) v);
            case INTEGER -> w.writeInteger((Long) v);
            case DECIMAL -> w.writeDecimal((BigDecimal) v);
            case FLOAT -> w.writeFloat((Double) v);
            case TEXT -> w.writeText((String) v);
            case JSON -> w.writeJson((String) v);
            case BYTES -> w.writeBytes((byte[]) v);
            case DATE -> w.writeDateDays((Long) v);
            case TIMESTAMP, TIMESTAMPTZ -> w.writeTimestampMicros(c.type(), (Long) v);
            case TIME -> w.writeTimeMicros((Long) v);
            case TIMETZ -> w.writeTimeTz(((long[]) v)[0], (int) ((long[]) v)[1]);
        }
    }

    private static byte[] row(List<Column> cols, Object... values) {
        CanonicalRowWriter w = new CanonicalRowWriter();
        for (int i = 0; i < cols.size(); i++) {
            write(w, cols.get(i), values[i]);
        }
        return w.toByteArray();
    }

    private static long day(int y, int m, int d) {
        return LocalDate.of(y, m, d).toEpochDay();
    }

    private static final long TS_MIN = ValueValidator.MIN_TIMESTAMP_MICROS;
    private static final long TS_MAX = ValueValidator.MAX_TIMESTAMP_MICROS;
    /** 2024-02-29 23:59:59.123456 in microseconds since 2000-01-01. */
    private static final long LEAP_EVE = (day(2024, 2, 29) - 10_957) * Temporal.MICROS_PER_DAY + 86_399_123_456L;
    private static final long OFFSET_MAX = 15 * 3600 + 59 * 60;

    private static List<byte[]> rows() {
        List<byte[]> rows = new ArrayList<>();
        String json = "{\"a\": [1, 2.50, \"ü\\t\"], \"a\": 1,  \"b\": {}}";
        rows.add(row(SOURCE, 1L, true, 123L, -456_789L, 5L, new BigDecimal("1.23456"), new BigDecimal("1.5"), new BigDecimal("3.14159"),
                (double) 0.1f, 0.1, "hello\tworld\\ \n\r", "ab😀de", "ab", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                new byte[] {0, 1, (byte) 0xFF, '\\'}, day(2024, 2, 29), day(2024, 2, 29), LEAP_EVE, LEAP_EVE, LEAP_EVE, 45_296_789_012L, 45_296_789_012L, new long[] {43_200_000_000L, 19_800}, json, json, json));
        rows.add(row(SOURCE, 2L, false, (long) Short.MIN_VALUE, (long) Integer.MIN_VALUE, -999_999_999_999_999_999L,
                new BigDecimal("-0.005"), new BigDecimal("-0.001"), new BigDecimal("-98765432109876543210.0123456789"),
                (double) -Float.MAX_VALUE, Double.MIN_VALUE, "", "", "", "00000000-0000-0000-0000-000000000000", new byte[0],
                day(-4712, 1, 1), day(-4712, 1, 1), TS_MIN, -1L, Long.MIN_VALUE, 0L, 0L, new long[] {0, -OFFSET_MAX},
                "[]", "[]", "\"\""));
        rows.add(row(SOURCE, 3L, true, (long) Short.MAX_VALUE, (long) Integer.MAX_VALUE, 999_999_999_999_999_999L,
                new BigDecimal("9999999999999.994"), new BigDecimal("9999999.999"), new BigDecimal("1E+20"), Double.NaN,
                Double.POSITIVE_INFINITY, "😀日本\u00a0", "abcde   ", "abcd", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                new byte[300], Long.MAX_VALUE, Long.MAX_VALUE, TS_MAX, 499_999_500L, Long.MAX_VALUE, Temporal.MICROS_PER_DAY,
                86_399_999_999L, new long[] {Temporal.MICROS_PER_DAY, OFFSET_MAX}, "{\"b\": {\"c\": null}, \"a\": 1e400}",
                "{\"b\": {\"c\": null}, \"a\": 1e400}", "{}"));
        Object[] nulls = new Object[SOURCE.size()];
        nulls[0] = 4L;
        rows.add(row(SOURCE, nulls));
        rows.add(row(SOURCE, 5L, false, 0L, 0L, 0L, BigDecimal.ZERO, new BigDecimal("0.000"), BigDecimal.ZERO, 0.0, Double.NEGATIVE_INFINITY,
                " ", "     ", " ", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", new byte[] {0}, day(1999, 12, 31), Long.MIN_VALUE, 0L, 0L, -1L,
                1L, 5_000L, new long[] {1, -3601}, "null", "null", "null"));
        SplittableRandom r = new SplittableRandom(5);
        for (long id = 10; id < 400; id++) {
            Object[] v = new Object[SOURCE.size()];
            v[0] = id;
            v[1] = r.nextBoolean();
            v[2] = (long) (short) r.nextInt();
            v[3] = (long) r.nextInt();
            v[4] = r.nextLong() % 1_000_000_000_000_000_000L;
            v[5] = new BigDecimal(BigInteger.valueOf(r.nextLong() >> r.nextInt(20, 64)), r.nextInt(0, 8));
            v[6] = new BigDecimal(BigInteger.valueOf(r.nextLong() >> r.nextInt(40, 64)), r.nextInt(0, 4));
            BigInteger big = BigInteger.valueOf(r.nextLong() >> r.nextInt(64));
            if (r.nextInt(4) == 0) {
                big = big.multiply(BigInteger.valueOf(r.nextLong())); // past a long
            }
            v[7] = new BigDecimal(big, r.nextInt(-30, 40));
            v[8] = (double) Float.intBitsToFloat(r.nextInt());
            v[9] = Double.longBitsToDouble(r.nextLong());
            v[10] = randomText(r, r.nextInt(0, 20));
            v[11] = randomText(r, r.nextInt(0, 6));
            v[12] = randomText(r, r.nextInt(0, 5));
            v[13] = java.util.UUID.randomUUID().toString();
            byte[] b = new byte[r.nextInt(0, 40)];
            r.nextBytes(b);
            v[14] = b;
            v[15] = r.nextLong(-2_440_588, 2_000_000_000L);
            v[16] = r.nextLong(-2_440_588, 106_000_000);
            v[17] = r.nextLong(TS_MIN, TS_MAX);
            v[18] = r.nextLong(TS_MIN, TS_MAX);
            v[19] = r.nextLong(TS_MIN, TS_MAX);
            v[20] = r.nextLong(0, Temporal.MICROS_PER_DAY + 1);
            v[21] = r.nextLong(0, Temporal.MICROS_PER_DAY + 1);
            v[22] = new long[] {r.nextLong(0, Temporal.MICROS_PER_DAY + 1), r.nextLong(-OFFSET_MAX, OFFSET_MAX + 1)};
            String j = "{\"k\": \"" + randomText(r, 5).replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ")
                    + "\", \"n\": " + r.nextInt() + "}";
            v[23] = j;
            v[24] = j;
            v[25] = j;
            rows.add(row(SOURCE, v));
        }
        return rows;
    }

    /** Letters of every UTF-8 width, COPY's special characters and non-BMP; no NUL (refused before COPY) or lone surrogate. */
    private static String randomText(SplittableRandom r, int n) {
        int[] pool = {'a', 'Z', ' ', '\t', '\n', '\r', '\\', '"', 'é', 'ß', '日', '本', 0x1F600, 0x10FFFF, 0xFFFD, 0x7F, '.'};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.appendCodePoint(pool[r.nextInt(pool.length)]);
        }
        return s.toString();
    }

    @Test
    void binaryAndTextStoreTheSameValues() throws Exception {
        List<byte[]> rows = rows();
        try (Connection c = connect()) {
            createTable(c, "via_text", COLUMNS);
            createTable(c, "via_binary", COLUMNS);
            copy(c, "via_text", COLUMNS, new CopyTextEncoder(SOURCE), rows);
            copy(c, "via_binary", COLUMNS, new CopyBinaryEncoder(SOURCE, wires(c, "via_binary", SOURCE), 4, 4, 8), rows);
            try (Statement s = c.createStatement()) {
                for (Col x : COLUMNS) {
                    String n = "\"" + x.source().name() + "\"";
                    // json has no equality operator: its text is compared
                    String same = (x.declared().equals("json") ? "" : "a." + n + " IS NOT DISTINCT FROM b." + n + " AND ")
                            + "a." + n + "::text IS NOT DISTINCT FROM b." + n + "::text";
                    try (ResultSet rs = s.executeQuery("SELECT a.id, a." + n + "::text, b." + n + "::text FROM via_text a "
                            + "FULL JOIN via_binary b ON a.id = b.id WHERE a.id IS NULL OR b.id IS NULL OR NOT (" + same + ") LIMIT 3")) {
                        List<String> diffs = new ArrayList<>();
                        while (rs.next()) {
                            diffs.add("id " + rs.getString(1) + ": text " + rs.getString(2) + ", binary " + rs.getString(3));
                        }
                        assertThat(diffs).as("column %s %s", n, x.declared()).isEmpty();
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM via_binary")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(rows.size());
                }
                // and as the server means them: the zone's sign, the typmods' rounding and the scales
                try (ResultSet rs = s.executeQuery("SELECT tt::text, n::text, nf::text, \"in\"::text, ts3::text, vc, ch || '|', "
                        + "pg_typeof(ch)::text FROM via_binary WHERE id = 1")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("12:00:00+05:30");
                    assertThat(rs.getString(2)).isEqualTo("1.23");
                    assertThat(rs.getString(3)).isEqualTo("1.500");
                    assertThat(rs.getString(4)).isEqualTo("5.00");
                    assertThat(rs.getString(5)).isEqualTo("2024-02-29 23:59:59.123");
                    assertThat(rs.getString(6)).isEqualTo("ab😀de");
                }
                try (ResultSet rs = s.executeQuery("SELECT tt::text, n::text FROM via_binary WHERE id = 2")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("00:00:00-15:59");
                    assertThat(rs.getString(2)).isEqualTo("-0.01");
                }
            }
        }
    }

    /** What the server refuses as text (too long for varchar(n), too large for numeric(p,s)) it refuses in binary, alike. */
    @Test
    void binaryRefusesWhatTextRefusesWithTheSameError() throws Exception {
        List<Col> cols = List.of(col("id", ColumnType.INTEGER, "bigint", 8, 0, 0, "bigint"),
                col("vc", ColumnType.TEXT, "text", 0, 0, 0, "varchar(3)"),
                col("n", ColumnType.DECIMAL, "numeric", 0, 0, 0, "numeric(5,2)"));
        List<Column> source = cols.stream().map(Col::source).toList();
        Object[][] bad = {{1L, "abcd", BigDecimal.ONE}, {2L, "ab😀d", BigDecimal.ONE}, {3L, "ab", new BigDecimal("1234.5")},
            {4L, "ab", new BigDecimal("999.995")}};
        try (Connection c = connect()) {
            for (Object[] values : bad) {
                createTable(c, "refuse_text", cols);
                createTable(c, "refuse_binary", cols);
                List<byte[]> rows = List.of(row(source, 0L, "abc", new BigDecimal("999.99")), row(source, values));
                PSQLException text = refusal(c, "refuse_text", cols, new CopyTextEncoder(source), rows);
                PSQLException binary = refusal(c, "refuse_binary", cols,
                        new CopyBinaryEncoder(source, wires(c, "refuse_binary", source), 4, 4, 8), rows);
                assertThat(binary.getSQLState()).as("row %s", values[0]).isEqualTo(text.getSQLState());
                assertThat(binary.getServerErrorMessage().getMessage()).as("row %s", values[0])
                        .isEqualTo(text.getServerErrorMessage().getMessage());
                assertThat(binary.getServerErrorMessage().getDetail()).isEqualTo(text.getServerErrorMessage().getDetail());
            }
        }
    }

    private static PSQLException refusal(Connection c, String table, List<Col> cols, CopyEncoder e, List<byte[]> rows) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> copy(c, table, cols, e, rows));
        assertThat(t).isInstanceOf(PSQLException.class);
        return (PSQLException) t;
    }

    /** The plan keeps the text format for what the binary encoder does not write, saying which column and why. */
    @Test
    void textFormatForDomainsEnumsArraysAndConvertingPairs() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DOMAIN positive AS integer CHECK (VALUE > 0)");
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'ok')");
            s.execute("CREATE TABLE kinds (id bigint, dom positive, e mood, arr text[], money_ money, r real, d8 double precision, dz timestamptz, ci varchar)");
            TableName t = new TableName("public", "kinds");
            var types = TargetCatalog.stagedTypes(c, t);
            Column id = new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false);
            String[][] cases = {
                {"dom", "a domain"}, {"e", "an enum"}, {"arr", "text[]"}, {"money_", "money"}, {"r", "double precision"}, {"d8", "real"},
                {"dz", "date"}};
            List<Column> others = List.of(new Column("dom", ColumnType.INTEGER, "integer", 4, 0, 0, true),
                    new Column("e", ColumnType.TEXT, "text", 0, 0, 0, true),
                    new Column("arr", ColumnType.TEXT, "text", 0, 0, 0, true),
                    new Column("money_", ColumnType.DECIMAL, "numeric", 0, 0, 0, true),
                    new Column("r", ColumnType.FLOAT, "double precision", 8, 0, 0, true),
                    // the text path reads a real's Float.toString into double precision: 0.1f is stored as 0.1
                    new Column("d8", ColumnType.FLOAT, "real", 4, 0, 0, true),
                    new Column("dz", ColumnType.DATE, "date", 0, 0, 0, true));
            for (int i = 0; i < others.size(); i++) {
                CopyFormat f = CopyFormat.choose(new TableSchema(List.of(id, others.get(i)), List.of("id")), types, types);
                assertThat(f.binary()).as(cases[i][0]).isFalse();
                assertThat(f.textReason()).contains("\"" + cases[i][0] + "\"").contains(cases[i][1]);
            }
            CopyFormat ok = CopyFormat.choose(new TableSchema(List.of(id, new Column("ci", ColumnType.TEXT, "text", 0, 0, 0, true)),
                    List.of("id")), types, types);
            assertThat(ok.upserts()).containsExactly(CopyFormat.Wire.INT8, CopyFormat.Wire.TEXT);
            assertThat(ok.deletes()).containsExactly(CopyFormat.Wire.INT8);
            assertThatThrownBy(() -> ok.upserts().add(CopyFormat.Wire.TEXT)).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
