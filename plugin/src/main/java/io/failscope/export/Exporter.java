package io.failscope.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.rpc.RecordJson;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * Writes the matching records out as they are read, a store page at a time ({@link FailureStore#scan}),
 * so memory stays flat for millions of rows. Exports run on their own few threads, never on a
 * transport's: an export of millions of rows takes seconds, and the transports' threads answer hooks.
 */
@Singleton
public final class Exporter
{
    /** Exports written at once; more wait. */
    static final int THREADS = 2;
    /** Exports waiting for a thread; more are refused as busy. */
    static final int WAITING = 8;

    private final FailureStore store;
    private final ObjectMapper mapper;
    private final ThreadPoolExecutor threads;

    @Inject
    public Exporter(FailureStore store, ObjectMapper mapper)
    {
        this.store = requireNonNull(store, "store is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(WAITING), runnable -> {
            Thread thread = new Thread(runnable, "failscope-export-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        threads.allowCoreThreadTimeOut(true);
    }

    /** Where exports run; it refuses work ({@code RejectedExecutionException}) when too many wait. */
    Executor threads()
    {
        return threads;
    }

    /** Writes every record matching {@code filter} to {@code out} in created order; returns how many. {@code out} is flushed, not closed. */
    public long export(FailureFilter filter, ExportFormat format, OutputStream out)
            throws IOException
    {
        try (ExportFormat.RowWriter rows = format.open(out, mapper)) {
            return store.scan(filter, stored -> {
                try {
                    rows.write(RecordJson.of(stored));
                }
                catch (IOException e) {
                    // the reader went away or the disk is full: stop the scan
                    throw new UncheckedIOException(e);
                }
            });
        }
        catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
