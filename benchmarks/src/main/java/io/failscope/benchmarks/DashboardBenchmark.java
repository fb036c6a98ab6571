package io.failscope.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.PluginRuntime;
import io.failscope.config.FailscopeConfig;
import io.failscope.export.ExportFormat;
import io.failscope.export.Exporter;
import io.failscope.json.Json;
import io.failscope.node.NodeRpcException;
import io.failscope.store.FailureFilter;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Measures the dashboard's first load and the CSV export on a store of many records.
 *
 * <pre>java -XX:+UseSerialGC -Xss512k -Xmx256m -cp benchmarks/target/failscope-benchmarks.jar io.failscope.benchmarks.DashboardBenchmark --records 1000000 --dir DIR [--export-only|--load-only]</pre>
 *
 * (the JVM settings bin/failscope gives the plugin).
 *
 * The store is filled as {@link StoreBenchmark} fills it (unless {@code DIR} holds one already). The
 * first load is every request the page makes when it opens, in its order, over HTTP against the
 * running plugin (JVM dialect, the real wiring); the page sends some of them at once, so doing them
 * one after another overstates its time. The export writes every record as CSV to a stream that
 * counts bytes and drops them, on one thread, while the process's resident memory is sampled.
 */
public final class DashboardBenchmark
{
    private static final ObjectMapper MAPPER = Json.newMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int IN_FLIGHT = 50_000;
    private static final int PAGE_SIZE = 50;
    /** Time of each step of the measured loads, by the step's name. */
    private static final Map<String, List<Long>> STEPS = new LinkedHashMap<>();

