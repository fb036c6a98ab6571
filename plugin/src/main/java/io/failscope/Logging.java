package io.failscope;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * All logging goes through java.util.logging (libraries too: Jetty and sqlite-jdbc through slf4j-jdk14)
 * to stderr, one line per record, never to stdout.
 */
final class Logging
{
    private Logging() {}

    static void toStderr()
    {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler stderr = new ConsoleHandler();
        stderr.setLevel(Level.ALL);
        stderr.setFormatter(new OneLine());
        root.addHandler(stderr);
        root.setLevel(Level.INFO);
        Logger.getLogger("org.eclipse.jetty").setLevel(Level.WARNING);
    }

    /** All logging goes to {@code handler} alone (under lightningd: its log, through log notifications). */
    static void to(Handler handler)
    {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        Logger.getLogger("org.eclipse.jetty").setLevel(Level.WARNING);
    }

    private static final class OneLine
            extends Formatter
    {
        @Override
        public String format(LogRecord record)
        {
            StringBuilder line = new StringBuilder()
                    .append(Instant.ofEpochMilli(record.getMillis()))
                    .append(' ').append(record.getLevel().getName())
                    .append(" failscope ").append(record.getLoggerName() == null ? "" : record.getLoggerName().replaceFirst("^io\\.failscope\\.", ""))
                    .append(": ").append(formatMessage(record))
                    .append(System.lineSeparator());
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
