package io.failscope.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.rpc.DelHtlcFailures;
import io.failscope.rpc.HtlcFailureStats;
import io.failscope.rpc.ListHtlcFailures;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.store.FailureStore;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.store.WriteOutcome;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Measures the store: sustained ingest with group commit, bytes on disk per record and per table and
 * index, the two floors of {@link StoreFloors} in the same run, the latency of {@code listhtlcfailures}
 * first pages for every filter, and {@code htlcfailurestats} for every grouping. Everything goes
 * through the same code the plugin runs (store, RPC methods, JSON).
 *
 * <pre>java -jar benchmarks/target/failscope-benchmarks.jar --records 1000000 [--dir DIR] [--synchronous normal] [--no-floors]
 * java -jar benchmarks/target/failscope-benchmarks.jar --dir DIR --prune-to 1000000   (see {@link PruneBenchmark})</pre>
 *
 * With {@code --dir} naming an existing database, ingest is skipped and only queries are measured.
 */
public final class StoreBenchmark
{
    private static final ObjectMapper MAPPER = Json.newMapper();

    private static final int IN_FLIGHT = 50_000;
    private static final long MILLION = 1_000_000;

    private StoreBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        long records = MILLION;
        Path directory = null;
        String synchronous = "full";
        boolean floors = true;
        long pruneTo = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
                case "--dir" -> directory = Path.of(args[++i]);
                case "--synchronous" -> synchronous = args[++i];
                case "--no-floors" -> floors = false;
                case "--prune-to" -> pruneTo = Long.parseLong(args[++i].replace("_", ""));
                default -> {
                    System.err.println("usage: StoreBenchmark [--records N] [--dir DIR] [--synchronous full|normal] [--no-floors] [--prune-to N]");
                    System.exit(2);
                }
            }
        }
        StoreConfig config = new StoreConfig(StoreConfig.Synchronous.valueOf(synchronous.toUpperCase(Locale.ROOT)), StoreConfig.DEFAULT.commitDelay());
        if (pruneTo >= 0) {
            PruneBenchmark.run(directory, config, pruneTo);
            return;
        }
        boolean ingest = directory == null || !Files.exists(directory.resolve(SqliteFailureStore.FILE_NAME));
        if (directory == null) {
            directory = Files.createTempDirectory("failscope-bench");
        }
        System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB; database in %s; load average %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, directory, loadAverage());
        SyntheticRecords synthetic = new SyntheticRecords(42);
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        double rate = 0;
        if (ingest) {
            rate = ingest(directory, config, synthetic, records);
        }
        long rows = countRows(file);
        System.out.printf(Locale.ROOT, "%n## Size on disk at %,d records%n", rows);
        double bytesPerRecord = (double) Files.size(file) / rows;
        System.out.printf(Locale.ROOT, "file %,d bytes = %.1f bytes per record (indexes included)%n", Files.size(file), bytesPerRecord);
        printSpaceByObject(file, rows);
        if (ingest && floors) {
            System.out.printf(Locale.ROOT, "%n## Floors, same run, same disk (synchronous=%s, %,d rows a transaction); load average %s%n", synchronous, StoreFloors.TRANSACTION, loadAverage());
            StoreFloors.Floor raw = StoreFloors.rawRows(file, directory, synchronous);
            StoreFloors.Floor cln = StoreFloors.clnForwards(new SyntheticRecords(42), rows, directory, synchronous);
            System.out.printf(Locale.ROOT, "| writer | rows | rows/s | bytes per row | failscope's rate as a ratio | failscope's bytes as a ratio |%n|---|---:|---:|---:|---:|---:|%n");
            System.out.printf(Locale.ROOT, "| failscope | %,d | %,.0f | %.1f | | |%n", rows, rate, bytesPerRecord);
            for (StoreFloors.Floor floor : List.of(raw, cln)) {
                System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %.1f | %.2f× | %.2f× |%n", floor.name(), floor.rows(), floor.rowsPerSecond(), floor.bytesPerRow(),
                        rate / floor.rowsPerSecond(), bytesPerRecord / floor.bytesPerRow());
            }
        }
        queries(directory, synthetic, rows);
    }

    /** Writes {@code records} records, keeping {@link #IN_FLIGHT} waiting; returns the sustained rate. */
    private static double ingest(Path directory, StoreConfig config, SyntheticRecords synthetic, long records)
            throws Exception
    {
        System.out.printf(Locale.ROOT, "%n## Ingest of %,d records (group commit, synchronous=%s)%n", records, config.synchronous().configName());
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, config, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            long start = System.nanoTime();
            long windowStart = start;
            long window = Math.max(records / 10, 1);
            long lastMillionStart = start;
            for (long i = 0; i < records; i++) {
                HtlcFailureRecord record = synthetic.next(i, records);
                inFlight.acquire();
                CompletableFuture<WriteOutcome> written = store.submit(record);
                written.whenComplete((outcome, failure) -> {
                    inFlight.release();
                    if (failure != null) {
                        failure.printStackTrace();
                        System.exit(1);
                    }
                });
                if ((i + 1) % window == 0) {
                    long now = System.nanoTime();
                    System.out.printf(Locale.ROOT, "  records %,11d: %,8.0f records/s over the last %,d (load average %s)%n", i + 1, window / ((now - windowStart) / 1e9), window, loadAverage());
                    windowStart = now;
                }
                if (i + 1 == records - MILLION) {
                    lastMillionStart = System.nanoTime();
                }
            }
            inFlight.acquire(IN_FLIGHT);
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            double rate = records / seconds;
            System.out.printf(Locale.ROOT, "sustained: %,.0f records/s (%,d records durable in %.1f s)%n", rate, records, seconds);
            if (records > MILLION) {
                System.out.printf(Locale.ROOT, "last million: %,.0f records/s%n", MILLION / ((end - lastMillionStart) / 1e9));
            }
            return rate;
        }
    }

    private static void queries(Path directory, SyntheticRecords synthetic, long rows)
            throws Exception
    {
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            store.awaitMigration(Duration.ofHours(1));
            queries(store, synthetic, rows, Map.of());
        }
    }

    /** Measures first pages for every filter (and {@code extra} ones) and statistics for every grouping, on any backend. */
    static void queries(FailureStore store, SyntheticRecords synthetic, long rows, Map<String, String> extra)
            throws Exception
    {
        {
            RpcDispatcher rpc = new RpcDispatcher(Map.of(ListHtlcFailures.INFO, new ListHtlcFailures(store), HtlcFailureStats.INFO, new HtlcFailureStats(store), DelHtlcFailures.INFO, new DelHtlcFailures(store)));
            long days = 90;
            long start = SyntheticRecords.START.getEpochSecond();
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("reason", "{\"reason\":\"peer_offline\",\"limit\":100}");
            filters.put("reason, two of them", "{\"reason\":[\"fee_insufficient\",\"htlc_maximum\"],\"limit\":100}");
            filters.put("failcode", "{\"failcode\":16394,\"limit\":100}");
            filters.put("type (3% of rows)", "{\"type\":\"intercepted\",\"limit\":100}");
            filters.put("source", "{\"source\":\"downstream\",\"limit\":100}");
            filters.put("out_channel", "{\"out_channel\":\"" + synthetic.channels().get(7) + "\",\"limit\":100}");
            filters.put("in_channel", "{\"in_channel\":\"" + synthetic.channels().get(11) + "\",\"limit\":100}");
            filters.put("peer_id", "{\"peer_id\":\"" + synthetic.peers().get(3) + "\",\"limit\":100}");
            filters.put("since (last 10 days)", "{\"since\":" + (start + (days - 10) * 86_400) + ",\"limit\":100}");
            filters.put("until (first 10 days)", "{\"until\":" + (start + 10 * 86_400) + ",\"limit\":100}");
            filters.put("min_msat", "{\"min_msat\":900000000,\"limit\":100}");
            filters.put("max_msat", "{\"max_msat\":2000,\"limit\":100}");
            String middle = rpc.call("listhtlcfailures", MAPPER.readTree("{\"index\":\"created\",\"start\":" + rows / 2 + ",\"limit\":1}"))
                    .get("htlcfailures").get(0).get("payment_hash").asText();
            filters.put("payment_hash", "{\"payment_hash\":\"" + middle + "\",\"limit\":100}");
            filters.put("reason, from the middle (index+start)", "{\"reason\":\"fee_insufficient\",\"index\":\"created\",\"start\":" + rows / 2 + ",\"limit\":100}");
            filters.put("out_channel and reason", "{\"out_channel\":\"" + synthetic.channels().get(7) + "\",\"reason\":\"fee_insufficient\",\"limit\":100}");
            filters.put("peer_id, last 10 days", "{\"peer_id\":\"" + synthetic.peers().get(3) + "\",\"since\":" + (start + (days - 10) * 86_400) + ",\"limit\":100}");
            filters.putAll(extra);

            System.out.printf(Locale.ROOT, "%n## listhtlcfailures, first page (limit 100): 50 warm-up calls, then 500 measured (load average %s)%n", loadAverage());
            System.out.printf(Locale.ROOT, "| filter | items | p50 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|%n");
            for (Map.Entry<String, String> filter : filters.entrySet()) {
                JsonNode params = MAPPER.readTree(filter.getValue());
                int items = rpc.call("listhtlcfailures", params).get("htlcfailures").size();
                long[] nanos = timings(50, 500, () -> rpc.call("listhtlcfailures", params));
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", filter.getKey(), items, percentile(nanos, 50), percentile(nanos, 99), nanos[nanos.length - 1] / 1e6);
            }

            System.out.printf(Locale.ROOT, "%n## htlcfailurestats: 3 warm-up calls, then 20 measured (load average %s)%n", loadAverage());
            System.out.printf(Locale.ROOT, "| group_by | range | groups | p50 ms | max ms |%n|---|---|---:|---:|---:|%n");
            for (String grouping : List.of("reason", "failcode", "type", "out_channel", "in_channel", "peer_id", "hour", "day", "node")) {
                for (String range : List.of("all", "2.5 days, edges mid-day")) {
                    ObjectNode params = MAPPER.createObjectNode().put("group_by", grouping);
                    if (!range.equals("all")) {
                        params.put("since", start + 40 * 86_400 + 43_200).put("until", start + 43 * 86_400);
                    }
                    int groups = rpc.call("htlcfailurestats", params).get("groups").size();
                    long[] nanos = timings(3, 20, () -> rpc.call("htlcfailurestats", params));
                    System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f |%n", grouping, range, groups, percentile(nanos, 50), nanos[nanos.length - 1] / 1e6);
                }
            }
        }
    }

    interface Call
    {
        void run()
                throws Exception;
    }

    /** Runs {@code call} {@code warmups} times, then {@code measured} times; the measured durations, sorted. */
    static long[] timings(int warmups, int measured, Call call)
            throws Exception
    {
        for (int i = 0; i < warmups; i++) {
            call.run();
        }
        long[] nanos = new long[measured];
        for (int i = 0; i < measured; i++) {
            long begin = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - begin;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    static String loadAverage()
    {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        }
        catch (Exception e) {
            return "unknown";
        }
    }

    static double percentile(long[] sortedNanos, double percent)
    {
        int index = (int) Math.ceil(percent / 100 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1e6;
    }

    static long countRows(Path file)
            throws Exception
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT value FROM counters WHERE name = 'records'")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Space per table and index, from SQLite's dbstat table. */
    static void printSpaceByObject(Path file, long rows)
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT name, SUM(pgsize), SUM(pgsize - unused) FROM dbstat GROUP BY name ORDER BY 2 DESC")) {
            System.out.printf(Locale.ROOT, "| table or index | bytes per record | of which used |%n|---|---:|---:|%n");
            while (result.next()) {
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", result.getString(1), (double) result.getLong(2) / rows, (double) result.getLong(3) / rows);
            }
            try (ResultSet rest = statement.executeQuery("SELECT AVG(IFNULL(LENGTH(rest), 0)) FROM failures")) {
                rest.next();
                System.out.printf(Locale.ROOT, "average rest (TLV fields not in columns): %.1f bytes%n", rest.getDouble(1));
            }
            try (ResultSet free = statement.executeQuery("PRAGMA freelist_count")) {
                free.next();
                System.out.printf(Locale.ROOT, "free pages: %,d%n", free.getLong(1));
            }
        }
        catch (Exception e) {
            System.out.println("(no per-index breakdown: " + e.getMessage() + ")");
        }
    }
}
