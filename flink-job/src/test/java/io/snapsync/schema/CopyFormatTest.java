package io.snapsync.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.CopyFormat.Staged;
import io.snapsync.schema.CopyFormat.Wire;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-table choice of the COPY format, from the staged types' OIDs (the PostgreSQL side: CopyBinaryPostgresTest). */
class CopyFormatTest {
    private static Column c(String name, ColumnType t, String sqlType, int width) {
        return new Column(name, t, sqlType, width, 0, 0, true);
    }

    private static Staged base(long oid, String declared) {
        return new Staged(oid, declared, 'b');
    }

    /** Each exact pair: source column, staged type OID, the wire form. */
    private static final Object[][] EXACT = {
        {c("b", ColumnType.BOOLEAN, "boolean", 0), 16L, Wire.BOOL},
        {c("i2", ColumnType.INTEGER, "smallint", 2), 21L, Wire.INT2},
        {c("i4", ColumnType.INTEGER, "integer", 4), 23L, Wire.INT4},
        {c("i8", ColumnType.INTEGER, "bigint", 8), 20L, Wire.INT8},
        {c("i2wide", ColumnType.INTEGER, "smallint", 2), 20L, Wire.INT8},
        {c("in", ColumnType.INTEGER, "bigint", 8), 1700L, Wire.NUMERIC},
        {c("n", ColumnType.DECIMAL, "numeric(15,2)", 0), 1700L, Wire.NUMERIC},
        {c("f4", ColumnType.FLOAT, "real", 4), 700L, Wire.FLOAT4},
        {c("f8", ColumnType.FLOAT, "double precision", 8), 701L, Wire.FLOAT8},
        {c("t", ColumnType.TEXT, "text", 0), 25L, Wire.TEXT},
        {c("vc", ColumnType.TEXT, "varchar(5)", 0), 1043L, Wire.TEXT},
        {c("ch", ColumnType.TEXT, "char(4)", 0), 1042L, Wire.TEXT},
        {c("u", ColumnType.TEXT, "uuid", 0), 2950L, Wire.UUID},
        {c("ut", ColumnType.TEXT, "uuid", 0), 25L, Wire.TEXT},
        {c("y", ColumnType.BYTES, "bytea", 0), 17L, Wire.BYTEA},
        {c("d", ColumnType.DATE, "date", 0), 1082L, Wire.DATE},
        {c("dts", ColumnType.DATE, "date", 0), 1114L, Wire.DATE_AS_TIMESTAMP},
        {c("ts", ColumnType.TIMESTAMP, "timestamp", 0), 1114L, Wire.TIMESTAMP},
        {c("tz", ColumnType.TIMESTAMPTZ, "timestamptz", 0), 1184L, Wire.TIMESTAMP},
        {c("tm", ColumnType.TIME, "time", 0), 1083L, Wire.TIME},
        {c("tt", ColumnType.TIMETZ, "timetz", 0), 1266L, Wire.TIMETZ},
        {c("j", ColumnType.JSON, "json", 0), 114L, Wire.TEXT},
        {c("jt", ColumnType.JSON, "json", 0), 25L, Wire.TEXT},
        {c("jb", ColumnType.JSON, "jsonb", 0), 3802L, Wire.JSONB},
        {c("jbj", ColumnType.JSON, "jsonb", 0), 114L, Wire.TEXT},
    };

    @Test
    void everyExactPairIsBinaryWithItsWireForm() {
        List<Column> columns = java.util.Arrays.stream(EXACT).map(e -> (Column) e[0]).toList();
        Map<String, Staged> staged = new LinkedHashMap<>();
        for (Object[] e : EXACT) {
            staged.put(((Column) e[0]).name(), base((Long) e[1], "x"));
        }
        CopyFormat f = CopyFormat.choose(new TableSchema(columns, List.of("ts", "b")), staged, staged);
        assertThat(f.binary()).isTrue();
        assertThat(f.upserts()).containsExactlyElementsOf(java.util.Arrays.stream(EXACT).map(e -> (Wire) e[2]).toList());
        assertThat(f.deletes()).containsExactly(Wire.TIMESTAMP, Wire.BOOL); // key order
    }

    @Test
    void anythingElseKeepsTextForTheWholeTableSayingWhy() {
        Column id = c("id", ColumnType.INTEGER, "bigint", 8);
        Object[][] cases = {
            {c("x", ColumnType.INTEGER, "integer", 4), new Staged(16_400, "positive", 'd'), "a domain"},
            {c("x", ColumnType.TEXT, "text", 0), new Staged(16_401, "mood", 'e'), "an enum"},
            {c("x", ColumnType.TEXT, "text", 0), base(1009, "text[]"), "text[]"},
            {c("x", ColumnType.TEXT, "text", 0), base(16_402, "citext"), "citext"},
            {c("x", ColumnType.TEXT, "text", 0), base(19, "name"), "name"},
            {c("x", ColumnType.TEXT, "text", 0), base(2950, "uuid"), "uuid"}, // text into uuid: uuid_in rewrites it
            {c("x", ColumnType.FLOAT, "real", 4), base(701, "double precision"), "converts"},
            {c("x", ColumnType.FLOAT, "double precision", 8), base(700, "real"), "converts"},
            {c("x", ColumnType.DATE, "date", 0), base(1184, "timestamp with time zone"), "timestamp with time zone"},
            {c("x", ColumnType.TIMESTAMP, "timestamp", 0), base(1184, "timestamp with time zone"), "timestamp with time zone"},
            {c("x", ColumnType.TIMESTAMPTZ, "timestamptz", 0), base(1114, "timestamp without time zone"), "timestamp without"},
            {c("x", ColumnType.DECIMAL, "numeric", 0), base(20, "bigint"), "bigint"},
            {c("x", ColumnType.JSON, "json", 0), base(16_403, "my_json"), "my_json"},
        };
        for (Object[] k : cases) {
            Map<String, Staged> staged = Map.of("id", base(20, "bigint"), "x", (Staged) k[1]);
            CopyFormat f = CopyFormat.choose(new TableSchema(List.of(id, (Column) k[0]), List.of("id")), staged, staged);
            assertThat(f.binary()).as("%s", k[1]).isFalse();
            assertThat(f.upserts()).isNull();
            assertThat(f.textReason()).as("%s", k[1]).contains("\"x\"").contains((String) k[2]);
        }
        // a delete table whose key column is typed otherwise keeps text too
        CopyFormat f = CopyFormat.choose(new TableSchema(List.of(id), List.of("id")), Map.of("id", base(20, "bigint")),
                Map.of("id", base(25, "text")));
        assertThat(f.binary()).isFalse();
        // a column missing from the catalog
        assertThat(CopyFormat.choose(new TableSchema(List.of(id), List.of("id")), Map.of(), Map.of()).textReason())
                .contains("not in the staged table's catalog");
    }
}
