package io.failscope.benchmarks;

import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retention at scale: prunes the database in {@code --dir} down to {@code --prune-to} records (the
 * row cap, in batches of {@code retention.batch-size}) while records keep arriving at 5,000 a second,
 * and reports the longest time one of them waited for its acknowledgement (the longest write stall)
 * and the bytes the file gave back.
 */
final class PruneBenchmark
{
    private static final int RATE = 5_000;
    private static final int TICK_MILLIS = 2;
    private static final int MAX_SAMPLES = 20_000_000;

    private PruneBenchmark() {}

    static void run(Path directory, StoreConfig config, long pruneTo)
            throws Exception
    {
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        long rowsBefore = StoreBenchmark.countRows(file);
        long bytesBefore = Files.size(file);
        System.out.printf(Locale.ROOT, "## Pruning %,d records down to %,d while writing %,d records/s (load average %s)%n", rowsBefore, pruneTo, RATE, StoreBenchmark.loadAverage());
        RetentionConfig retention = new RetentionConfig(Duration.ZERO, pruneTo, Duration.ofDays(7), RetentionConfig.DEFAULT.batchSize());
        long[] latencies = new long[MAX_SAMPLES];
        AtomicInteger samples = new AtomicInteger();
        AtomicLong longest = new AtomicLong();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, config, retention, Clock.systemUTC())) {
            // new channels and HTLC ids each run, so that every record is a new one
            SyntheticRecords synthetic = new SyntheticRecords(System.nanoTime());
            AtomicLong next = new AtomicLong();
            ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
            feeder.scheduleAtFixedRate(() -> {
                for (int i = 0; i < RATE * TICK_MILLIS / 1000; i++) {
                    long submitted = System.nanoTime();
                    store.submit(synthetic.next(next.getAndIncrement(), 100_000_000L)).whenComplete((outcome, failure) -> {
                        long waited = System.nanoTime() - submitted;
                        longest.accumulateAndGet(waited, Math::max);
                        int sample = samples.getAndIncrement();
                        if (sample < MAX_SAMPLES) {
                            latencies[sample] = waited;
                        }
                    });
                }
            }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
            // a few seconds of writing alone first, for the latency it has without pruning
            Thread.sleep(5_000);
            long quietLongest = longest.getAndSet(0);
            int quietSamples = samples.getAndSet(0);
            long start = System.nanoTime();
            long pruned = store.enforceRetention(Clock.systemUTC().instant());
            double seconds = (System.nanoTime() - start) / 1e9;
            feeder.shutdown();
            feeder.awaitTermination(10, TimeUnit.SECONDS);
            Thread.sleep(1_000);
            int count = Math.min(samples.get(), MAX_SAMPLES);
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "before pruning: %,d records written, longest wait %.1f ms%n", quietSamples, quietLongest / 1e6);
            System.out.printf(Locale.ROOT, "pruned %,d records in %.1f s (%,.0f records/s), %,d written meanwhile%n", pruned, seconds, pruned / seconds, count);
            System.out.printf(Locale.ROOT, "wait for acknowledgement while pruning: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, longest %.1f ms%n",
                    sorted[count / 2] / 1e6, sorted[(int) (count * 0.99)] / 1e6, sorted[(int) (count * 0.999)] / 1e6, longest.get() / 1e6);
            System.out.printf(Locale.ROOT, "records now %,d%n", store.status().records());
        }
        long bytesAfter = Files.size(file);
        System.out.printf(Locale.ROOT, "file %,d bytes before, %,d after: %,d bytes given back (%.1f bytes per pruned record)%n",
                bytesBefore, bytesAfter, bytesBefore - bytesAfter, (double) (bytesBefore - bytesAfter) / Math.max(1, rowsBefore - pruneTo));
        StoreBenchmark.printSpaceByObject(file, StoreBenchmark.countRows(file));
    }
}
