package io.failscope.benchmarks;

import io.failscope.PluginRuntime;
import io.failscope.config.FailscopeConfig;
import io.failscope.json.Json;
import io.failscope.node.NodeRpcException;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.store.StoreStatus;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /metrics} over HTTP, as Prometheus scrapes it, against a store of N records: the plugin
 * (jvm dialect, HTTP endpoint on a free port) opens the database in {@code --dir}, which is first
 * filled with synthetic records up to {@code --records} if it holds fewer; then {@code --scrapes}
 * scrapes one after another, after a warm-up of a tenth as many, and their latency percentiles.
 *
 * <pre>java -cp benchmarks/target/failscope-benchmarks.jar io.failscope.benchmarks.MetricsScrapeBenchmark --dir /tmp/m1m --records 1000000 [--scrapes 2000]</pre>
 */
public final class MetricsScrapeBenchmark
{
    private static final int IN_FLIGHT = 10_000;

    private MetricsScrapeBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        Path directory = null;
        long records = 0;
        int scrapes = 2_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> directory = Path.of(args[++i]).toAbsolutePath();
                case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
                case "--scrapes" -> scrapes = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: MetricsScrapeBenchmark --dir DIR [--records N] [--scrapes N]");
                    System.exit(2);
                }
            }
        }
        if (directory == null) {
            System.err.println("usage: MetricsScrapeBenchmark --dir DIR [--records N] [--scrapes N]");
            System.exit(2);
        }
        fill(directory, records);

        FailscopeConfig config = FailscopeConfig.read(Map.of("http.port", "0", "dir", directory.toString()), directory, Function.identity());
        PluginRuntime runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, (method, params) -> {
            throw new NodeRpcException("no node in this benchmark");
        }, Json.newMapper());
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.httpPort() + "/metrics"))
                    .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").GET().build();
            String body = "";
            for (int i = 0; i < scrapes / 10; i++) {
                body = client.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
            }
            long[] nanos = new long[scrapes];
            for (int i = 0; i < scrapes; i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = client.send(scrape, HttpResponse.BodyHandlers.ofString());
                nanos[i] = System.nanoTime() - start;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("GET /metrics answered " + response.statusCode());
                }
                body = response.body();
            }
            Arrays.sort(nanos);
            String storeRecords = body.lines().filter(line -> line.startsWith("failscope_store_records ")).findFirst().orElse("failscope_store_records ?");
            System.out.printf(Locale.ROOT, "%n## GET /metrics, %s (load average %s)%n", storeRecords, StoreBenchmark.loadAverage());
            System.out.printf(Locale.ROOT, "| scrapes | p50 ms | p99 ms | max ms | body bytes | series lines |%n|---:|---:|---:|---:|---:|---:|%n");
            System.out.printf(Locale.ROOT, "| %,d | %.2f | %.2f | %.2f | %,d | %,d |%n", scrapes, millis(nanos, 0.50), millis(nanos, 0.99), nanos[scrapes - 1] / 1e6,
                    body.length(), body.lines().filter(line -> !line.startsWith("#")).count());
        }
        finally {
            runtime.close();
        }
    }

    private static double millis(long[] sorted, double quantile)
    {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    /** Adds synthetic records until the store holds {@code records}; a fast, less durable sync, since only the count matters here. */
    private static void fill(Path directory, long records)
            throws Exception
    {
        StoreConfig fast = new StoreConfig(StoreConfig.Synchronous.NORMAL, Duration.ZERO);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, fast, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            StoreStatus status = store.status();
            if (status.records() >= records) {
                return;
            }
            System.out.printf(Locale.ROOT, "filling %s from %,d to %,d records%n", directory, status.records(), records);
            double seconds = SyntheticFill.fill(store, new SyntheticRecords(status.records() + 1), status.records(), records, IN_FLIGHT);
            System.out.printf(Locale.ROOT, "filled in %.0f s%n", seconds);
        }
    }
}
