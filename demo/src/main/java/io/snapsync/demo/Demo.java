package io.snapsync.demo;

import io.snapsync.config.SyncConfig;
import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.run.RunReport;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.trino.tpch.LineItem;
import io.trino.tpch.LineItemGenerator;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * {@code snapsync demo}: one embedded PostgreSQL server with two databases, {@code redshift} (standing
 * in for the provider's Redshift) and {@code app} (the application's database). Loads TPC-H lineitem
 * into the source, syncs (day 1: initial load), changes the source, syncs again (day 2), and prints
 * the counts and a checksum of both tables.
 */
public final class Demo {
    static final String DDL = "CREATE TABLE public.lineitem (l_orderkey bigint NOT NULL, l_partkey bigint NOT NULL, "
            + "l_suppkey bigint NOT NULL, l_linenumber integer NOT NULL, l_quantity numeric(15,2) NOT NULL, "
            + "l_extendedprice numeric(15,2) NOT NULL, l_discount numeric(15,2) NOT NULL, l_tax numeric(15,2) NOT NULL, "
            + "l_returnflag char(1) NOT NULL, l_linestatus char(1) NOT NULL, l_shipdate date NOT NULL, "
            + "l_commitdate date NOT NULL, l_receiptdate date NOT NULL, l_shipinstruct char(25) NOT NULL, "
            + "l_shipmode char(10) NOT NULL, l_comment varchar(44) NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber))";
    // order-independent (a sum of each row's 64-bit md5 prefix): no sort, and no aggregated string, which PostgreSQL caps at
    // 1 GB (an ordered string_agg of 32-character md5s fails from ~33M rows)
    static final String CHECKSUM = "SELECT count(*), coalesce(md5(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric)::text), '-') "
            + "FROM public.lineitem t";

    private final double scale;
    private final PrintStream out;
    private final int chunkRows;

    public Demo(double scale, PrintStream out) {
        this(scale, out, 0);
    }

    /** @param chunkRows apply-chunk-rows for both days (0: one transaction each) */
    public Demo(double scale, PrintStream out, int chunkRows) {
        this.scale = scale;
        this.out = out;
        this.chunkRows = chunkRows;
    }

