package io.snapsync.demo;

import io.snapsync.cli.Main;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapsync demo}: the local launcher's command ({@link DemoMain}). */
@Command(name = "demo", description = "Self-contained demo: embedded PostgreSQL, TPC-H lineitem, two daily syncs.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--scale", defaultValue = "0.05", description = "TPC-H scale factor (0.05 = ~300k lineitem rows)")
    double scale;

    @Option(names = "--apply-chunk-rows", defaultValue = "0",
            description = "apply each day's change set in transactions of at most this many rows (0: one transaction)")
    int chunkRows;

    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        return new Demo(scale, System.out, chunkRows).run() ? Main.OK : Main.FAILED;
    }
}
