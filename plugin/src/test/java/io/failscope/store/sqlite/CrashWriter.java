package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreSamples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link TestStoreCrash}: writes records as fast as it can and prints
 * {@code ack <htlc id>} for each one whose future has completed, until it is killed.
 */
public final class CrashWriter
{
    private CrashWriter() {}

    public static void main(String[] args)
            throws Exception
    {
        Path directory = Path.of(args[0]);
        long firstHtlcId = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        Semaphore inFlight = new Semaphore(5_000);
        SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC());
        out.println("ready");
        out.flush();
        long htlcId = firstHtlcId;
        while (true) {
            List<HtlcFailureRecord> records = StoreSamples.records(500, htlcId);
            for (HtlcFailureRecord sample : records) {
                long id = htlcId++;
                inFlight.acquire();
                store.submit(sample.toBuilder().inHtlcId(id).build()).whenComplete((outcome, failure) -> {
                    inFlight.release();
                    if (failure == null) {
                        synchronized (out) {
                            out.println("ack " + id);
                            out.flush();
                        }
                    }
                });
            }
        }
    }
}
