package io.snapsync.demo;

import io.snapsync.cli.Main;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapsync bench} (bench/run): the local launcher's command ({@link DemoMain}). */
@Command(name = "bench", description = "Benchmark: bare extraction, plain COPY, day 1 and day 2 of TPC-H lineitem, side by side.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--scale", split = ",", defaultValue = "0.1", description = "TPC-H scale factor(s), e.g. 0.25,1")
    List<Double> scales;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds per scale (medians are reported)")
    int rounds;

    @Option(names = "--java-opts", defaultValue = "-Xmx3g", description = "JVM options of the sync processes")
    String javaOpts;

    @Option(names = "--profile-dir", description = "record a JFR profile of each day 1 and day 2 into this directory")
    String profileDir;

    @Option(names = {"--jsonb-key", "--keyed"}, description = "l_orderkey as jsonb (a jsonb number): one split (json keys are ordered by "
            + "their text but never ranged) and the ordered diff; --keyed is its old name, from when a jsonb key took the keyed diff")
    boolean jsonbKey;

    @Option(names = "--numeric-key", description = "l_orderkey as numeric(20,0): range splits over decimals (the ordered diff)")
    boolean numericKey;

    @Option(names = "--unload", description = "day 1 and day 2 through extract: unload (the tests' stand-in for Redshift's UNLOAD and S3Proxy; "
            + "bench/run UNLOAD=1 puts them on the class path)")
    boolean unload;

    @Option(names = {"--spill-unload", "--keyed-unload"}, description = "with --unload: source.unload.max-bucket-mb: 1, so that every "
            + "bucket's sort spills run files to the spill directory (--keyed-unload: its old name, from when 0 meant the keyed diff)")
    boolean spillUnload;

    /** The rig with the stand-ins, from the demo's test classes (never in the launcher's jar). */
    static final String UNLOAD_RIG = "io.snapsync.demo.UnloadBenchRig";

    @Override
    public Integer call() throws Exception {
        Bench bench = new Bench(scales, rounds, javaOpts, profileDir, jsonbKey ? "jsonb" : numericKey ? "numeric(20,0)" : null, System.out);
        if (unload || spillUnload) {
            Class<?> rig;
            try {
                rig = Class.forName(UNLOAD_RIG);
            } catch (ClassNotFoundException e) {
                System.out.println("snapsync bench --unload needs the tests' UNLOAD stand-in on the class path: run it as UNLOAD=1 bench/run");
                return Main.USAGE;
            }
            bench.unload((Bench.UnloadRig) rig.getConstructor(boolean.class).newInstance(spillUnload));
        }
        return bench.run() ? Main.OK : Main.FAILED;
    }
}
