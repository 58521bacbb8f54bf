package io.snapsync.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import io.snapsync.schema.TableName;
import io.snapsync.targetdb.MergeSql;
import io.snapsync.targetdb.TargetDialect;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkedApplyTest {
    private static WriteResult.StagedPart result(int part, int attempt, long rows) {
        return new WriteResult.StagedPart(Stage.UPSERTS, part, attempt, rows, rows, 0);
    }

    @Test
    void chunksCoverEveryStagedRowOfEveryReportedAttemptExactlyOnce() {
        List<ChunkedApply.Chunk> chunks = ChunkedApply.plan(List.of(result(0, 0, 250), result(1, 2, 100), result(3, 1, 1)), 100);
        assertThat(chunks).containsExactly(
                new ChunkedApply.Chunk(0, 0, 0, 100), new ChunkedApply.Chunk(0, 0, 100, 200), new ChunkedApply.Chunk(0, 0, 200, 250),
                new ChunkedApply.Chunk(1, 2, 0, 100),
                new ChunkedApply.Chunk(3, 1, 0, 1));
        assertThat(ChunkedApply.plan(List.of(result(0, 0, 0)), 10)).isEmpty();
        assertThatThrownBy(() -> ChunkedApply.plan(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunkStatementsSelectOneAttemptsRowsByPosition() {
        MergeSql sql = new MergeSql(TableName.parse("public.t"), List.of("id", "v"), List.of("id"), List.of());
        TableName staging = new TableName("snapsync", "stg");
        String chunk = " WHERE \"__snapsync_part\" = ? AND \"__snapsync_attempt\" = ? AND \"__snapsync_seq\" >= ? AND \"__snapsync_seq\" < ?";
        assertThat(sql.upsert(staging, TargetDialect.MERGE, true)).startsWith("MERGE INTO \"public\".\"t\"").contains(chunk);
        assertThat(sql.upsert(staging, TargetDialect.ON_CONFLICT, true)).startsWith("INSERT INTO \"public\".\"t\"").contains(chunk)
                .contains("ON CONFLICT (\"id\")");
        assertThat(sql.delete(staging, true)).startsWith("DELETE FROM \"public\".\"t\"").contains(chunk);
        assertThat(sql.upsert(staging, TargetDialect.MERGE, false)).isEqualTo(sql.merge(staging)).doesNotContain("__snapsync_seq");
        assertThat(sql.delete(staging, false)).isEqualTo(sql.delete(staging));
    }
}
