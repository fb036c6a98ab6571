package io.failscope.transport.stdio;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static java.util.Objects.requireNonNull;

/**
 * Sends warnings and errors to lightningd as {@code log} notifications, so they appear in the node's
 * own log, with only the levels lightningd accepts ({@code cln-plugin-protocol.md} §1.8).
 */
public final class NodeLogHandler
        extends Handler
{
    private final ProtocolWriter writer;

    public NodeLogHandler(ProtocolWriter writer)
    {
        this.writer = requireNonNull(writer, "writer is null");
        setLevel(Level.WARNING);
    }

    @Override
    public void publish(LogRecord record)
    {
        if (record == null || !isLoggable(record)) {
            return;
        }
        String level = record.getLevel().intValue() >= Level.SEVERE.intValue() ? "error" : "warn";
        String message = record.getMessage() == null ? "" : record.getMessage();
        if (record.getParameters() != null && record.getParameters().length > 0) {
            message = java.text.MessageFormat.format(message, record.getParameters());
        }
        if (record.getThrown() != null && record.getThrown().getMessage() != null && !message.contains(record.getThrown().getMessage())) {
            // the stack trace stays on stderr; the node's log gets the cause in words
            message = message + ": " + record.getThrown().getMessage();
        }
        writer.log(level, message);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
