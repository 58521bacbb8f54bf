package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.TablePolicies;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import io.snapsync.schema.TypeMapping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaChangeTest {
    private static Column col(String name, String type, boolean nullable) {
        String t = type.replaceAll("\\(.*", "");
        int p = 0;
        int s = 0;
        if (t.equals("numeric") && type.contains("(")) {
            String[] ps = type.substring(type.indexOf('(') + 1, type.length() - 1).split(",");
            p = Integer.parseInt(ps[0]);
            s = Integer.parseInt(ps[1]);
        }
        return TypeMapping.map(name, 0, t, t.equals("numeric") ? p : SchemaChange.length(type), s, nullable);
    }

    private static TableSchema schema(Column... cols) {
        return new TableSchema(List.of(cols), List.of("id"));
    }

    private final Column id = col("id", "integer", false);

    @Test
    void classifiesAddedDroppedWidenedAndIncompatibleColumns() {
        TableSchema before = schema(id, col("name", "varchar(10)", true), col("qty", "integer", true),
                col("amount", "numeric(10,2)", true), col("note", "text", true), col("code", "char(3)", true), col("f", "real", false));
        TableSchema now = schema(id, col("name", "varchar(40)", true), col("qty", "bigint", true),
                col("amount", "numeric(14,4)", true), col("code", "char(5)", true), col("f", "double precision", true),
                col("extra", "text", true));
        SchemaChange c = SchemaChange.between(before, now);
        assertThat(c.added()).extracting(Column::name).containsExactly("extra");
        assertThat(c.dropped()).extracting(Column::name).containsExactly("note");
        assertThat(c.widened()).extracting(Column::name).containsExactly("name", "qty", "amount", "f");
        assertThat(c.relaxed()).extracting(Column::name).containsExactly("f");
        assertThat(c.incompatible()).containsExactly("column \"code\" changed from char(3) to char(5)");
        assertThat(c.compatible()).isFalse();
    }

    @Test
    void narrowingOrChangingFamilyIsIncompatible() {
        assertThat(SchemaChange.widens(col("a", "bigint", true), col("a", "integer", true))).isFalse();
        assertThat(SchemaChange.widens(col("a", "varchar(10)", true), col("a", "varchar(5)", true))).isFalse();
        assertThat(SchemaChange.widens(col("a", "text", true), col("a", "varchar(5)", true))).isFalse();
        assertThat(SchemaChange.widens(col("a", "varchar(10)", true), col("a", "text", true))).isTrue();
        assertThat(SchemaChange.widens(col("a", "numeric(10,2)", true), col("a", "numeric(10,4)", true))).as("fewer integer digits").isFalse();
        assertThat(SchemaChange.widens(col("a", "numeric(10,2)", true), col("a", "numeric", true))).isTrue();
        assertThat(SchemaChange.widens(col("a", "integer", true), col("a", "numeric(20,0)", true))).isFalse();
        assertThat(SchemaChange.between(schema(id), new TableSchema(List.of(id, col("b", "text", false)), List.of("id", "b")))
                .incompatible()).containsExactly("the key changed from [id] to [id, b]");
    }

    @Test
    void ddlAltersOnlyWhatTheTargetNeeds() {
        TableSchema before = schema(id, col("name", "varchar(10)", true), col("qty", "integer", true), col("note", "text", true));
        TableSchema now = schema(id, col("name", "varchar(40)", true), col("qty", "bigint", true), col("extra", "numeric(5,1)", true));
        SchemaChange c = SchemaChange.between(before, now);
        TableName t = TableName.parse("app.\"Items\"");
        Map<String, TargetColumn> target = Map.of(
                "id", TargetColumn.of("id", "integer", -1),
                "name", TargetColumn.of("name", "character varying", 10 + 4),
                "qty", TargetColumn.of("qty", "bigint", -1), // declared wider by hand: left alone
                "note", TargetColumn.of("note", "text", -1));
        assertThat(c.targetDdl(t, TablePolicies.DroppedColumns.KEEP, target)).containsExactly(
                "ALTER TABLE \"app\".\"Items\" ADD COLUMN \"extra\" numeric(5,1)",
                "ALTER TABLE \"app\".\"Items\" ALTER COLUMN \"name\" TYPE varchar(40)");
        assertThat(c.targetDdl(t, TablePolicies.DroppedColumns.DROP, target))
                .contains("ALTER TABLE \"app\".\"Items\" DROP COLUMN \"note\"");
        assertThat(c.describe()).isEqualTo("added \"extra\" numeric(5,1), dropped \"note\", widened \"name\" to varchar(40), "
                + "widened \"qty\" to bigint");
    }
}
