package io.snapsync.testing;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The UNLOAD bucket source's log of buckets whose sort spilled ("UNLOAD key-range bucket N [range]: R rows, ... sorted
 * through K run files, S rows and B bytes (zstd) written to DIR"), read from this JVM (a MiniCluster's task manager).
 */
public final class SortLog implements AutoCloseable {
    private static final String LOGGER = "io.snapsync.unload.UnloadBucketSource";
    private static final String NAME = "sort-log-test";
    private static final Pattern SPILL = Pattern.compile(
            "UNLOAD key-range bucket (\\d+) .*?: (\\d+) rows, more than .*? sorted through (\\d+) run files, (\\d+) rows and (\\d+) bytes \\(zstd\\) written to (\\S+)");
    private final StringWriter text = new StringWriter();

    /** One bucket's spill. */
    public record Spill(int bucket, long rows, int runs, long spilledRows, long bytes, java.nio.file.Path dir) {}

    private SortLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        WriterAppender appender = WriterAppender.newBuilder().setName(NAME).setTarget(text)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        appender.start();
        LoggerConfig logger = new LoggerConfig(LOGGER, Level.INFO, true);
        logger.addAppender(appender, Level.INFO, null);
        ctx.getConfiguration().addLogger(LOGGER, logger);
        ctx.updateLoggers();
    }

    /** Records the spill lines until closed. */
    public static SortLog capture() {
        return new SortLog();
    }

    /** The spills logged so far, and forgets them (one list per day of a test). */
    public synchronized List<Spill> take() {
        List<Spill> out = new ArrayList<>();
        Matcher m = SPILL.matcher(text.toString());
        while (m.find()) {
            out.add(new Spill(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), java.nio.file.Path.of(m.group(6))));
        }
        text.getBuffer().setLength(0);
        return out;
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().removeLogger(LOGGER);
        ctx.updateLoggers();
    }
}
