package io.failscope.dialect.cln;

import io.failscope.transport.stdio.ProtocolWriter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static java.util.Objects.requireNonNull;

/**
 * Under lightningd, failscope's log goes to lightningd's own log as {@code log} notifications, each
 * line at its level ({@code cln-plugin-protocol.md} §1.8: lightningd prints what its
 * {@code --log-level} lets through, under the prefix {@code plugin-failscope}). A stack trace does not
 * belong in the node's log: the line there carries the cause in words, the trace goes to stderr.
 */
public final class NodeLogHandler
        extends Handler
{
    private final ProtocolWriter writer;
    private final Consumer<String> traces;

    /** {@code traces} takes stack traces (stderr). */
    public NodeLogHandler(ProtocolWriter writer, Consumer<String> traces)
    {
        this.writer = requireNonNull(writer, "writer is null");
        this.traces = requireNonNull(traces, "traces is null");
        setLevel(Level.FINE);
    }

    @Override
    public void publish(LogRecord record)
    {
        if (record == null || !isLoggable(record)) {
            return;
        }
        String message = record.getMessage() == null ? "" : record.getMessage();
        if (record.getParameters() != null && record.getParameters().length > 0) {
            message = MessageFormat.format(message, record.getParameters());
        }
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            if (thrown.getMessage() != null && !message.contains(thrown.getMessage())) {
                message = message + ": " + thrown.getMessage();
            }
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            traces.accept(record.getLoggerName() + ": " + message + System.lineSeparator() + trace);
        }
        writer.log(level(record.getLevel()), message);
    }

    /** lightningd's name for a level; it kills a plugin that sends a name it does not know. */
    static String level(Level level)
    {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (value >= Level.WARNING.intValue()) {
            return "warn";
        }
        if (value >= Level.INFO.intValue()) {
            return "info";
        }
        return "debug";
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
