package io.snapsync.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapsync.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code snapsync bench}: for each scale, TPC-H lineitem in an embedded PostgreSQL (database {@code redshift}
 * standing in for Redshift, {@code app} the target, {@code floor} for the plain COPY), and per round:
 * <ul>
 *   <li>the bare extraction: {@code COPY (SELECT * FROM t) TO STDOUT}, read and discarded (psql's
 *       {@code \copy ... TO '/dev/null'});</li>
 *   <li>the plain COPY of the table into an indexed table (source COPY TO piped into target COPY FROM): the
 *       floor of a first load;</li>
 *   <li>day 1 and day 2 of snapsync, each a separate {@code snapsync sync} process (JVM start included),
 *       with its peak RSS (from {@code /usr/bin/time -v}) and the peak size of its spill directory
 *       ({@code job.spill-dir}, polled), and the cache's size on disk after it; target == source checked after each day.</li>
 * </ul>
 * Then the medians and the ratios day 2 / bare extraction and day 1 / COPY. With an {@link UnloadRig} (bench/run UNLOAD=1) the
 * days read the source through {@code extract: unload} instead, the UNLOAD carried out by the rig's stand-in outside the
 * sync process, whose time is reported beside the sync's figures and taken out of them.
 */
public final class Bench {
    private static final Pattern MAX_RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
    private static final Pattern CPU = Pattern.compile("(?:User|System) time \\(seconds\\): ([0-9.]+)");

    private final List<Double> scales;
    private final int rounds;
    private final String childJavaOpts;
    private final String profileDir;
    private final PrintStream out;
    /** The lineitem table's DDL: TPC-H's, or with another type of its first key column (see the constructor). */
    private final String ddl;
    private final String keyNote;
    /** When not null, day 1 and day 2 go through {@code extract: unload} and this rig's stand-in. */
    private UnloadRig unload;

    /**
     * What {@code extract: unload} needs around the sync processes: the UNLOAD itself (Redshift's part, which only a stand-in
     * can play here) and the S3 API server the files go to. The implementation lives with the tests' stand-ins (the demo's
     * test sources), not in the launcher's jar; bench/run UNLOAD=1 puts them on the class path.
     */
    public interface UnloadRig extends AutoCloseable {
        /** One line for the header: what stands in for what, and what is not measured. */
        String note();

        /** Starts for one scale: its S3 server, and its stand-in reading the source database {@code db} of {@code pg}. */
        void open(EmbeddedPostgres pg, String db) throws Exception;

        /** The YAML lines (two spaces in) of the {@code source:} mapping for a sync process. */
        List<String> sourceYaml(String jdbcUrl);

        /** The {@code s3:} mapping of {@code cache:} (the unloaded files are read and deleted through the cache's S3 settings). */
        String cacheS3Yaml();

        /** Forgets the UNLOADs of the previous day. */
        void startDay();

        /** The UNLOADs the stand-in carried out since {@link #startDay()}. */
        StandIn endDay() throws Exception;

        @Override
        void close();
    }

    /**
     * What the stand-in did for one day: its wall seconds (the sync process waited meanwhile), files and MB written, the
     * key-range buckets of its PARTITION BY, and the unloaded bytes still in S3 after the sync ended (its committer
     * deletes them: 0 unless something failed).
     */
    public record StandIn(int unloads, double seconds, int files, double mb, int buckets, long leftBytes) {}

    /** Runs day 1 and day 2 through {@code extract: unload} and {@code rig}. */
    public Bench unload(UnloadRig rig) {
        this.unload = rig;
        return this;
    }

    /**
     * @param childJavaOpts JVM options of the sync processes (e.g. "-Xmx3g")
     * @param profileDir when not null, day 1 and day 2 of each round record a JFR file there
     */
    public Bench(List<Double> scales, int rounds, String childJavaOpts, String profileDir, PrintStream out) {
        this(scales, rounds, childJavaOpts, profileDir, null, out);
    }

