package io.snapsync.gate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * At most {@code limit} members (tables) hold a read permit at once; the others wait in the order they asked and
 * are granted one, through the callback they gave, as permits come back. Thread-safe: the members are source
 * enumerators, each in its own coordinator thread. Callbacks run outside the lock.
 *
 * <p>One pool per run ({@link #join}): the enumerators of one job share it (they all run in the JobManager);
 * jobs of other runs in the same JVM (a MiniCluster, a session cluster with the jar in lib/) have their own.
 */
public final class ReadPermits {
    private static final Map<String, ReadPermits> POOLS = new HashMap<>();

    private final int limit;
    private final Set<String> holders = new LinkedHashSet<>();
    private final Map<String, Runnable> waiting = new LinkedHashMap<>();
    private int members;

    ReadPermits(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a read permit pool needs at least one permit, got " + limit);
        }
        this.limit = limit;
    }

    /** The pool of run {@code gateId}, created by its first member; pair with {@link #leave}. */
    public static ReadPermits join(String gateId, int limit) {
        synchronized (POOLS) {
            ReadPermits p = POOLS.computeIfAbsent(gateId, id -> new ReadPermits(limit));
            synchronized (p) {
                p.members++;
            }
            return p;
        }
    }

    /** Gives up {@code member}'s permit or place in the queue; the last member to leave removes the pool. */
    public static void leave(String gateId, ReadPermits pool, String member) {
        pool.withdraw(member);
        synchronized (POOLS) {
            synchronized (pool) {
                if (--pool.members == 0) {
                    POOLS.remove(gateId, pool);
                }
            }
        }
    }

    /** Pools currently alive, for tests: none may be left behind once every member has left. */
    static int pools() {
        synchronized (POOLS) {
            return POOLS.size();
        }
    }

    /**
     * Asks for a permit: true when {@code member} holds one now (also when it already did); otherwise it waits in
     * line and {@code onGranted} runs once it is granted one (unless it withdraws first).
     */
    public boolean acquire(String member, Runnable onGranted) {
        synchronized (this) {
            if (holders.contains(member)) {
                return true;
            }
            if (waiting.isEmpty() && holders.size() < limit) {
                holders.add(member);
                return true;
            }
            waiting.putIfAbsent(member, onGranted);
            return false;
        }
    }

    /** Returns {@code member}'s permit (if it holds one), granting it to the next in line. */
    public void release(String member) {
        List<Runnable> granted;
        synchronized (this) {
            if (!holders.remove(member)) {
                return;
            }
            granted = grant();
        }
        granted.forEach(Runnable::run);
    }

    /** Leaves the line or returns the permit: the member is gone (its enumerator closed). */
    public void withdraw(String member) {
        List<Runnable> granted;
        synchronized (this) {
            waiting.remove(member);
            if (!holders.remove(member)) {
                return;
            }
            granted = grant();
        }
        granted.forEach(Runnable::run);
    }

    private List<Runnable> grant() {
        List<Runnable> out = new ArrayList<>();
        Deque<String> line = new ArrayDeque<>(waiting.keySet());
        while (holders.size() < limit && !line.isEmpty()) {
            String next = line.poll();
            holders.add(next);
            out.add(waiting.remove(next));
        }
        return out;
    }

    public synchronized Set<String> holders() {
        return Set.copyOf(holders);
    }

    public synchronized List<String> waiting() {
        return List.copyOf(waiting.keySet());
    }

    public int limit() {
        return limit;
    }
}
