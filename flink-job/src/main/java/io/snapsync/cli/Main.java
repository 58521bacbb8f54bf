package io.snapsync.cli;

import io.snapsync.config.ConfigException;
import io.snapsync.config.ConfigLoader;
import io.snapsync.config.SyncConfig;
import io.snapsync.run.RunReport;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import io.snapsync.task.Errors;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code snapsync sync|reconcile|resync|status} (the local launcher adds {@code demo|bench}). Exit codes: 0 every table committed, 1 a table failed, 2 bad usage or
 * config. Failures print one line on stderr; {@code --verbose} adds the stack trace.
 */
@Command(name = "snapsync", mixinStandardHelpOptions = true, version = "snapsync 0.1.0",
        description = "Daily diff sync of Redshift (or PostgreSQL) tables into PostgreSQL, as an Apache Flink batch job.",
        subcommands = {Main.Sync.class, Main.Reconcile.class, Main.Resync.class, Main.Status.class})
public final class Main implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /**
     * The cluster jar's entry ({@code flink run}, application mode, REST, web UI): never System.exit,
     * which would end the JobManager. A failure is thrown, so the client exits non-zero and an
     * application fails; the local launcher ({@link Launcher}) maps outcomes to exit codes instead.
     */
    public static void main(String[] args) {
        int code = run(args);
        if (code != OK) {
            throw new SnapsyncFailed(code);
        }
    }

    /** snapsync ended with a non-zero exit code (the reason is on stderr and in the run report). */
    public static final class SnapsyncFailed extends RuntimeException {
        public final int exitCode;

        SnapsyncFailed(int exitCode) {
            super("snapsync failed with exit code " + exitCode + (exitCode == USAGE ? " (usage or config)" : " (see the run report)"));
            this.exitCode = exitCode;
        }
    }

    public static int run(String... args) {
        return run(List.of(), args);
    }

    /**
     * @param moreCommands picocli commands added beside sync, reconcile, resync and status: the local launcher
     *     adds {@code demo} and {@code bench}, which live in a module of their own (not in the cluster jar)
     */
    public static int run(List<Object> moreCommands, String... args) {
        if (args.length == 0) { // Managed Service for Apache Flink: no arguments, the runtime properties say what to do
            try {
                String[] fromRuntime = io.snapsync.config.RuntimeProperties.argumentsIfPresent();
                args = fromRuntime == null ? args : fromRuntime;
            } catch (ConfigException e) {
                System.err.println("snapsync: " + e.getMessage());
                return USAGE;
            }
        }
        CommandLine cl = new CommandLine(new Main());
        moreCommands.forEach(cl::addSubcommand);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.hasMatchedOption("--verbose");
            if (verbose) {
                System.err.print(io.snapsync.config.Secrets.stackTrace(e));
            }
            System.err.println("snapsync: " + Errors.describe(e));
            return e instanceof ConfigException ? USAGE : FAILED;
        });
        return cl.execute(args);
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return USAGE;
    }

    @Command(name = "sync", description = "Run one daily sync of the configured tables.")
    static class Sync implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Option(names = "--table", description = "sync only this table (its name in the config)")
        String table;

        @Option(names = "--report", description = "write a JSON report of the run here")
        Path report;

        @Option(names = "--allow-mass-change", description = "allow this run to delete/update more than the configured share, or empty a table")
        boolean allowMassChange;

        @Option(names = "--dry-run", description = "compute the diff and report counts and sample keys; write nothing to the target or cache")
        boolean dryRun;

        boolean reconcile() {
            return false;
        }

        boolean resync() {
            return false;
        }

        @Override
        public Integer call() throws Exception {
            SyncConfig cfg = config.load();
            RunReport r = new SyncRunner(cfg, io.snapsync.fault.CommitHook.NONE, allowMassChange, dryRun)
                    .reconcile(reconcile()).resync(resync()).run(table);
            if ("submitted".equals(r.status)) {
                // detached (application mode, REST): the job writes the report when it ends
                System.out.printf("submitted run %s as job %s; its report: %s and %s%n", r.runId, r.jobId,
                        io.snapsync.run.RunReporter.reportPath(cfg.cache().uri(), r.runId),
                        new io.snapsync.targetdb.ControlTable(cfg.target().controlSchemaOrDefault()).runs());
                return OK;
            }
            if (report != null) {
                r.write(report);
            }
            for (TableReport t : r.tables) {
                if ("dry-run".equals(t.status)) {
                    System.out.printf("%s: dry run: %d rows, would insert %d, update %d, delete %d%s%n", t.name, t.snapshotRows,
                            t.inserted, t.updated, t.deleted, t.wouldBeRefused == null ? "" : "; would be refused: " + t.wouldBeRefused);
                    t.samples.forEach(s -> System.out.println("  " + s));
                } else if ("committed".equals(t.status)) {
                    System.out.printf("%s: committed %d rows (+%d inserted, ~%d updated, -%d deleted), cache version %s%n",
                            t.name, t.snapshotRows, t.inserted, t.updated, t.deleted, t.cacheVersion);
                    if (t.resync != null) {
                        System.out.printf("  resync: %s%n", t.resync);
                        if (t.resyncNotes != null) {
                            t.resyncNotes.forEach(n -> System.out.println("  " + n));
                        }
                    }
                }
            }
            TableReport failed = r.tables.stream().filter(t -> "failed".equals(t.status)).findFirst().orElse(null);
            if (failed != null) {
                System.err.println("snapsync: table " + failed.name + " failed: " + failed.error);
                return FAILED;
            }
            return OK;
        }
    }

    @Command(name = "reconcile", description = "Diff the source against the live target table itself (not the cache), apply "
            + "the difference and write a fresh cache: repairs a hand-edited target or a lost cache, and adopts an already "
            + "filled target without re-inserting its rows.")
    static final class Reconcile extends Sync {
        @Override
        boolean reconcile() {
            return true;
        }
    }

    @Command(name = "resync", description = "Load the whole snapshot into a new table built from the source schema, recreate "
            + "the live table's indexes, constraints, defaults and grants on it, and swap it in by renames in one short "
            + "transaction: a full reload the service does not notice (also run by sync on a schema change under "
            + "schema-evolution: resync).")
    static final class Resync extends Sync {
        @Override
        boolean resync() {
            return true;
        }
    }

    @Command(name = "status", description = "Show each table's last committed run and leftovers of failed runs.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() throws Exception {
            SyncConfig cfg = config.load();
            io.snapsync.run.FlinkSetup.initializeFileSystems(io.snapsync.run.FlinkSetup.configuration(cfg, 1));
            io.snapsync.run.StatusReader.lastRun(cfg).ifPresent(r -> System.out.printf("last run %s (job %s): %s, finished %s%s%n",
                    r.runId, r.jobId, r.status, r.finishedAt, r.tables.stream().filter(t -> "failed".equals(t.status))
                            .map(t -> "; " + t.name + " failed: " + t.error).reduce("", String::concat)));
            for (var t : io.snapsync.run.StatusReader.read(cfg)) {
                if (t.committed().isPresent()) {
                    var s = t.committed().get();
                    System.out.printf("%s: last committed %s by run %s: %d rows (+%d ~%d -%d), cache version %s, schema %s%n",
                            t.table(), s.committedAt(), s.runId(), s.rowCount(), s.inserted(), s.updated(), s.deleted(),
                            s.cacheVersion(), s.schemaFingerprint());
                } else {
                    System.out.printf("%s: never synced%n", t.table());
                }
                if (!t.leftoverStagingTables().isEmpty()) {
                    System.out.printf("  leftover staging tables of failed runs: %s%n", t.leftoverStagingTables());
                }
                t.unfinishedApply().ifPresent(pnd -> System.out.printf(
                        "  run %s began applying its change set in chunks at %s and did not finish: the next run reconciles%n",
                        pnd.runId(), pnd.startedAt()));
                if (!t.leftoverShadowTables().isEmpty()) {
                    System.out.printf("  leftover resync shadow tables of failed runs: %s%n", t.leftoverShadowTables());
                }
                if (!t.uncommittedCacheVersions().isEmpty()) {
                    System.out.printf("  cache versions no committed run names (failed runs): %s%n", t.uncommittedCacheVersions());
                }
                if (cfg.source().unload() != null) {
                    // a run deletes its own unloaded files; any here belong to a failed run (or one running now)
                    var runs = io.snapsync.unload.Unloads.leftovers(cfg.source().unload().prefix(), t.table(), null);
                    if (!runs.isEmpty()) {
                        System.out.printf("  unloaded files of runs %s under %s (the next run of the table removes them)%n", runs,
                                io.snapsync.unload.Unloads.tableDir(cfg.source().unload().prefix(), t.table()));
                    }
                }
            }
            return OK;
        }
    }

    /** {@code --config FILE} and {@code --verbose}, shared by the commands that read a config. */
    static final class ConfigOption {
        @Option(names = "--config", required = true, description = "YAML config file")
        Path file;

        @Option(names = "--verbose", description = "print stack traces")
        boolean verbose;

        SyncConfig load() {
            return ConfigLoader.load(file);
        }
    }
}
