package io.snapsync.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Types;
import org.junit.jupiter.api.Test;

class TypeMappingTest {
    @Test
    void pgjdbcAndRedshiftNamesMapToTheSameFamilies() {
        assertThat(TypeMapping.map("a", Types.BIGINT, "int8", 19, 0, false).type()).isEqualTo(ColumnType.INTEGER);
        assertThat(TypeMapping.map("a", Types.NUMERIC, "numeric", 38, 4, true).sqlType()).isEqualTo("numeric(38,4)");
        assertThat(TypeMapping.map("a", Types.NUMERIC, "numeric", 0, 0, true).sqlType()).isEqualTo("numeric");
        assertThat(TypeMapping.map("a", Types.CHAR, "bpchar", 10, 0, true).sqlType()).isEqualTo("char(10)");
        assertThat(TypeMapping.map("a", Types.VARCHAR, "varchar", 256, 0, true).sqlType()).isEqualTo("varchar(256)");
        assertThat(TypeMapping.map("a", Types.TIMESTAMP, "timestamptz", 35, 6, true).type()).isEqualTo(ColumnType.TIMESTAMPTZ);
        assertThat(TypeMapping.map("a", Types.LONGVARCHAR, "super", 0, 0, true).sqlType()).isEqualTo("jsonb");
        assertThat(TypeMapping.map("a", Types.LONGVARBINARY, "varbyte", 0, 0, true).type()).isEqualTo(ColumnType.BYTES);
        assertThat(TypeMapping.map("a", Types.REAL, "float4", 8, 0, true).width()).isEqualTo(4);
        assertThat(TypeMapping.map("a", Types.TIME_WITH_TIMEZONE, "unknown", 0, 0, true).type()).isEqualTo(ColumnType.TIMETZ);
    }

