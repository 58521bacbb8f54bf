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

    @Test
    void unsupportedTypesNameTheColumn() {
        assertThatThrownBy(() -> TypeMapping.map("geo", Types.OTHER, "geometry", 0, 0, true))
                .hasMessageContaining("\"geo\"").hasMessageContaining("geometry");
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
}
