package io.snapsync.cli;

/**
 * The local launcher's entry ({@code ./snapsync}): the exit code is the outcome (0 every table committed,
 * 1 a table failed, 2 bad usage or config). Not for clusters: System.exit there ends the JobManager.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        System.exit(Main.run(args));
    }
}
