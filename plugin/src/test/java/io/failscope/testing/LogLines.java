package io.failscope.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What failscope logs (through java.util.logging, System.Logger's default) while it is open. */
public final class LogLines
        extends Handler
        implements AutoCloseable
{
    private final Logger logger = Logger.getLogger("io.failscope");
    private final List<LogRecord> records = new ArrayList<>();

    public LogLines()
    {
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record)
    {
        records.add(record);
    }

    /** The WARNING and worse lines, as logged. */
    public synchronized List<String> warnings()
    {
        return records.stream().filter(record -> record.getLevel().intValue() >= Level.WARNING.intValue()).map(LogRecord::getMessage).toList();
    }

    /** How many lines carried a stack trace. */
    public synchronized long stackTraces()
    {
        return records.stream().filter(record -> record.getThrown() != null).count();
    }

    @Override
    public void flush() {}

    @Override
    public void close()
    {
        logger.removeHandler(this);
    }
}