    /**
     * @param orderKeyType {@code l_orderkey}'s type instead of bigint (same values), or null: {@code numeric(20,0)}
     *     takes range splits over decimals and the ordered diff as bigint does; {@code jsonb} (a jsonb number, ordered by its
     *     text) one split, read by one subtask, and the ordered diff (it took hash-bucket splits and the keyed diff, which
     *     sorts and shuffles every row, until json keys were ordered)
     */
    public Bench(List<Double> scales, int rounds, String childJavaOpts, String profileDir, String orderKeyType, PrintStream out) {
        this.ddl = orderKeyType == null ? Demo.DDL : Demo.DDL.replace("l_orderkey bigint", "l_orderkey " + orderKeyType);
        this.keyNote = orderKeyType == null ? "" : "; l_orderkey " + orderKeyType
                + (orderKeyType.equals("jsonb") ? " (one split, the ordered diff)" : " (range splits, the ordered diff)");
        this.scales = scales;
        this.rounds = rounds;
        this.childJavaOpts = childJavaOpts;
        this.profileDir = profileDir;
        this.out = out;
    }

    /** One round's figures (seconds, MB). */
    record Round(double bare, double copy, Day day1, Day day2) {}

    /**
     * One sync process's figures. With an {@link UnloadRig}, {@code wall} and {@code planS} are net of the stand-in's UNLOAD
     * ({@code standIn}), which the process waited for; {@code diff} says which diff the run took.
     */
    record Day(double wall, double cpu, double rssMb, double spillMb, double cacheMb, double planS, double jobS, double commitS, long inserted,
               long updated, long deleted, boolean match, StandIn standIn, String diff) {}

    public boolean run() throws Exception {
        out.printf("machine: %s, %d cores, %s; load average before: %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(),
                memTotal(), loadAverage());
        out.printf("sync processes: java %s; parallelism 2; PostgreSQL (source and target databases) on the same machine%s%n",
                childJavaOpts, keyNote);
        if (unload != null) {
            out.println(unload.note());
        }
        if (profileDir != null) {
            Files.createDirectories(Path.of(profileDir)); // the JVM will not create it for its recording
        }
        boolean ok = true;
        for (double scale : scales) {
            ok &= runScale(scale);
        }
        return ok;
    }