    private DashboardBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        long records = 1_000_000;
        Path directory = null;
        boolean load = true;
        boolean export = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
                case "--dir" -> directory = Path.of(args[++i]);
                case "--export-only" -> load = false;
                case "--load-only" -> export = false;
                default -> {
                    System.err.println("usage: DashboardBenchmark [--records N] --dir DIR [--export-only|--load-only]");
                    System.exit(2);
                }
            }
        }
        if (directory == null) {
            directory = Files.createTempDirectory("failscope-dashboard-bench");
        }
        System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB; database in %s; load average %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, directory, StoreBenchmark.loadAverage());
        if (!Files.exists(directory.resolve(SqliteFailureStore.FILE_NAME))) {
            fill(directory, records);
        }
        if (export) {
            export(directory);
        }
        if (load) {
            firstLoad(directory);
        }
    }

    private static void fill(Path directory, long records)
            throws Exception
    {
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, StoreConfig.DEFAULT, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            double seconds = SyntheticFill.fill(store, new SyntheticRecords(42), 0, records, IN_FLIGHT);
            System.out.printf(Locale.ROOT, "filled %,d records in %.0f s%n", records, seconds);
        }
    }

    private static void export(Path directory)
            throws Exception
    {
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, StoreConfig.DEFAULT, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            Exporter exporter = new Exporter(store, MAPPER);
            System.out.printf(Locale.ROOT, "%n## CSV export of every record (load average %s)%n", StoreBenchmark.loadAverage());
            System.gc();
            long rssBefore = rssKb();
            AtomicLong peak = new AtomicLong(rssBefore);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(rssKb(), Math::max);
                    try {
                        Thread.sleep(20);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            CountingStream out = new CountingStream();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long rows = exporter.export(FailureFilter.ALL, ExportFormat.CSV, out);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            running.set(false);
            sampler.join();
            long rssAfter = rssKb();
            System.out.printf(Locale.ROOT, "%,d rows, %,d bytes in %.2f s: %,.0f rows/s; the exporting thread used %.2f s of CPU: %,.0f rows per CPU-second (load average after %s)%n",
                    rows, out.bytes, seconds, rows / seconds, cpuSeconds, rows / cpuSeconds, StoreBenchmark.loadAverage());
            out.rssAtLines.forEach((lines, kb) -> System.out.printf(Locale.ROOT, "  resident memory after %,d lines: %,.1f MiB%n", lines, kb / 1024.0));
            System.out.printf(Locale.ROOT, "resident memory: %,.1f MiB before, %,.1f MiB peak during, %,.1f MiB after: grew %,.1f MiB at most%n",
                    rssBefore / 1024.0, peak.get() / 1024.0, rssAfter / 1024.0, (peak.get() - rssBefore) / 1024.0);
        }
    }

    private static void firstLoad(Path directory)
            throws Exception
    {
        Path conf = directory.getParent();
        FailscopeConfig config = FailscopeConfig.read(Map.of("http.port", "0", "dir", directory.getFileName().toString()), conf, Function.identity());
        PluginRuntime runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, (method, params) -> {
            if (method.equals("getinfo")) {
                return MAPPER.createObjectNode().put("id", "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb").put("blockheight", 900_000);
            }
            if (method.equals("listpeerchannels")) {
                return MAPPER.createObjectNode().set("channels", MAPPER.createArrayNode());
            }
            if (method.equals("listconfigs")) {
                return MAPPER.createObjectNode().set("configs", MAPPER.createObjectNode());
            }
            throw new NodeRpcException("unknown method " + method);
        }, MAPPER);
        try {
            String base = "http://127.0.0.1:" + runtime.httpPort();
            long records = call(base, "failscope-status", "{}").get("store").get("records").asLong();
            System.out.printf(Locale.ROOT, "%n## Dashboard first load at %,d records: every request the page makes, one after another; 3 warm-up loads, then 10 (load average %s)%n",
                    records, StoreBenchmark.loadAverage());
            for (int i = 0; i < 3; i++) {
                load(base);
            }
            long[] millis = new long[10];
            List<String> requests = new ArrayList<>();
            STEPS.clear();
            for (int i = 0; i < millis.length; i++) {
                requests.clear();
                long start = System.nanoTime();
                load(base, requests);
                millis[i] = (System.nanoTime() - start) / 1_000_000;
            }
            Arrays.sort(millis);
            System.out.printf(Locale.ROOT, "%d requests: %s%n", requests.size(), String.join(", ", requests));
            System.out.printf(Locale.ROOT, "first load: p50 %d ms, max %d ms (min %d ms)%n", millis[millis.length / 2], millis[millis.length - 1], millis[0]);
            STEPS.forEach((step, times) -> {
                long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf(Locale.ROOT, "  %-45s p50 %6.1f ms, max %6.1f ms%n", step, sorted[sorted.length / 2] / 1e6, sorted[sorted.length - 1] / 1e6);
            });
        }
        finally {
            runtime.close();
        }
    }

    private static void load(String base)
            throws Exception
    {
        load(base, new ArrayList<>());
    }

    private static void timed(String step, long startNanos)
    {
        STEPS.computeIfAbsent(step, key -> new ArrayList<>()).add(System.nanoTime() - startNanos);
    }

    /** What dashboard.js does when the page opens, in its order. */
    private static void load(String base, List<String> requests)
            throws Exception
    {
        long stepStart = System.nanoTime();
        for (String file : List.of("/", "/uplot.css", "/dashboard.css", "/uplot.js", "/dashboard.js")) {
            HttpResponse<byte[]> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + file)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            check(response.statusCode() == 200, file);
            requests.add("GET " + file);
        }
        timed("the page's five files", stepStart);
        stepStart = System.nanoTime();
        call(base, "failscope-status", "{}");
        requests.add("failscope-status");
        // the chart: days, hours when the data spans two days at most, then one batch of per-bucket totals by reason
        JsonNode days = call(base, "htlcfailurestats", "{\"group_by\":\"day\"}");
        requests.add("htlcfailurestats day");
        List<Long> buckets = new ArrayList<>();
        long width = 86_400;
        days.get("groups").forEach(group -> {
            if (!group.get("day").isNull() && group.get("count").asLong() > 0) {
                buckets.add(group.get("day").asLong());
            }
        });
        if (buckets.size() <= 2 && !buckets.isEmpty()) {
            width = 3600;
            JsonNode hours = call(base, "htlcfailurestats", "{\"group_by\":\"hour\",\"since\":" + buckets.get(0) + "}");
            requests.add("htlcfailurestats hour");
            buckets.clear();
            hours.get("groups").forEach(group -> {
                if (!group.get("hour").isNull() && group.get("count").asLong() > 0) {
                    buckets.add(group.get("hour").asLong());
                }
            });
        }
        List<Long> shown = buckets.subList(Math.max(0, buckets.size() - 48), buckets.size());
        ArrayNode batch = MAPPER.createArrayNode();
        for (long start : shown) {
            ObjectNode request = batch.addObject().put("jsonrpc", "2.0").put("id", batch.size()).put("method", "htlcfailurestats");
            request.putObject("params").put("group_by", "reason").put("since", start).put("until", start + width);
        }
        timed("failscope-status, htlcfailurestats day (and hour)", stepStart);
        stepStart = System.nanoTime();
        post(base, batch.toString());
        requests.add("batch of " + shown.size() + " htlcfailurestats reason");
        timed("batch of " + shown.size() + " htlcfailurestats reason", stepStart);
        stepStart = System.nanoTime();
        // the top channels and peers, then the reasons for the filter
        ArrayNode tops = MAPPER.createArrayNode();
        tops.addObject().put("jsonrpc", "2.0").put("id", 1).put("method", "htlcfailurestats").putObject("params").put("group_by", "out_channel");
        tops.addObject().put("jsonrpc", "2.0").put("id", 2).put("method", "htlcfailurestats").putObject("params").put("group_by", "peer_id");
        post(base, tops.toString());
        requests.add("batch of htlcfailurestats out_channel, peer_id");
        call(base, "htlcfailurestats", "{\"group_by\":\"reason\"}");
        requests.add("htlcfailurestats reason");
        timed("htlcfailurestats out_channel, peer_id, reason", stepStart);
        stepStart = System.nanoTime();
        call(base, "listinterceptedhtlcs", "{}");
        call(base, "listpolicy", "{}");
        requests.add("listinterceptedhtlcs");
        requests.add("listpolicy");
        // the newest page: probe for the last index, then read the page before it
        long newest = newest(base, requests);
        call(base, "listhtlcfailures", "{\"index\":\"created\",\"start\":" + Math.max(0, newest - PAGE_SIZE + 1) + ",\"limit\":" + PAGE_SIZE + "}");
        requests.add("listhtlcfailures page");
        timed("held, policy, newest page (probes and page)", stepStart);
    }

    private static long newest(String base, List<String> requests)
            throws Exception
    {
        long records = call(base, "failscope-status", "{}").get("store").get("records").asLong();
        requests.add("failscope-status");
        long known = probe(base, Math.max(0, records - 1), requests);
        if (known < 0) {
            known = probe(base, 0, requests);
        }
        long step = 1;
        while (true) {
            long found = probe(base, known + step, requests);
            if (found < 0) {
                break;
            }
            known = found;
            step *= 2;
        }
        long limit = known + step;
        while (limit - known > 1) {
            long middle = (known + limit) / 2;
            long found = probe(base, middle, requests);
            if (found < 0) {
                limit = middle;
            }
            else {
                known = found;
            }
        }
        return known;
    }

    private static long probe(String base, long start, List<String> requests)
            throws Exception
    {
        JsonNode page = call(base, "listhtlcfailures", "{\"index\":\"created\",\"start\":" + start + ",\"limit\":1}").get("htlcfailures");
        requests.add("listhtlcfailures probe");
        return page.isEmpty() ? -1 : page.get(0).get("created_index").asLong();
    }

    private static JsonNode call(String base, String method, String params)
            throws Exception
    {
        JsonNode answer = post(base, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}");
        check(answer.has("result"), method + ": " + answer);
        return answer.get("result");
    }

    private static JsonNode post(String base, String body)
            throws Exception
    {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/rpc")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        check(response.statusCode() == 200, body);
        return MAPPER.readTree(response.body());
    }

    private static void check(boolean condition, String what)
    {
        if (!condition) {
            throw new IllegalStateException("unexpected answer: " + what);
        }
    }

    private static long rssKb()
    {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        catch (Exception e) {
            // not Linux: reported as 0
        }
        return 0;
    }

    /** Counts what it is given and keeps none of it; notes the resident memory when a milestone of lines has gone by. */
    private static final class CountingStream
            extends OutputStream
    {
        private static final long[] MILESTONES = {10_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000};
        private final Map<Long, Long> rssAtLines = new LinkedHashMap<>();
        private long bytes;
        private long lines;
        private int next;

        @Override
        public void write(int b)
        {
            bytes++;
            if (b == '\n') {
                line();
            }
        }

        @Override
        public void write(byte[] buffer, int offset, int length)
        {
            bytes += length;
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] == '\n') {
                    line();
                }
            }
        }

        private void line()
        {
            lines++;
            if (next < MILESTONES.length && lines == MILESTONES[next]) {
                rssAtLines.put(lines, rssKb());
                next++;
            }
        }
    }
}
