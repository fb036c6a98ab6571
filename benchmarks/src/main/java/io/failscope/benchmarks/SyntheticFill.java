package io.failscope.benchmarks;

import io.failscope.store.FailureStore;
import io.failscope.store.WriteOutcome;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/** Fills a store with synthetic records for a benchmark that needs many, a bounded number in flight. */
final class SyntheticFill
{
    private SyntheticFill() {}

    /**
     * Writes records {@code from} (inclusive) to {@code to} (exclusive) of {@code synthetic}, keeping at
     * most {@code inFlight} waiting for the writer, saying how far it is every million; returns the
     * seconds it took. A record that cannot be stored ends the benchmark.
     */
    static double fill(FailureStore store, SyntheticRecords synthetic, long from, long to, int inFlight)
            throws InterruptedException
    {
        Semaphore window = new Semaphore(inFlight);
        long start = System.nanoTime();
        for (long i = from; i < to; i++) {
            window.acquire();
            CompletableFuture<WriteOutcome> written = store.submit(synthetic.next(i, to));
            written.whenComplete((outcome, failure) -> {
                window.release();
                if (failure != null) {
                    failure.printStackTrace();
                    System.exit(1);
                }
            });
            if ((i + 1) % 1_000_000 == 0) {
                System.out.printf(Locale.ROOT, "  %,d records, %.0f s%n", i + 1, (System.nanoTime() - start) / 1e9);
            }
        }
        window.acquire(inFlight);
        return (System.nanoTime() - start) / 1e9;
    }
}
