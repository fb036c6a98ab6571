package io.failscope.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.rpc.DelHtlcFailures;
import io.failscope.rpc.HtlcFailureStats;
import io.failscope.rpc.Json;
import io.failscope.rpc.ListHtlcFailures;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.store.RetentionConfig;
import io.failscope.store.WriteOutcome;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Measures the store: sustained durable ingest with group commit, bytes on disk per record, the
 * latency of {@code listhtlcfailures} first pages with one filter, and {@code htlcfailurestats} by
 * reason. Everything goes through the same code the plugin runs (store, RPC methods, JSON).
 *
 * <pre>java -jar benchmarks/target/failscope-benchmarks.jar --records 1000000 [--dir DIR]</pre>
 *
 * With {@code --dir} naming an existing database, ingest is skipped and only queries are measured.
 */
public final class StoreBenchmark
{
    private static final int IN_FLIGHT = 50_000;

    private StoreBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        long records = 1_000_000;
        Path directory = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
                case "--dir" -> directory = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: StoreBenchmark [--records N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        boolean ingest = directory == null || !Files.exists(directory.resolve(SqliteFailureStore.FILE_NAME));
        if (directory == null) {
            directory = Files.createTempDirectory("failscope-bench");
        }
        System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB; database in %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, directory);
        SyntheticRecords synthetic = new SyntheticRecords(42);
        if (ingest) {
            ingest(directory, synthetic, records);
        }
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        long rows = countRows(file);
        System.out.printf(Locale.ROOT, "%n## Size on disk at %,d records%n", rows);
        long size = Files.size(file);
        System.out.printf(Locale.ROOT, "file %,d bytes = %.1f bytes per record (indexes included)%n", size, (double) size / rows);
        printSpaceByObject(file, rows);
        queries(directory, synthetic);
    }

    private static void ingest(Path directory, SyntheticRecords synthetic, long records)
            throws Exception
    {
        System.out.printf(Locale.ROOT, "%n## Durable ingest of %,d records (group commit, synchronous=FULL)%n", records);
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            long start = System.nanoTime();
            long windowStart = start;
            long window = Math.max(records / 10, 1);
            CompletableFuture<WriteOutcome> last = null;
            for (long i = 0; i < records; i++) {
                HtlcFailureRecord record = synthetic.next(i, records);
                inFlight.acquire();
                last = store.submit(record);
                last.whenComplete((outcome, failure) -> {
                    inFlight.release();
                    if (failure != null) {
                        failure.printStackTrace();
                        System.exit(1);
                    }
                });
                if ((i + 1) % window == 0) {
                    long now = System.nanoTime();
                    System.out.printf(Locale.ROOT, "  records %,11d: %,8.0f records/s over the last %,d%n", i + 1, window / ((now - windowStart) / 1e9), window);
                    windowStart = now;
                }
            }
            inFlight.acquire(IN_FLIGHT);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "sustained: %,.0f records/s (%,d records durable in %.1f s)%n", records / seconds, records, seconds);
        }
    }

    private static void queries(Path directory, SyntheticRecords synthetic)
            throws Exception
    {
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            RpcDispatcher rpc = new RpcDispatcher(List.of(new ListHtlcFailures(store), new HtlcFailureStats(store), new DelHtlcFailures(store)));
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("reason", "{\"reason\":\"peer_offline\",\"limit\":100}");
            filters.put("failcode", "{\"failcode\":16394,\"limit\":100}");
            filters.put("type (3% of rows)", "{\"type\":\"intercepted\",\"limit\":100}");
            filters.put("source", "{\"source\":\"downstream\",\"limit\":100}");
            filters.put("out_channel", "{\"out_channel\":\"" + synthetic.channels().get(7) + "\",\"limit\":100}");
            filters.put("in_channel", "{\"in_channel\":\"" + synthetic.channels().get(11) + "\",\"limit\":100}");
            filters.put("peer_id", "{\"peer_id\":\"" + synthetic.peers().get(3) + "\",\"limit\":100}");
            filters.put("since (last 10 days)", "{\"since\":" + (SyntheticRecords.START.getEpochSecond() + 80L * 86_400) + ",\"limit\":100}");
            filters.put("min_msat", "{\"min_msat\":900000000,\"limit\":100}");
            String middle = rpc.call("listhtlcfailures", Json.MAPPER.readTree("{\"index\":\"created\",\"start\":" + countRows(directory.resolve(SqliteFailureStore.FILE_NAME)) / 2 + ",\"limit\":1}"))
                    .get("htlcfailures").get(0).get("payment_hash").asText();
            filters.put("payment_hash", "{\"payment_hash\":\"" + middle + "\",\"limit\":100}");
            filters.put("reason, from the middle (index+start)", "{\"reason\":\"fee_insufficient\",\"index\":\"created\",\"start\":" + countRows(directory.resolve(SqliteFailureStore.FILE_NAME)) / 2 + ",\"limit\":100}");

            System.out.printf(Locale.ROOT, "%n## listhtlcfailures, first page (limit 100), one filter: 50 warm-up calls, then 500 measured%n");
            System.out.printf(Locale.ROOT, "| filter | items | p50 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|%n");
            for (Map.Entry<String, String> filter : filters.entrySet()) {
                JsonNode params = Json.MAPPER.readTree(filter.getValue());
                int items = 0;
                for (int i = 0; i < 50; i++) {
                    items = rpc.call("listhtlcfailures", params).get("htlcfailures").size();
                }
                long[] nanos = new long[500];
                for (int i = 0; i < nanos.length; i++) {
                    long start = System.nanoTime();
                    rpc.call("listhtlcfailures", params);
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", filter.getKey(), items, percentile(nanos, 50), percentile(nanos, 99), nanos[nanos.length - 1] / 1e6);
            }

            System.out.printf(Locale.ROOT, "%n## htlcfailurestats: 3 warm-up calls, then 20 measured%n");
            System.out.printf(Locale.ROOT, "| group_by | groups | p50 ms | max ms |%n|---|---:|---:|---:|%n");
            for (String grouping : List.of("reason", "out_channel", "day")) {
                ObjectNode params = Json.MAPPER.createObjectNode().put("group_by", grouping);
                int groups = 0;
                for (int i = 0; i < 3; i++) {
                    groups = rpc.call("htlcfailurestats", params).get("groups").size();
                }
                long[] nanos = new long[20];
                for (int i = 0; i < nanos.length; i++) {
                    long start = System.nanoTime();
                    rpc.call("htlcfailurestats", params);
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", grouping, groups, percentile(nanos, 50), nanos[nanos.length - 1] / 1e6);
            }
        }
    }

    private static double percentile(long[] sortedNanos, double percent)
    {
        int index = (int) Math.ceil(percent / 100 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1e6;
    }

    private static long countRows(Path file)
            throws Exception
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM htlc_failures")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Space per table and index, from SQLite's dbstat table when the driver has it. */
    private static void printSpaceByObject(Path file, long rows)
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")) {
            System.out.printf(Locale.ROOT, "| table or index | bytes per record |%n|---|---:|%n");
            while (result.next()) {
                System.out.printf(Locale.ROOT, "| %s | %.1f |%n", result.getString(1), (double) result.getLong(2) / rows);
            }
            try (ResultSet blob = statement.executeQuery("SELECT AVG(LENGTH(record)) FROM htlc_failures")) {
                blob.next();
                System.out.printf(Locale.ROOT, "average record blob: %.1f bytes%n", blob.getDouble(1));
            }
        }
        catch (Exception e) {
            System.out.println("(no per-index breakdown: " + e.getMessage() + ")");
        }
    }
}
