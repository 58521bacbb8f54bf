package io.snapsync.commit;

import io.snapsync.result.Stage;
import io.snapsync.result.WriteResult;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The results one table's committer received, one per subtask of each stage, and typed views of them once all are in. */
final class StageResults {
    private final Map<Stage, Map<Integer, WriteResult>> received = new EnumMap<>(Stage.class);

    StageResults() {
        for (Stage s : Stage.values()) {
            received.put(s, new TreeMap<>());
        }
    }

    void add(WriteResult r) {
        WriteResult previous = received.get(r.stage()).put(r.subtask(), r);
        if (previous != null && previous.attempt() != r.attempt()) {
            // blocking batch exchanges hand over one finished attempt per subtask; two means a bug upstream
            throw new IllegalStateException("two results for " + r.stage() + " subtask " + r.subtask() + ": " + previous + " and " + r);
        }
    }

    /** Fails unless every stage reported from each of its {@code parallelism} subtasks: nothing may be applied then. */
    void requireComplete(int parallelism) {
        for (Stage s : Stage.values()) {
            if (received.get(s).size() != parallelism) {
                throw new IllegalStateException(s + " writers reported " + received.get(s).keySet() + ", expected "
                        + parallelism + " subtasks; nothing applied");
            }
        }
    }

    /** Why a subtask gave up on the table, if one did (the first in stage and subtask order). */
    Optional<String> failure() {
        return received.values().stream().flatMap(m -> m.values().stream())
                .filter(WriteResult.Failed.class::isInstance).map(r -> ((WriteResult.Failed) r).error()).findFirst();
    }

    /** Call only when {@link #failure()} is empty: then every upsert and delete result is a staged part. */
    List<WriteResult.StagedPart> staged(Stage stage) {
        return of(stage, WriteResult.StagedPart.class);
    }

    List<WriteResult.StagedPart> stagedNonEmpty(Stage stage) {
        return staged(stage).stream().filter(r -> r.rows() > 0).toList();
    }

    List<WriteResult.CacheFile> cacheFiles() {
        return of(Stage.CACHE, WriteResult.CacheFile.class);
    }

    List<WriteResult.IssueCounts> issues() {
        return of(Stage.ISSUES, WriteResult.IssueCounts.class);
    }

    private <T extends WriteResult> List<T> of(Stage stage, Class<T> type) {
        return received.get(stage).values().stream().map(type::cast).toList();
    }
}
