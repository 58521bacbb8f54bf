package io.snapsync.testing;

import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The read gate's log ({@code io.snapsync.gate.GatedSource}: "T: reading its source", then "T: source read to the
 * end, read permit returned" or, after a failed reader, "T: a failed reader's splits wait for it to restart: read
 * permit returned until it does"), read as when each table's source read began and ended.
 */
public final class GateLog implements AutoCloseable {
    private static final Pattern EVENT = Pattern.compile(
            "GatedSource - (\\S+): (reading its source|source read to the end|a failed reader's splits wait)");
    private static final String NAME = "gate-log-test";
    private final StringWriter text = new StringWriter();
    private final LoggerConfig logger;
    private final Level level;

    private GateLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        WriterAppender appender = WriterAppender.newBuilder().setName(NAME).setTarget(text)
                .setLayout(PatternLayout.newBuilder().withPattern("%c{1} - %m%n").build()).build();
        appender.start();
        logger = ctx.getConfiguration().getLoggerConfig("io.snapsync.gate");
        level = logger.getLevel();
        logger.addAppender(appender, Level.INFO, null);
        logger.setLevel(Level.INFO);
        ctx.updateLoggers();
    }

    /** Records the gate's log lines of this JVM (a MiniCluster's JobManager) until closed. */
    public static GateLog capture() {
        return new GateLog();
    }

    public String text() {
        return text.toString();
    }

    @Override
    public void close() {
        logger.removeAppender(NAME);
        logger.setLevel(level);
        ((LoggerContext) LogManager.getContext(false)).updateLoggers();
    }

    /** Per table, how many times its read began and ended, e.g. {a=1/1, b=1/1}. */
    public static Map<String, String> reads(String log) {
        Map<String, int[]> n = new TreeMap<>();
        Matcher m = EVENT.matcher(log);
        while (m.find()) {
            n.computeIfAbsent(m.group(1), t -> new int[2])[m.group(2).startsWith("reading") ? 0 : 1]++;
        }
        Map<String, String> out = new TreeMap<>();
        n.forEach((t, c) -> out.put(t, c[0] + "/" + c[1]));
        return out;
    }

    /** The most tables reading at once, in the log's order (a read's end is logged before the next one begins). */
    public static int tablesReadingAtOnce(String log) {
        int now = 0;
        int max = 0;
        Matcher m = EVENT.matcher(log);
        while (m.find()) {
            now += m.group(2).startsWith("reading") ? 1 : -1;
            max = Math.max(max, now);
        }
        return max;
    }
}