    /**
     * What redshift-jdbc42 2.2.1 reports (its com.amazon.redshift.jdbc.TypeInfoCache type table: name, oid,
     * java.sql.Types code, Java class), checked against the jar on this classpath: bool is BIT, timetz and
     * timestamptz are the *_WITH_TIMEZONE codes, super is LONGVARCHAR (String), varbyte, geometry (oid
     * 3000) and geography (3001) are LONGVARBINARY (byte[]), hllsketch is OTHER.
     */
    @Test
    void redshiftDriverReportsMapLikePgjdbcReports() {
        assertThat(TypeMapping.map("a", Types.BIT, "bool", 1, 0, true).type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(TypeMapping.map("a", Types.SMALLINT, "int2", 5, 0, true).sqlType()).isEqualTo("smallint");
        assertThat(TypeMapping.map("a", Types.INTEGER, "int4", 10, 0, true).sqlType()).isEqualTo("integer");
        assertThat(TypeMapping.map("a", Types.DOUBLE, "float8", 17, 0, true).sqlType()).isEqualTo("double precision");
        assertThat(TypeMapping.map("a", Types.TIME_WITH_TIMEZONE, "timetz", 15, 6, true).sqlType()).isEqualTo("timetz");
        assertThat(TypeMapping.map("a", Types.TIMESTAMP_WITH_TIMEZONE, "timestamptz", 35, 6, true).sqlType()).isEqualTo("timestamptz");
        assertThat(TypeMapping.map("a", Types.TIMESTAMP, "timestamp", 29, 6, true).sqlType()).isEqualTo("timestamp");
        assertThat(TypeMapping.map("a", Types.CHAR, "bpchar", 3, 0, true).sqlType()).isEqualTo("char(3)");
        // VARCHAR(n) counts bytes in Redshift: n characters in PostgreSQL always hold it
        assertThat(TypeMapping.map("a", Types.VARCHAR, "varchar", 65535, 0, true).sqlType()).isEqualTo("varchar(65535)");
        assertThat(TypeMapping.map("a", Types.LONGVARCHAR, "super", 0, 0, true).sqlType()).isEqualTo("jsonb");
        assertThat(TypeMapping.map("a", Types.LONGVARBINARY, "varbyte", 64000, 0, true).sqlType()).isEqualTo("bytea");
        assertThat(TypeMapping.map("a", Types.LONGVARBINARY, "geometry", 0, 0, true).sqlType()).isEqualTo("bytea");
        assertThat(TypeMapping.map("a", Types.LONGVARBINARY, "geography", 0, 0, true).sqlType()).isEqualTo("bytea");
        assertThat(TypeMapping.map("a", Types.NUMERIC, "numeric", 38, 38, true).sqlType()).isEqualTo("numeric(38,38)");
    }

    @Test
    void unsupportedTypesNameTheColumn() {
        assertThatThrownBy(() -> TypeMapping.map("sketch", Types.OTHER, "hllsketch", 0, 0, true))
                .hasMessageContaining("\"sketch\"").hasMessageContaining("hllsketch");
    }

    @Test
    void tableNamesParseQuotedParts() {
        assertThat(TableName.parse("public.lineitem")).isEqualTo(new TableName("public", "lineitem"));
        assertThat(TableName.parse("lineitem")).isEqualTo(new TableName("public", "lineitem"));
        assertThat(TableName.parse("\"my.schema\".\"Odd \"\"name\"\"\"")).isEqualTo(new TableName("my.schema", "Odd \"name\""));
        assertThat(new TableName("a\"b", "c").quoted()).isEqualTo("\"a\"\"b\".\"c\"");
        assertThatThrownBy(() -> TableName.parse("a.b.c")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fingerprintChangesWithTheSchema() {
        TableSchema a = new TableSchema(java.util.List.of(TypeMapping.map("id", Types.INTEGER, "int4", 10, 0, false),
                TypeMapping.map("v", Types.VARCHAR, "varchar", 10, 0, true)), java.util.List.of("id"));
        TableSchema b = new TableSchema(java.util.List.of(TypeMapping.map("id", Types.INTEGER, "int4", 10, 0, false),
                TypeMapping.map("v", Types.VARCHAR, "varchar", 20, 0, true)), java.util.List.of("id"));
        assertThat(a.fingerprint()).isEqualTo(new TableSchema(a.columns(), a.keyColumns()).fingerprint()).isNotEqualTo(b.fingerprint());
    }

    /**
     * What pgjdbc reports for the PostgreSQL stand-in's own types (read from pgjdbc 42 against PostgreSQL 17):
     * none may slip through as another family under a shared JDBC code.
     */
    @Test
    void standInTypesAreMappedFaithfullyOrRefusedNamingTheColumn() {
        Object[][] refused = {
                {Types.BIT, "bit"}, {Types.OTHER, "varbit"}, {Types.DOUBLE, "money"}, {Types.OTHER, "interval"},
                {Types.OTHER, "inet"}, {Types.OTHER, "cidr"}, {Types.OTHER, "macaddr"}, {Types.OTHER, "macaddr8"},
                {Types.SQLXML, "xml"}, {Types.ARRAY, "_int4"}, {Types.ARRAY, "_text"}, {Types.OTHER, "int4range"},
                {Types.OTHER, "tstzrange"}, {Types.STRUCT, "pair"}, {Types.OTHER, "tsvector"}, {Types.OTHER, "tsquery"},
                {Types.OTHER, "xid"}, {Types.OTHER, "regclass"}, {Types.OTHER, "point"}, {Types.OTHER, "pg_lsn"},
                {Types.OTHER, "geometry"}, {Types.OTHER, "hllsketch"}, {Types.BIGINT, "some_int8_domain_like"},
                {Types.REAL, "whatever"}, {Types.NUMERIC, "numeric_like"}, {Types.BINARY, "blob_like"}};
        for (Object[] r : refused) {
            assertThatThrownBy(() -> TypeMapping.map("col", (Integer) r[0], (String) r[1], 0, 0, true)).as((String) r[1])
                    .isInstanceOf(TypeMapping.UnsupportedTypeException.class)
                    .hasMessageStartingWith("column \"col\" has unsupported type " + r[1])
                    .hasMessageContaining("sync a view of the source");
        }
        assertThatThrownBy(() -> TypeMapping.map("m", Types.DOUBLE, "money", 0, 0, true)).hasMessageContaining("\"m\"::numeric");
        assertThatThrownBy(() -> TypeMapping.map("a", Types.ARRAY, "_int4", 0, 0, true)).hasMessageContaining("to_jsonb(\"a\")");
        // enums (reported as VARCHAR under their own name) compare as their labels: text
        assertThat(TypeMapping.map("e", Types.VARCHAR, "mood", Integer.MAX_VALUE, 0, true).sqlType()).isEqualTo("text");
        assertThat(TypeMapping.map("u", Types.OTHER, "uuid", 0, 0, true)).satisfies(c -> {
            assertThat(c.type()).isEqualTo(ColumnType.TEXT);
            assertThat(c.sqlType()).isEqualTo("uuid");
        });
        assertThat(TypeMapping.map("o", Types.BIGINT, "oid", 10, 0, true).sqlType()).isEqualTo("bigint");
        assertThat(TypeMapping.map("c", Types.OTHER, "citext", 0, 0, true).sqlType()).isEqualTo("text");
        // domains arrive as their base type (PostgreSQL describes result columns so)
        assertThat(TypeMapping.map("d", Types.INTEGER, "int4", 10, 0, true).sqlType()).isEqualTo("integer");
    }
}
