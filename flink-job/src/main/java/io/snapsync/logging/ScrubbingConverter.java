package io.snapsync.logging;

import io.snapsync.config.Secrets;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;

/**
 * {@code %scrubbed} in a log4j2 pattern: the message and its stack trace (if any) with every secret
 * removed by {@link Secrets#scrub}. Use it instead of {@code %m} and {@code %throwable} (set
 * {@code alwaysWriteExceptions = false}), so that a driver or Flink message quoting a URL with a password
 * cannot reach the log.
 */
@Plugin(name = "ScrubbingConverter", category = PatternConverter.CATEGORY)
@ConverterKeys({"scrubbed"})
public final class ScrubbingConverter extends LogEventPatternConverter {
    private ScrubbingConverter() {
        super("scrubbed", "scrubbed");
    }

    public static ScrubbingConverter newInstance(String[] options) {
        return new ScrubbingConverter();
    }

    @Override
    public void format(LogEvent event, StringBuilder toAppendTo) {
        String msg = event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
        toAppendTo.append(Secrets.scrub(msg));
        if (event.getThrown() != null) {
            toAppendTo.append(System.lineSeparator()).append(Secrets.stackTrace(event.getThrown()));
        }
    }
}
