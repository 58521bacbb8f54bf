package io.snapsync.targetdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TypeMapping;
import io.snapsync.targetdb.TargetCatalog;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowNamesTest {
    static final String RUN = "20261124T013000Z-3f9a1c";

    @Test
    void shadowLivesInTheTargetSchemaAndNamesTableAndRun() {
        TableName s = ShadowNames.shadow(new TableName("app", "orders"), RUN);
        assertThat(s.schema()).isEqualTo("app");
        assertThat(s.table()).isEqualTo("snapsync_rs_orders_20261124t013000z3f9a1c");
        assertThat(ShadowNames.isShadowOf(new TableName("app", "orders"), s.table())).isTrue();
    }

    @Test
    void longAndHostileNamesStayWithin63BytesAndDoNotCollide() {
        String longName = "ä".repeat(40) + " \"; drop table x; --";
        TableName a = ShadowNames.shadow(new TableName("s", longName), RUN);
        TableName b = ShadowNames.shadow(new TableName("s", longName + "2"), RUN);
        assertThat(a.table().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(a.table()).matches("[a-z0-9_]+").isNotEqualTo(b.table());
        TableName upper = ShadowNames.shadow(new TableName("s", "Orders"), RUN);
        assertThat(upper.table()).isNotEqualTo(ShadowNames.shadow(new TableName("s", "orders"), RUN).table());
        assertThat(ShadowNames.index(new TableName("s", longName), RUN, 12).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        // one run builds the shadows of all its tables: two tables of one schema must not share index names
        assertThat(ShadowNames.index(new TableName("s", "a"), RUN, 0)).isNotEqualTo(ShadowNames.index(new TableName("s", "b"), RUN, 0));
    }

    @Test
    void leftoverMatchingIsExactToTheTable() {
        TableName t = new TableName("public", "t");
        TableName tx = new TableName("public", "t_x");
        String shadowOfTx = ShadowNames.shadow(tx, RUN).table();
        assertThat(ShadowNames.isShadowOf(t, ShadowNames.shadow(t, RUN).table())).isTrue();
        assertThat(ShadowNames.isShadowOf(t, shadowOfTx)).isFalse();
        assertThat(ShadowNames.isShadowOf(tx, shadowOfTx)).isTrue();
        assertThat(ShadowNames.isShadowOf(t, "snapsync_rs_t_mine")).isFalse();
        assertThat(ShadowNames.isShadowOf(t, ShadowNames.index(t, RUN, 0))).isFalse();
    }

    @Test
    void shadowDdlHasSourceTypesAndNotNullsButNoKeyYet() {
        Column id = TypeMapping.map("id", Types.INTEGER, "int4", 10, 0, true);
        Column v = TypeMapping.map("Odd \"v\"", Types.VARCHAR, "varchar", 20, 0, false);
        String sql = TargetCatalog.createTableSql(new TableName("s", "x"), new TableSchema(List.of(id, v), List.of("id")), false);
        assertThat(sql).isEqualTo("CREATE TABLE \"s\".\"x\" (\"id\" " + id.sqlType() + " NOT NULL, \"Odd \"\"v\"\"\" "
                + v.sqlType() + " NOT NULL)");
    }
}
