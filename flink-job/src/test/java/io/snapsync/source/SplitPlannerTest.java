package io.snapsync.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import java.io.Serializable;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitPlannerTest {
    private final TableSchema schema = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("v", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));
    private final TableName table = new TableName("public", "t");

    /** Evaluates the range predicate for one value the way the SQL does. */
    private static boolean matches(Serializable[] p, Long v) {
        if (v == null) {
            return (Boolean) p[4];
        }
        return ((Boolean) p[0] || v >= (Long) p[1]) && ((Boolean) p[2] || v < (Long) p[3]);
    }

    @Test
    void rangeSplitsCoverEveryValueExactlyOnceIncludingOutliersAndNull() {
        SourceQuery q = SplitPlanner.byRange(schema, table, "id", -5, 1_000, 7);
        assertThat(q.splitCount()).isEqualTo(7);
        for (Long v : new Long[] {Long.MIN_VALUE, -6L, -5L, 0L, 143L, 999L, 1_000L, 1_001L, Long.MAX_VALUE, null}) {
            long hits = java.util.Arrays.stream(q.splits()).filter(p -> matches(p, v)).count();
            assertThat(hits).as("value %s", v).isEqualTo(1);
        }
        assertThat(q.sql()).startsWith("SELECT \"id\", \"v\" FROM \"public\".\"t\" WHERE");
    }

    @Test
    void fewerSplitsThanDistinctValues() {
        assertThat(SplitPlanner.byRange(schema, table, "id", 5, 6, 8).splitCount()).isEqualTo(2);
        assertThat(SplitPlanner.byRange(schema, table, "id", Long.MIN_VALUE, Long.MAX_VALUE, 4).splitCount()).isEqualTo(4);
    }

    @Test
    void hashSplitsPerDialect() {
        SourceQuery pg = SplitPlanner.byHash(schema, table, new SourceDialect.Postgres(), 3);
        assertThat(pg.sql()).contains("hashtext(ROW(\"id\")::text)");
        assertThat(pg.splits()).hasDimensions(3, 2);
        SourceQuery rs = SplitPlanner.byHash(new TableSchema(schema.columns(), List.of("id", "v")), table, new SourceDialect.Redshift(), 2);
        assertThat(rs.sql()).contains("FNV_HASH(\"v\", FNV_HASH(\"id\"))");
    }
}
