package io.snapsync.cluster;

import io.snapsync.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster scenarios' data: tables {@code a} and {@code b} in a source and a target database, a
 * snapsync config syncing both (restart-attempts 0: nothing hides behind a task retry), and the day-1,
 * day-2 and bad-data changes. Source {@code b} has no key constraint, so it can hold a duplicated key.
 */
final class TwoTables implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    final Connection source;
    final Connection target;
    final Path config;
    final Path cache;

    TwoTables(EmbeddedPostgres pg, Path dir) throws Exception {
        this(pg, dir, "");
    }

    /** @param moreJob more {@code job:} keys, e.g. {@code ", concurrent-tables: 1"} */
    TwoTables(EmbeddedPostgres pg, Path dir, String moreJob) throws Exception {
        int n = SEQ.incrementAndGet();
        String src = "csrc_" + n;
        String tgt = "ctgt_" + n;
        pg.createDatabase(src);
        pg.createDatabase(tgt);
        source = pg.getConnection(src);
        target = pg.getConnection(tgt);
        exec(source, "CREATE TABLE public.a (id integer PRIMARY KEY, v text, n numeric(10,2)); CREATE TABLE public.b (id bigint, s text)");
        exec(target, "CREATE TABLE public.a (id integer PRIMARY KEY, v text, n numeric(10,2)); CREATE TABLE public.b (id bigint PRIMARY KEY, s text)");
        exec(source, "INSERT INTO a SELECT i, md5(i::text), i / 7.0 FROM generate_series(1, 3000) i");
        exec(source, "INSERT INTO b SELECT i, 'b' || i FROM generate_series(1, 2000) i");
        cache = dir.resolve("cache");
        config = dir.resolve("snapsync.yaml");
        Files.writeString(config, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: 2, restart-attempts: 0, max-delete-share: 1.0%s }
                tables:
                  - { name: a, source: public.a, target: public.a, primary-key: [id] }
                  - { name: b, source: public.b, target: public.b, primary-key: [id] }
                """.formatted(pg.getJdbcUrl(src), pg.getJdbcUrl(tgt), cache.toUri(), moreJob));
    }

    void day2() throws Exception {
        exec(source, "UPDATE a SET v = 'changed' WHERE id % 10 = 0; DELETE FROM a WHERE id % 37 = 0; "
                + "INSERT INTO a SELECT i, 'new', NULL FROM generate_series(5001, 5100) i");
        exec(source, "UPDATE b SET s = NULL WHERE id % 3 = 0; DELETE FROM b WHERE id > 1900");
    }

    /** Day 3: a changes again, b gets a duplicated key (on-duplicate-key defaults to fail). */
    void badDataInB() throws Exception {
        exec(source, "UPDATE a SET v = 'day3' WHERE id % 11 = 0; INSERT INTO b VALUES (5, 'twice')");
    }

    boolean inSync(String table) throws Exception {
        return rows(source, table).equals(rows(target, table));
    }

    static List<String> rows(Connection c, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT t::text FROM public." + table + " t ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The run's report as its job recorded it in the control schema. */
    Optional<String> report(String runId) throws Exception {
        try (PreparedStatement ps = target.prepareStatement("SELECT report FROM snapsync.sync_runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The newest run's report (by finish time). */
    String lastReport() throws Exception {
        try (Statement s = target.createStatement();
             ResultSet rs = s.executeQuery("SELECT report FROM snapsync.sync_runs ORDER BY finished_at DESC LIMIT 1")) {
            if (!rs.next()) {
                throw new IllegalStateException("no run recorded in snapsync.sync_runs");
            }
            return rs.getString(1);
        }
    }

    /** Waits until no session holds a snapsync table lock (the run's locks are released when its job ended). */
    void awaitLocksReleased() throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = x'534E4150'::int::oid")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the run's table locks are still held 30 s after its job ended");
            }
            Thread.sleep(200);
        }
    }

    long stagingTables() throws Exception {
        try (Statement s = target.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'snapsync_stg_%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void exec(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws Exception {
        source.close();
        target.close();
    }
}
