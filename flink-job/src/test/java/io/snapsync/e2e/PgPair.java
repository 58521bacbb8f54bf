package io.snapsync.e2e;

import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/** A source and a target database (possibly on different servers) plus a cache directory, for one test. */
final class PgPair implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    final EmbeddedPostgres sourcePg;
    final EmbeddedPostgres targetPg;
    final String sourceDb;
    final String targetDb;
    final Connection source;
    final Connection target;
    final Path cache;

    PgPair(EmbeddedPostgres sourcePg, EmbeddedPostgres targetPg, Path cache) throws Exception {
        int n = SEQ.incrementAndGet();
        this.sourcePg = sourcePg;
        this.targetPg = targetPg;
        this.sourceDb = "src_" + n;
        this.targetDb = "tgt_" + n;
        sourcePg.createDatabase(sourceDb);
        targetPg.createDatabase(targetDb);
        this.source = sourcePg.getConnection(sourceDb);
        this.target = targetPg.getConnection(targetDb);
        this.cache = cache;
    }

    void both(String sql) throws Exception {
        exec(source, sql);
        exec(target, sql);
    }

    static void exec(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long update(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    /** Every row as PostgreSQL's text form, in key order: equal lists mean equal tables. */
    static List<String> rows(Connection c, String table, String orderBy) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t ORDER BY " + orderBy)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static long scalar(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The committed cache versions' manifests under {@code cache}: unchanged means no version was committed. */
    static List<String> manifests(Path cache) throws Exception {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(cache)) {
            return s.filter(f -> f.getFileName().toString().equals("_manifest.json")).map(Path::toString).sorted().toList();
        }
    }

    /** Writes a YAML config syncing table {@code t} (key {@code id}) with the given {@code job:} settings, for CLI runs. */
    Path writeYaml(Path file, String job) throws Exception {
        java.nio.file.Files.writeString(file, """
                source: { url: "%s", user: postgres }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { %s }
                tables:
                  - { name: t, source: public.t, target: public.t, primary-key: [id] }
                """.formatted(sourcePg.getJdbcUrl(sourceDb), targetPg.getJdbcUrl(targetDb), cache.toUri(), job));
        return file;
    }

    SyncConfig config(String table, List<String> key, int parallelism) {
        return new SyncConfig(
                new SyncConfig.Source(sourcePg.getJdbcUrl(sourceDb), EmbeddedPostgres.USER, null, Map.of(), 100, true),
                new SyncConfig.Target(targetPg.getJdbcUrl(targetDb), EmbeddedPostgres.USER, null, Map.of(), null, null),
                new SyncConfig.Cache(cache.toUri().toString(), null, null, null, 2),
                new SyncConfig.Job(parallelism, 5, 0, 1.0, 1.0),
                List.of(new SyncConfig.Table(table, "public." + table, "public." + table, key, null, null, null)));
    }

    @Override
    public void close() throws Exception {
        source.close();
        target.close();
    }

    static Connection connect(String url) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", EmbeddedPostgres.USER);
        return DriverManager.getConnection(url, p);
    }
}