    public boolean run() throws Exception {
        Path cache = Files.createTempDirectory("snapsync-demo-cache-");
        out.println("starting embedded PostgreSQL ...");
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            pg.createDatabase("redshift");
            pg.createDatabase("app");
            try (Connection src = pg.getConnection("redshift"); Connection app = pg.getConnection("app")) {
                execute(src, DDL);
                execute(app, DDL);
                long rows = load(src);
                out.printf("source: TPC-H lineitem at scale %s, %,d rows (stand-in for Redshift)%n", scale, rows);
                out.printf("cache:  %s%n%n", cache.toUri());

                SyncConfig config = new SyncConfig(
                        new SyncConfig.Source(pg.getJdbcUrl("redshift"), EmbeddedPostgres.USER, null, Map.of(), 5_000, true),
                        new SyncConfig.Target(pg.getJdbcUrl("app"), EmbeddedPostgres.USER, null, Map.of(), null, null),
                        new SyncConfig.Cache(cache.toUri().toString(), null, null, null, null),
                        new SyncConfig.Job(2, null, null, null, null),
                        List.of(new SyncConfig.Table("lineitem", "public.lineitem", "public.lineitem",
                                List.of("l_orderkey", "l_linenumber"), null, null, null).with("apply-chunk-rows", chunkRows)));

                boolean ok = day("day 1 (initial load)", config, src, app, null);
                long[] expected = change(src);
                out.printf("%nsource changed: %,d rows updated, %,d inserted, %,d deleted%n%n", expected[1], expected[0], expected[2]);
                ok &= day("day 2 (daily diff)", config, src, app, expected);
                out.println(ok ? "\nOK: target == source after both runs" : "\nFAILED: see above");
                return ok;
            }
        } finally {
            deleteRecursively(cache);
        }
    }

    private boolean day(String label, SyncConfig config, Connection src, Connection app, long[] expected) throws Exception {
        RunReport report = new SyncRunner(config).run(null);
        TableReport t = report.tables.get(0);
        if (!"committed".equals(t.status)) {
            out.printf("%s: FAILED: %s%n", label, t.error);
            return false;
        }
        String[] s = checksum(src);
        String[] a = checksum(app);
        boolean same = s[0].equals(a[0]) && s[1].equals(a[1]);
        out.printf("%s: %s  inserted=%,d updated=%,d deleted=%,d  (snapshot %,d rows, %.1f s; commit %.1f s%s)%n", label, t.name,
                t.inserted, t.updated, t.deleted, t.snapshotRows, report.totalMillis / 1000.0, t.commitMillis / 1000.0,
                t.chunks == null ? "" : String.format(" in %d transactions", t.chunks));
        out.printf("  checksum source=%s (%s rows)  target=%s (%s rows)  %s%n", s[1], s[0], a[1], a[0], same ? "MATCH" : "MISMATCH");
        boolean countsOk = expected == null || (t.inserted == expected[0] && t.updated == expected[1] && t.deleted == expected[2]);
        if (!countsOk) {
            out.printf("  counts differ from the changes made: expected inserted=%d updated=%d deleted=%d%n", expected[0], expected[1], expected[2]);
        }
        return same && countsOk;
    }

    private long load(Connection c) throws Exception {
        long n = loadLineitem(c, scale, "public.lineitem");
        execute(c, "ANALYZE public.lineitem");
        return n;
    }

    /** TPC-H lineitem at the scale, generated and COPYed in 1 MB batches into the table (the demo's, bench's). */
    static long loadLineitem(Connection c, double scale, String table) throws Exception {
        StringBuilder sb = new StringBuilder();
        long n = 0;
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        String sql = "COPY " + table + " FROM STDIN (FORMAT csv, DELIMITER '|')";
        for (LineItem li : new LineItemGenerator(scale, 1, 1)) {
            String line = li.toLine();
            sb.append(line, 0, line.endsWith("|") ? line.length() - 1 : line.length()).append('\n');
            n++;
            if (sb.length() > 1 << 20) {
                copy.copyIn(sql, new StringReader(sb.toString()));
                sb.setLength(0);
            }
        }
        copy.copyIn(sql, new StringReader(sb.toString()));
        return n;
    }

    /**
     * A provider's silent daily changes: returns {inserted, updated, deleted}. The key is cast to bigint for the
     * arithmetic: the benchmark may declare it numeric or jsonb (a jsonb number; the new keys go back through to_jsonb).
     */
    static long[] change(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            boolean json;
            try (ResultSet rs = s.executeQuery("SELECT atttypid = 'jsonb'::regtype FROM pg_attribute "
                    + "WHERE attrelid = 'public.lineitem'::regclass AND attname = 'l_orderkey'")) {
                json = rs.next() && rs.getBoolean(1);
            }
            String newKey = "l_orderkey::bigint + (SELECT max(l_orderkey::bigint) FROM public.lineitem)";
            long updated = s.executeUpdate("UPDATE public.lineitem SET l_quantity = l_quantity + 1, l_comment = 'changed on day 2' "
                    + "WHERE (l_orderkey::bigint * 7 + l_linenumber) % 100 = 3");
            long deleted = s.executeUpdate("DELETE FROM public.lineitem WHERE (l_orderkey::bigint * 7 + l_linenumber) % 200 = 11");
            long inserted = s.executeUpdate("INSERT INTO public.lineitem SELECT " + (json ? "to_jsonb(" + newKey + ")" : newKey) + ", "
                    + "l_partkey, l_suppkey, l_linenumber, l_quantity, l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus, "
                    + "l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct, l_shipmode, 'new on day 2' FROM public.lineitem "
                    + "WHERE (l_orderkey::bigint * 7 + l_linenumber) % 100 = 42");
            return new long[] {inserted, updated, deleted};
        }
    }

    static String[] checksum(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CHECKSUM)) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }

    static void execute(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static void deleteRecursively(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (Exception ignored) {
            // a temp dir left behind is harmless
        }
    }
}
