package io.snapsync.demo;

import io.snapsync.cli.Main;
import java.util.List;

/**
 * The local launcher's entry ({@code ./snapsync}): the job's commands (sync, reconcile, resync, status) plus
 * {@code demo} and {@code bench}, which need the embedded PostgreSQL and TPC-H and so are not in the cluster jar.
 * The exit code is the outcome (0 every table committed, 1 a table failed, 2 bad usage or config).
 */
public final class DemoMain {
    private DemoMain() {}

    public static void main(String[] args) {
        System.exit(Main.run(List.of(new DemoCommand(), new BenchCommand()), args));
    }
}
