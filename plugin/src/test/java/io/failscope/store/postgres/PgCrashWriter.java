package io.failscope.store.postgres;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.store.StoreSamples;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link TestPostgresCrash}: writes records to the PostgreSQL store as fast as it
 * can and prints {@code ack <htlc id>} for each one whose future has completed, until it is killed.
 */
public final class PgCrashWriter
{
    private PgCrashWriter() {}

    public static void main(String[] args)
            throws Exception
    {
        PostgresUrl url = PostgresUrl.parse(args[0]);
        long firstHtlcId = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        Semaphore inFlight = new Semaphore(5_000);
        PostgresFailureStore store = PostgresFailureStore.open(StoreConfig.DEFAULT.withUrl(url, Optional.empty()), RetentionConfig.DEFAULT, Clock.systemUTC());
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
