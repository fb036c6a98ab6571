package io.failscope.benchmarks;

import io.failscope.store.FailureStore;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.store.WriteOutcome;
import io.failscope.store.postgres.PostgresFailureStore;
import io.failscope.store.postgres.PostgresUrl;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fleet on PostgreSQL: {@code --nodes} stores (each as a plugin has it: its own pool and writer,
 * its own node's records) write at once into one database, then first pages for every filter and
 * statistics for every grouping are measured on the whole fleet's records.
 *
 * <pre>PGPASSFILE=... java -cp benchmarks/target/failscope-benchmarks.jar io.failscope.benchmarks.FleetBenchmark \
 *     --url postgresql://failscope@localhost:5432/failscope_bench --nodes 4 --records 250000 [--queries-only]</pre>
 *
 * {@code --records} is per node; the database should be empty (or hold an earlier run, with --queries-only).
 */
public final class FleetBenchmark
{
    private static final int IN_FLIGHT = 20_000;

    private FleetBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        PostgresUrl url = null;
        int nodes = 4;
        long records = 250_000;
        boolean queriesOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = PostgresUrl.parse(args[++i]);
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--records" -> records = Long.parseLong(args[++i]);
                case "--queries-only" -> queriesOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url postgresql://user@host:port/database is required");
        }
        StoreConfig config = StoreConfig.DEFAULT.withUrl(url, Optional.empty());
        List<SyntheticRecords> synthetic = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            synthetic.add(new SyntheticRecords(100 + i));
        }
        if (!queriesOnly) {
            ingest(config, synthetic, records);
        }
        try (FailureStore store = PostgresFailureStore.open(config, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            long rows = store.status().records();
            System.out.printf(Locale.ROOT, "%n%,d records of %d nodes in the database, %,d bytes%n", rows, nodes, store.status().databaseBytes());
            StoreBenchmark.queries(store, synthetic.get(0), rows, Map.of(
                    "node_id (one node of " + nodes + ")", "{\"node_id\":\"" + synthetic.get(1).node() + "\",\"limit\":100}",
                    "node_id, two nodes, and reason", "{\"node_id\":[\"" + synthetic.get(1).node() + "\",\"" + synthetic.get(2).node() + "\"],\"reason\":\"fee_insufficient\",\"limit\":100}"));
        }
    }

    private static void ingest(StoreConfig config, List<SyntheticRecords> synthetic, long records)
            throws Exception
    {
        List<FailureStore> stores = new ArrayList<>();
        for (int i = 0; i < synthetic.size(); i++) {
            stores.add(PostgresFailureStore.open(config, RetentionConfig.DEFAULT, Clock.systemUTC()));
        }
        AtomicLong written = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < synthetic.size(); i++) {
            FailureStore store = stores.get(i);
            SyntheticRecords source = synthetic.get(i);
            Thread writer = new Thread(() -> {
                Semaphore window = new Semaphore(IN_FLIGHT);
                for (long n = 0; n < records; n++) {
                    window.acquireUninterruptibly();
                    CompletableFuture<WriteOutcome> future = store.submit(source.next(n, records));
                    future.whenComplete((outcome, failure) -> {
                        if (failure != null) {
                            System.err.println("a write failed: " + failure);
                        }
                        written.incrementAndGet();
                        window.release();
                    });
                }
                window.acquireUninterruptibly(IN_FLIGHT);
            }, "node-" + i);
            writers.add(writer);
            writer.start();
        }
        long lastReport = started;
        while (writers.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(200);
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.printf(Locale.ROOT, "  %,d records written, %,.0f/s so far%n", written.get(), written.get() / ((lastReport - started) / 1e9));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "## ingest: %d nodes writing at once, %,d records each: %,d records in %.1f s = %,.0f records/s in total (load average %s)%n",
                synthetic.size(), records, written.get(), seconds, written.get() / seconds, StoreBenchmark.loadAverage());
        for (FailureStore store : stores) {
            store.close();
        }
    }
}
