package io.snapsync.targetdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeSqlTest {
    private final TableName target = new TableName("public", "lineitem");
    private final TableName stagingU = new TableName("snapsync", "stg_u");
    private final TableName stagingD = new TableName("snapsync", "stg_d");
    private final MergeSql sql = new MergeSql(target, List.of("k1", "k2", "a", "b"), List.of("k1", "k2"), List.of());

    @Test
    void mergeUpdatesOnlyRowsWhoseContentDiffers() {
        assertThat(sql.merge(stagingU)).isEqualTo(
                "MERGE INTO \"public\".\"lineitem\" AS t USING (SELECT \"k1\", \"k2\", \"a\", \"b\" FROM \"snapsync\".\"stg_u\""
                        + " WHERE (\"__snapsync_part\", \"__snapsync_attempt\") IN (SELECT * FROM unnest(?::int[], ?::int[]))) AS s"
                        + " ON t.\"k1\" = s.\"k1\" AND t.\"k2\" = s.\"k2\""
                        + " WHEN MATCHED AND (t.\"a\", t.\"b\") IS DISTINCT FROM (s.\"a\", s.\"b\")"
                        + " THEN UPDATE SET \"a\" = s.\"a\", \"b\" = s.\"b\""
                        + " WHEN NOT MATCHED THEN INSERT (\"k1\", \"k2\", \"a\", \"b\") VALUES (s.\"k1\", s.\"k2\", s.\"a\", s.\"b\")");
    }

    @Test
    void onConflictForPostgres14() {
        assertThat(sql.insertOnConflict(stagingU)).isEqualTo(
                "INSERT INTO \"public\".\"lineitem\" AS t (\"k1\", \"k2\", \"a\", \"b\") SELECT \"k1\", \"k2\", \"a\", \"b\" FROM \"snapsync\".\"stg_u\""
                        + " WHERE (\"__snapsync_part\", \"__snapsync_attempt\") IN (SELECT * FROM unnest(?::int[], ?::int[]))"
                        + " ON CONFLICT (\"k1\", \"k2\") DO UPDATE SET \"a\" = EXCLUDED.\"a\", \"b\" = EXCLUDED.\"b\""
                        + " WHERE (t.\"a\", t.\"b\") IS DISTINCT FROM (EXCLUDED.\"a\", EXCLUDED.\"b\")");
    }

    @Test
    void deleteJoinsOnTheKey() {
        assertThat(sql.delete(stagingD)).isEqualTo(
                "DELETE FROM \"public\".\"lineitem\" AS t USING (SELECT \"k1\", \"k2\" FROM \"snapsync\".\"stg_d\""
                        + " WHERE (\"__snapsync_part\", \"__snapsync_attempt\") IN (SELECT * FROM unnest(?::int[], ?::int[]))) AS d"
                        + " WHERE t.\"k1\" = d.\"k1\" AND t.\"k2\" = d.\"k2\"");
    }

    /**
     * JSON key collisions: the target's key equality joins (an index probe per staged row) and groups (the staged rows
     * among themselves), the text (byte order, COLLATE "C") tells them apart. Four binds.
     */
    @Test
    void keyTextCollisionsJoinOnTheKeyAndCompareTheJsonColumnsAsText() {
        String q = sql.keyTextCollisions(stagingU, List.of("k2"));
        assertThat(q).startsWith("(SELECT t.\"k2\"::text, s.\"k2\"::text FROM \"public\".\"lineitem\" AS t JOIN (SELECT \"k1\", \"k2\" FROM \"snapsync\".\"stg_u\"")
                .contains(" ON t.\"k1\" = s.\"k1\" AND t.\"k2\" = s.\"k2\" WHERE ROW(t.\"k2\"::text COLLATE \"C\") IS DISTINCT FROM ROW(s.\"k2\"::text COLLATE \"C\") LIMIT 3)")
                .contains(" UNION ALL (SELECT min(\"k2\"::text COLLATE \"C\"), max(\"k2\"::text COLLATE \"C\") FROM (SELECT")
                .endsWith(" AS s GROUP BY \"k1\", \"k2\" HAVING min(\"k2\"::text COLLATE \"C\") <> max(\"k2\"::text COLLATE \"C\") LIMIT 3)");
        assertThat(q.chars().filter(ch -> ch == '?').count()).isEqualTo(4);
    }

    @Test
    void keyOnlyTableInsertsAndNeverUpdates() {
        MergeSql keyOnly = new MergeSql(target, List.of("k"), List.of("k"), List.of());
        assertThat(keyOnly.merge(stagingU)).doesNotContain("WHEN MATCHED").contains("WHEN NOT MATCHED THEN INSERT");
        assertThat(keyOnly.insertOnConflict(stagingU)).endsWith("ON CONFLICT (\"k\") DO NOTHING");
    }

    @Test
    void hostileIdentifiersStayQuoted() {
        MergeSql hostile = new MergeSql(new TableName("we\"ird", "Drop; Table"), List.of("id", "x\"); DROP TABLE t; --"),
                List.of("id"), List.of());
        String s = hostile.merge(stagingU);
        assertThat(s).contains("\"we\"\"ird\".\"Drop; Table\"").contains("\"x\"\"); DROP TABLE t; --\"");
    }

    @Test
    void plainJsonColumnsAreComparedAsText() {
        MergeSql withJson = new MergeSql(target, List.of("k", "doc"), List.of("k"), List.of("doc"));
        assertThat(withJson.merge(stagingU)).contains("(t.\"doc\"::text) IS DISTINCT FROM (s.\"doc\"::text)");
    }
}
