package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.fault.CommitHook;
import io.snapsync.config.ConfigLoader;
import io.snapsync.config.SyncConfig;
import io.snapsync.run.RunReport;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.testing.GateLog;
import io.snapsync.testing.ReadLogStandInDriver;
import io.snapsync.testing.ReadLogStandInDriver.Read;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code job.concurrent-tables}: at most that many tables read their source at once, as the source sees it (when
 * each split's query ran, recorded by {@link ReadLogStandInDriver} in front of PostgreSQL), every table commits, and
 * a run whose readers far outnumber the slots does not deadlock. The MiniCluster has 4 slots.
 */
class ConcurrentTablesTest extends EndToEndTestBase {

    @BeforeEach
    void clearReads() {
        ReadLogStandInDriver.clear();
    }

    /** A run that hung (the timeout failed its test) would keep the slots from the next test: cancel it. */
    @AfterEach
    void cancelJobsLeftRunning(@InjectClusterClient ClusterClient<?> client) throws Exception {
        for (JobStatusMessage job : client.listJobs().get()) {
            if (!job.getJobState().isGloballyTerminalState()) {
                client.cancel(job.getJobId()).get();
            }
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oneTableAtATime() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            List<String> tables = tables(p, 3, 2000);
            SyncConfig config = config(p, tables, 2, 4, 1);

            RunReport day1 = new SyncRunner(config).run(null);
            assertCommittedAndEqual(p, tables, day1);
            assertThat(maxTablesReadingAtOnce(ReadLogStandInDriver.reads())).isEqualTo(1);

            ReadLogStandInDriver.clear();
            for (String t : tables) {
                update(p.source, "UPDATE " + t + " SET v = v || '!' WHERE id % 50 = 0");
                update(p.source, "DELETE FROM " + t + " WHERE id % 97 = 0");
            }
            RunReport day2 = new SyncRunner(config).run(null);
            assertCommittedAndEqual(p, tables, day2);
            assertThat(day2.tables).allSatisfy(r -> {
                assertThat(r.updated).isEqualTo(40); // ids divisible by 50 (none of them also by 97)
                assertThat(r.deleted).isEqualTo(20);
            });
            assertThat(maxTablesReadingAtOnce(ReadLogStandInDriver.reads())).isEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void twoTablesAtATime() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            List<String> tables = tables(p, 4, 1000);
            RunReport day1 = new SyncRunner(config(p, tables, 1, 3, 2)).run(null);
            assertCommittedAndEqual(p, tables, day1);
            assertThat(maxTablesReadingAtOnce(ReadLogStandInDriver.reads())).isBetween(1, 2);
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readersOutnumberingTheSlotsDoNotDeadlock() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache"))) {
            // 4 tables at parallelism 4: 16 source readers (and as many diff, writer and cache tasks) for 4 slots
            List<String> tables = tables(p, 4, 500);
            RunReport day1 = new SyncRunner(config(p, tables, 4, 8, 1)).run(null);
            assertCommittedAndEqual(p, tables, day1);
            assertThat(maxTablesReadingAtOnce(ReadLogStandInDriver.reads())).isEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aReaderThatFailsIsRetriedAndNeitherDeadlocksNorOverlaps() throws Exception {
        FAIL_ONCE.set(true);
        try (PgPair p = new PgPair(pg, pg, tmp.resolve("cache")); GateLog gate = GateLog.capture()) {
            List<String> tables = tables(p, 3, 1000);
            SyncConfig config = config(p, tables, 2, 4, 1, 2);

            RunReport day1 = new SyncRunner(config, READER_FAILS_ONCE, false).run(null);
            assertThat(FAIL_ONCE.get()).as("a reader failed").isFalse();
            assertCommittedAndEqual(p, tables, day1);
            // the failed reader's table may have given its permit up until the reader restarted: its reads come in
            // two parts, each alone (but the window from its first to its last query spans the other tables' reads)
            assertThat(maxTablesWithAQueryOpen(ReadLogStandInDriver.reads())).isEqualTo(1);
            assertThat(GateLog.tablesReadingAtOnce(gate.text())).isEqualTo(1);
            Map<String, String> reads = GateLog.reads(gate.text());
            assertThat(reads.keySet()).containsExactlyInAnyOrderElementsOf(tables);
            assertThat(reads.values()).as("%s", reads).containsAnyOf("1/1", "2/2").allMatch(r -> r.equals("1/1") || r.equals("2/2"))
                    .filteredOn(r -> r.equals("2/2")).hasSizeLessThanOrEqualTo(1);
        }
    }

    static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();
    /** The first source split to reach {@link CommitHook#AFTER_ROWS} rows fails its reader (Flink restarts it). */
    static final CommitHook READER_FAILS_ONCE = point -> {
        if (point == CommitHook.Point.SOURCE_READ && FAIL_ONCE.compareAndSet(true, false)) {
            throw new IllegalStateException("injected reader failure");
        }
    };

    /** Creates tables t1..tn with {@code rows} rows each in the source and empty ones in the target. */
    private static List<String> tables(PgPair p, int n, int rows) throws Exception {
        List<String> names = IntStream.rangeClosed(1, n).mapToObj(i -> "t" + i).toList();
        for (String t : names) {
            p.both("CREATE TABLE public." + t + " (id integer PRIMARY KEY, v text)");
            exec(p.source, "INSERT INTO " + t + " SELECT i, '" + t + "-' || i FROM generate_series(1, " + rows + ") i");
        }
        return names;
    }

    private static SyncConfig config(PgPair p, List<String> tables, int parallelism, int splits, int concurrentTables) {
        return config(p, tables, parallelism, splits, concurrentTables, 0);
    }

    private static SyncConfig config(PgPair p, List<String> tables, int parallelism, int splits, int concurrentTables,
                                     int restartAttempts) {
        StringBuilder yaml = new StringBuilder("""
                source: { url: "%s?%s", user: postgres, driver: %s }
                target: { url: "%s", user: postgres }
                cache:  { uri: "%s" }
                job:    { parallelism: %d, splits: %d, restart-attempts: %d, concurrent-tables: %d }
                tables:
                """.formatted(p.sourcePg.getJdbcUrl(p.sourceDb), ReadLogStandInDriver.PARAM, ReadLogStandInDriver.class.getName(),
                p.targetPg.getJdbcUrl(p.targetDb), p.cache.toUri(), parallelism, splits, restartAttempts, concurrentTables));
        for (String t : tables) {
            yaml.append("  - { name: ").append(t).append(", source: public.").append(t).append(", target: public.").append(t)
                    .append(", primary-key: [id] }\n");
        }
        return ConfigLoader.parse(yaml.toString(), System::getenv);
    }

    private static void assertCommittedAndEqual(PgPair p, List<String> tables, RunReport report) throws Exception {
        assertThat(report.tables).extracting(r -> r.name + " " + r.status)
                .containsExactlyElementsOf(tables.stream().map(t -> t + " committed").toList());
        for (String t : tables) {
            assertThat(rows(p.target, t, "id")).as(t).isEqualTo(rows(p.source, t, "id"));
        }
        for (TableReport r : report.tables) {
            assertThat(ReadLogStandInDriver.reads()).as("%s was read through the recording stand-in", r.name)
                    .anyMatch(read -> read.table().equals("public." + r.name));
        }
    }

    /** The most tables with a split query open at one moment. */
    static int maxTablesWithAQueryOpen(List<Read> reads) {
        List<Read> byStart = new ArrayList<>(reads);
        byStart.sort(java.util.Comparator.comparingLong(Read::start));
        int max = 0;
        for (Read r : byStart) { // at each query's start: the tables with a query open then
            long open = reads.stream().filter(o -> o.start() <= r.start() && o.end() > r.start()).map(Read::table).distinct().count();
            max = Math.max(max, (int) open);
        }
        return max;
    }

    /**
     * The most tables whose source reads were under way at one moment. A table reads from the start of its first
     * split query to the end of its last one.
     */
    static int maxTablesReadingAtOnce(List<Read> reads) {
        Map<String, long[]> windows = new LinkedHashMap<>();
        for (Read r : reads) {
            windows.merge(r.table(), new long[] {r.start(), r.end()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        List<long[]> edges = new ArrayList<>(); // {time, +1 start / -1 end}; an end sorts before a start at the same time
        windows.values().forEach(w -> {
            edges.add(new long[] {w[0], 1});
            edges.add(new long[] {w[1], -1});
        });
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