    private boolean runScale(double scale) throws Exception {
        Path work = Files.createTempDirectory("snapsync-bench-");
        boolean ok = true;
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            pg.createDatabase("redshift");
            pg.createDatabase("floor");
            long rows;
            try (Connection src = pg.getConnection("redshift")) {
                // the generated rows, only ever copied from: unlogged and without the primary key, so that loading them costs
                // no WAL and no index build (at scale 10, 60M rows, those are minutes and gigabytes)
                execute(src, ddl.replace("CREATE TABLE public.lineitem", "CREATE UNLOGGED TABLE public.lineitem_base")
                        .replace(", PRIMARY KEY (l_orderkey, l_linenumber)", ""));
                rows = load(src, scale);
            }
            out.printf("%n== TPC-H lineitem, scale %s: %,d rows%n", scale, rows);
            if (unload != null) {
                unload.open(pg, "redshift");
                out.println("(day1 s, day2 s and plan: the sync process's time less the stand-in's UNLOAD, which it waited for; see each round's"
                        + " second line)");
            }
            out.printf("%-6s %7s %7s %7s %7s %9s %9s %9s %9s %10s %10s %10s %10s  %s%n", "round", "bare s", "COPY s", "day1 s", "day2 s",
                    "day1 CPU", "day2 CPU", "day1 RSS", "day2 RSS", "day1 spill", "day2 spill", "day1 cache", "day2 cache",
                    "day 1 / day 2: plan/job/commit s, day 2 changes, target == source");
            List<Round> done = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                Round r = round(pg, work.resolve("round-" + round), scale, round);
                done.add(r);
                ok &= r.day1.match && r.day2.match;
                out.printf("%-6d %7.1f %7.1f %7.1f %7.1f %8.1fs %8.1fs %7.0fMB %7.0fMB %8.0fMB %8.0fMB %8.0fMB %8.0fMB  %.1f/%.1f/%.1f / %.1f/%.1f/%.1f, +%,d ~%,d -%,d, %s%n",
                        round, r.bare, r.copy, r.day1.wall, r.day2.wall, r.day1.cpu, r.day2.cpu, r.day1.rssMb, r.day2.rssMb, r.day1.spillMb, r.day2.spillMb,
                        r.day1.cacheMb, r.day2.cacheMb,
                        r.day1.planS, r.day1.jobS, r.day1.commitS, r.day2.planS, r.day2.jobS, r.day2.commitS, r.day2.inserted, r.day2.updated, r.day2.deleted,
                        r.day1.match && r.day2.match ? "MATCH" : "MISMATCH");
                if (unload != null) {
                    out.printf("       extract: unload; stand-in UNLOAD (NOT in the figures above, not Redshift's speed): day 1 %s; day 2 %s%n",
                            standIn(r.day1), standIn(r.day2));
                    out.printf("       diff taken: day 1 %s; day 2 %s%n", r.day1.diff, r.day2.diff);
                }
            }
            double bare = median(done, Round::bare);
            double copy = median(done, Round::copy);
            double day1 = median(done, r -> r.day1.wall);
            double day2 = median(done, r -> r.day2.wall);
            out.printf("%-6s %7.1f %7.1f %7.1f %7.1f %8.1fs %8.1fs %7.0fMB %7.0fMB %8.0fMB %8.0fMB %8.0fMB %8.0fMB%n", "median", bare, copy, day1, day2,
                    median(done, r -> r.day1.cpu), median(done, r -> r.day2.cpu), median(done, r -> r.day1.rssMb), median(done, r -> r.day2.rssMb), median(done, r -> r.day1.spillMb),
                    median(done, r -> r.day2.spillMb), median(done, r -> r.day1.cacheMb), median(done, r -> r.day2.cacheMb));
            out.printf("scale %s: day 2 / bare extraction = %.1fx   day 1 / COPY into indexed table = %.1fx   %s   load average after: %s%n",
                    scale, day2 / bare, day1 / copy, ok ? "OK: target == source after every day" : "FAILED: see above", loadAverage());
        } finally {
            if (unload != null) {
                unload.close();
            }
            deleteRecursively(work);
        }
        return ok;
    }

    private static String standIn(Day d) {
        StandIn s = d.standIn;
        if (s == null) {
            return "none";
        }
        return String.format("%.1f s, %d UNLOAD%s, %d files in %d buckets, %.0f MB%s", s.seconds(), s.unloads(), s.unloads() == 1 ? "" : "s", s.files(),
                s.buckets(), s.mb(), s.leftBytes() == 0 ? ", none left in S3 after the sync" : String.format(", %,d bytes LEFT in S3", s.leftBytes()));
    }

    private Round round(EmbeddedPostgres pg, Path dir, double scale, int round) throws Exception {
        Files.createDirectories(dir);
        double bare;
        double copy;
        try (Connection src = pg.getConnection("redshift"); Connection floor = pg.getConnection("floor")) {
            // the same source every round: a fresh copy of the generated rows, checkpointed so no round pays the last one's writes
            execute(src, "DROP TABLE IF EXISTS public.lineitem");
            execute(src, ddl);
            execute(src, "INSERT INTO public.lineitem SELECT * FROM public.lineitem_base");
            execute(src, "VACUUM ANALYZE public.lineitem");
            execute(src, "CHECKPOINT");
            bare = bareExtraction(src);
            execute(floor, "DROP TABLE IF EXISTS public.lineitem");
            execute(floor, ddl);
            copy = plainCopy(src, floor);
            execute(floor, "DROP TABLE public.lineitem");
            execute(src, "CHECKPOINT");
        }
        try (Connection postgres = pg.getConnection("postgres")) {
            execute(postgres, "DROP DATABASE IF EXISTS app");
        }
        pg.createDatabase("app");
        try (Connection app = pg.getConnection("app")) {
            execute(app, ddl);
        }
        Path config = dir.resolve("snapsync.yaml");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path spill = Files.createDirectories(dir.resolve("spill"));
        List<String> yaml = new ArrayList<>(List.of("source:"));
        if (unload == null) {
            yaml.addAll(List.of("  url: \"" + pg.getJdbcUrl("redshift") + "\"", "  user: " + EmbeddedPostgres.USER));
        } else {
            yaml.addAll(unload.sourceYaml(pg.getJdbcUrl("redshift")));
        }
        yaml.addAll(List.of(
                "target: { url: \"" + pg.getJdbcUrl("app") + "\", user: " + EmbeddedPostgres.USER + " }",
                "cache: { uri: \"" + cache.toUri() + "\"" + (unload == null ? "" : ", " + unload.cacheS3Yaml()) + " }",
                "job: { parallelism: 2, spill-dir: \"" + spill + "\" }",
                "tables:",
                "  - { name: lineitem, source: public.lineitem, target: public.lineitem, primary-key: [l_orderkey, l_linenumber] }",
                ""));
        Files.writeString(config, String.join("\n", yaml));
        String jfr1 = profileDir == null ? null : Path.of(profileDir).toAbsolutePath().resolve("day1-scale" + scale + "-round" + round + ".jfr").toString();
        Day day1 = day(pg, dir, config, spill, cache, "day1", null, jfr1);
        long[] expected;
        try (Connection src = pg.getConnection("redshift")) {
            expected = Demo.change(src);
            execute(src, "VACUUM ANALYZE public.lineitem");
            execute(src, "CHECKPOINT");
        }
        String jfr = profileDir == null ? null : Path.of(profileDir).toAbsolutePath().resolve("day2-scale" + scale + "-round" + round + ".jfr").toString();
        Day day2 = day(pg, dir, config, spill, cache, "day2", expected, jfr);
        if (jfr != null) {
            out.printf("  (day 1 and day 2 profiles: %s, %s)%n", jfr1, jfr);
        }
        return new Round(bare, copy, day1, day2);
    }

    private Day day(EmbeddedPostgres pg, Path dir, Path config, Path spill, Path cache, String label, long[] expected, String jfr)
            throws Exception {
        Path report = dir.resolve(label + "-report.json");
        Path log = dir.resolve(label + ".log");
        Path time = dir.resolve(label + "-time.txt");
        List<String> cmd = new ArrayList<>();
        boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
        if (timed) {
            cmd.addAll(List.of("/usr/bin/time", "-v", "-o", time.toString()));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(childJavaOpts.trim().split("\\s+")));
        String cds = System.getProperty("snapsync.cds-archive");
        if (cds != null && Files.isRegularFile(Path.of(cds))) { // the launcher's class-data archive, as a sync it starts uses
            cmd.addAll(List.of("-XX:SharedArchiveFile=" + cds, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        if (jfr != null) {
            cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr);
        }
        for (String pkg : List.of("java.util", "java.lang", "java.lang.reflect", "java.nio", "java.time", "java.util.concurrent")) {
            cmd.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
        }
        String log4j = System.getProperty("log4j2.configurationFile");
        if (log4j != null) {
            cmd.add("-Dlog4j2.configurationFile=" + log4j);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.snapsync.cli.Launcher", "sync", "--config",
                config.toString(), "--report", report.toString(), "--allow-mass-change"));
        AtomicLong spillPeak = new AtomicLong();
        if (unload != null) {
            unload.startDay();
        }
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        while (!p.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            spillPeak.accumulateAndGet(sizeOf(spill), Math::max);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        StandIn standIn = unload == null ? null : unload.endDay();
        // the sync process waited while the stand-in wrote the files (Redshift's work): not the sync's time
        double standInS = standIn == null ? 0 : standIn.seconds();
        if (jfr != null) { // the day's log next to its profile: its timestamps say where the wall time went
            Files.copy(log, Path.of(jfr.replaceAll("\\.jfr$", ".log")), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (p.exitValue() != 0) {
            out.printf("%s FAILED (exit %d); its output:%n%s%n", label, p.exitValue(), tail(log));
            return new Day(wall - standInS, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, standIn, "failed");
        }
        double rssMb = 0;
        double cpu = 0;
        if (timed) {
            String usage = Files.readString(time);
            Matcher m = MAX_RSS.matcher(usage);
            rssMb = m.find() ? Long.parseLong(m.group(1)) / 1024.0 : 0;
            for (Matcher c = CPU.matcher(usage); c.find(); ) {
                cpu += Double.parseDouble(c.group(1));
            }
        }
        JsonNode t = new ObjectMapper().readTree(report.toFile()).get("tables").get(0);
        boolean match;
        try (Connection src = pg.getConnection("redshift"); Connection app = pg.getConnection("app")) {
            String[] source = Demo.checksum(src);
            String[] target = Demo.checksum(app);
            match = Arrays.equals(source, target);
            if (!match) {
                out.printf("%s: MISMATCH: TARGET != SOURCE after the sync (count, md5 sum): source %s, target %s%n", label, Arrays.toString(source),
                        Arrays.toString(target));
            }
        }
        long ins = t.path("inserted").asLong();
        long upd = t.path("updated").asLong();
        long del = t.path("deleted").asLong();
        if (expected != null && (ins != expected[0] || upd != expected[1] || del != expected[2])) {
            out.printf("%s: counts +%d ~%d -%d differ from the changes made: +%d ~%d -%d%n", label, ins, upd, del, expected[0],
                    expected[1], expected[2]);
            match = false;
        }
        String diff = t.hasNonNull("keyedDiff") ? "keyed (" + t.get("keyedDiff").asText() + ")"
                : unload == null ? "ordered" : "ordered, over " + standIn.buckets() + " key-range buckets"
                        + (t.hasNonNull("unloadSort") ? " (" + t.get("unloadSort").asText() + ")" : "");
        if (standIn != null && standIn.leftBytes() != 0) {
            out.printf("%s: unloaded files LEFT in S3 after the sync: %,d bytes (the committer deletes them)%n", label, standIn.leftBytes());
            match = false;
        }
        return new Day(wall - standInS, cpu, rssMb, spillPeak.get() / 1048576.0, sizeOf(cache) / 1048576.0,
                t.path("planMillis").asLong() / 1000.0 - standInS, t.path("jobMillis").asLong() / 1000.0, t.path("commitMillis").asLong() / 1000.0,
                ins, upd, del, match, standIn, diff);
    }

    private static double bareExtraction(Connection src) throws Exception {
        CopyManager copy = src.unwrap(PGConnection.class).getCopyAPI();
        long t0 = System.nanoTime();
        copy.copyOut("COPY (SELECT * FROM public.lineitem) TO STDOUT", OutputStream.nullOutputStream());
        return (System.nanoTime() - t0) / 1e9;
    }

    /** COPY out of the source piped into COPY into the indexed table: what a plain reload costs. */
    private static double plainCopy(Connection src, Connection floor) throws Exception {
        CopyManager in = floor.unwrap(PGConnection.class).getCopyAPI();
        CopyManager outOf = src.unwrap(PGConnection.class).getCopyAPI();
        PipedInputStream pipeIn = new PipedInputStream(1 << 20);
        PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
        long t0 = System.nanoTime();
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            try (pipeOut) {
                return outOf.copyOut("COPY public.lineitem TO STDOUT", pipeOut);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        in.copyIn("COPY public.lineitem FROM STDIN", pipeIn);
        reader.join();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long load(Connection c, double scale) throws Exception {
        return Demo.loadLineitem(c, scale, "public.lineitem_base");
    }

    private static double median(List<Round> rounds, ToDoubleFunction<Round> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long sizeOf(Path dir) {
        try (var walk = Files.walk(dir)) {
            return walk.mapToLong(f -> {
                try {
                    return Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (IOException e) {
                    return 0; // deleted while walking
                }
            }).sum();
        } catch (Exception e) {
            return 0; // a file vanished mid-walk: the next poll counts again
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memTotal() {
        try {
            String l = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
            return Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0) + " GB RAM";
        } catch (Exception e) {
            return "unknown RAM";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static void execute(Connection c, String sql) throws Exception {
        Demo.execute(c, sql);
    }

    private static void deleteRecursively(Path p) {
        Demo.deleteRecursively(p);
    }
}
