package io.snapsync.commit;

import io.snapsync.fault.CommitHook;
import io.snapsync.result.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Applies a staged change set in many small transactions instead of one, so that a first load of
 * hundreds of millions of rows does not hold locks and bloat one huge transaction on a live service.
 *
 * <p>Each chunk is one reported writer attempt's rows at positions {@code [from, to)}: at most N keys,
 * disjoint from every other chunk. Applying a chunk twice changes nothing the second time (deletes of
 * absent keys, MERGE updating only rows that differ), so after a crash the committed chunks are a
 * prefix of an idempotent change set, and a retried committer may start again from the first chunk.
 */
public final class ChunkedApply {
    /** A slice of one writer attempt's staged rows. */
    public record Chunk(int part, int attempt, long from, long to) {}

    private ChunkedApply() {}

    /** Splits every reported attempt's rows into chunks of at most {@code rowsPerChunk}. */
    public static List<Chunk> plan(Collection<WriteResult.StagedPart> reported, int rowsPerChunk) {
        if (rowsPerChunk < 1) {
            throw new IllegalArgumentException("rows per chunk must be positive");
        }
        List<Chunk> chunks = new ArrayList<>();
        for (WriteResult.StagedPart r : reported) {
            for (long from = 0; from < r.rows(); from += rowsPerChunk) {
                chunks.add(new Chunk(r.subtask(), r.attempt(), from, Math.min(r.rows(), from + rowsPerChunk)));
            }
        }
        return chunks;
    }

    /**
     * Runs {@code sql} (binding part, attempt, from, to) once per chunk, committing each, pausing in
     * between. Returns the rows changed in the target. The connection must have auto-commit off.
     */
    public static long run(Connection c, String sql, List<Chunk> chunks, Duration pause, CommitHook hook) throws Exception {
        long changed = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < chunks.size(); i++) {
                Chunk ch = chunks.get(i);
                ps.setInt(1, ch.part());
                ps.setInt(2, ch.attempt());
                ps.setLong(3, ch.from());
                ps.setLong(4, ch.to());
                try {
                    changed += ps.executeLargeUpdate();
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                }
                hook.at(CommitHook.Point.CHUNK_APPLIED);
                if (!pause.isZero() && i < chunks.size() - 1) {
                    Thread.sleep(pause.toMillis()); // let the live service's own queries through
                }
            }
        }
        return changed;
    }
}
