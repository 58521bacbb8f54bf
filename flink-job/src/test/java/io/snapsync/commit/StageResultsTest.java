package io.snapsync.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageResultsTest {

    private static StageResults complete(int parallelism) {
        StageResults r = new StageResults();
        for (int i = 0; i < parallelism; i++) {
            r.add(new WriteResult.StagedPart(Stage.UPSERTS, i, 0, i, i, 0));
            r.add(new WriteResult.StagedPart(Stage.DELETES, i, 0, 1, 0, 0));
            r.add(new WriteResult.CacheFile(i, 0, 10, "part-" + i + "-a0.parquet", 100, "ab"));
            r.add(new WriteResult.IssueCounts(i, 0, 0, 0, 0, 0, 0, List.of()));
        }
        return r;
    }

    @Test
    void aStageMissingASubtaskAppliesNothing() {
        StageResults r = complete(2);
        r.requireComplete(2);
        StageResults partial = new StageResults();
        partial.add(new WriteResult.StagedPart(Stage.UPSERTS, 0, 0, 1, 1, 0));
        assertThatThrownBy(() -> partial.requireComplete(1)).hasMessageContaining("DELETES writers reported []")
                .hasMessageContaining("nothing applied");
    }

    @Test
    void theTypedViewsHoldEachStagesResultsInSubtaskOrder() {
        StageResults r = new StageResults();
        r.add(new WriteResult.StagedPart(Stage.UPSERTS, 1, 0, 5, 5, 0));
        r.add(new WriteResult.StagedPart(Stage.UPSERTS, 0, 2, 0, 0, 0));
        assertThat(r.staged(Stage.UPSERTS)).extracting(WriteResult.StagedPart::subtask).containsExactly(0, 1);
        assertThat(r.stagedNonEmpty(Stage.UPSERTS)).extracting(WriteResult.StagedPart::attempt).containsExactly(0);
        assertThat(complete(3).cacheFiles()).hasSize(3);
        assertThat(complete(3).issues()).hasSize(3);
        assertThat(complete(3).failure()).isEmpty();
    }

    @Test
    void aSubtaskThatGaveUpIsTheTablesFailure() {
        StageResults r = complete(2);
        r.add(new WriteResult.Failed(Stage.CACHE, 1, 0, "disk full"));
        assertThat(r.failure()).contains("disk full");
    }

    @Test
    void twoAttemptsOfOneSubtaskAreABug() {
        StageResults r = new StageResults();
        r.add(new WriteResult.CacheFile(0, 0, 1, "a", 1, "x"));
        assertThatThrownBy(() -> r.add(new WriteResult.CacheFile(0, 1, 1, "b", 1, "y")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("two results for CACHE subtask 0");
    }
}
