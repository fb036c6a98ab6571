package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * More failures than failscope can record, for a minute, while hooks keep coming: hooks must keep
 * their latency, memory must stay under the heap cap, and what cannot be recorded must be counted as
 * dropped in {@code failscope-status}, never lost silently.
 *
 * <p>The plugin runs as lightningd runs it, with a node RPC that takes a millisecond per call. Each
 * failure is a local {@code temporary_channel_failure} on one of 2,000 channels, so recording it needs
 * a view of its channel taken after it failed: that bounds how fast failscope can record. The benchmark
 * first measures that rate, then sends failures at {@code factor} times it for {@code seconds}, with
 * {@code htlc_accepted} hooks at 1,000 per second.
 *
 * <pre>java -cp integration-tests/target/failscope-simulator.jar io.failscope.sim.OverloadBenchmark [seconds] [factor]</pre>
 */
public final class OverloadBenchmark
{
    private static final int CHANNELS = 2_000;
    private static final int HOOKS_PER_SECOND = 1_000;
    private static final String NODE_ID = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";

    private OverloadBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int factor = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path directory = Files.createTempDirectory("failscope-overload");
        Path gcLog = directory.resolve("plugin-gc.log");
        // from the repository's root, as the command above runs it, or from integration-tests
        Path launcher = Files.exists(Path.of("bin/failscope")) ? Path.of("bin/failscope").toAbsolutePath() : PluginProcess.LAUNCHER;
        try (LightningRpcServer rpc = new LightningRpcServer(directory.resolve("lightning-rpc"), OverloadBenchmark::answer);
                PluginProcess plugin = PluginProcess.start(launcher, directory, Map.of("FAILSCOPE_JAVA_OPTS", PluginMemory.gcLogOption(gcLog)))) {
            plugin.request("getmanifest", PluginProcess.MAPPER.createObjectNode());
            ObjectNode init = PluginProcess.MAPPER.createObjectNode();
            init.putObject("options");
            init.putObject("configuration").put("lightning-dir", directory.toString()).put("rpc-file", "lightning-rpc").put("network", "regtest");
            plugin.request("init", init);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!status(plugin).path("node").has("context_age_seconds") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            PluginMemory memory = new PluginMemory(gcLog, plugin.pid());
            System.out.printf(Locale.ROOT, "failscope under %dx overload for %d s (java %s, %d cores)%n", factor, seconds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());

            long capacity = capacity(plugin);
            System.out.printf(Locale.ROOT, "what failscope can record here: %,d failures/s%n", capacity);
            Counts before = Counts.of(status(plugin));
            long offered = (long) capacity * factor;
            long maxResidentKb = 0;
            List<Long> latencies = new ArrayList<>();
            List<CompletableFuture<Long>> hooks = new ArrayList<>();
            long start = System.nanoTime();
            long failures = 0;
            long hooksSent = 0;
            long nextSample = start;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                long elapsed = System.nanoTime() - start;
                long failuresDue = offered * elapsed / 1_000_000_000L;
                while (failures < failuresDue) {
                    plugin.notify("forward_event", forwardEvent(1_000_000 + failures, failures));
                    failures++;
                }
                long hooksDue = HOOKS_PER_SECOND * elapsed / 1_000_000_000L;
                while (hooksSent < hooksDue) {
                    long sent = System.nanoTime();
                    hooks.add(plugin.call("htlc_accepted", hook(hooksSent)).thenApply(ignored -> System.nanoTime() - sent));
                    hooksSent++;
                }
                if (System.nanoTime() > nextSample) {
                    maxResidentKb = Math.max(maxResidentKb, memory.residentKilobytes());
                    nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
                LockSupport.parkNanos(200_000);
            }
            double sentSeconds = (System.nanoTime() - start) / 1e9;
            for (CompletableFuture<Long> hook : hooks) {
                latencies.add(hook.get(60, TimeUnit.SECONDS));
            }
            // let the queue drain, then read the counts
            Counts after = Counts.of(status(plugin));
            deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (after.received() - before.received() < failures || after.waiting() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the plugin never caught up: " + status(plugin));
                }
                Thread.sleep(100);
                after = Counts.of(status(plugin));
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "offered %,d failures in %.1f s (%,.0f/s, %dx what it can record) and %,d hooks (%d/s)%n",
                    failures, sentSeconds, failures / sentSeconds, factor, hooksSent, HOOKS_PER_SECOND);
            System.out.printf(Locale.ROOT, "hooks answered: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n",
                    percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 99.9), sorted[sorted.length - 1] / 1e6);
            long received = after.received() - before.received();
            long recorded = after.recorded() - before.recorded();
            long dropped = after.dropped() - before.dropped();
            System.out.printf(Locale.ROOT, "failscope-status: received %,d, recorded %,d, dropped %,d (queue full), accounted for: %s%n",
                    received, recorded, dropped, received == recorded + dropped ? "all" : "NOT ALL");
            System.out.printf(Locale.ROOT, "memory: RSS at most %,d MB during the overload; at the end %s%n", maxResidentKb / 1024, memory.describe());
            System.out.println("status: " + status(plugin).path("capture"));
        }
    }

    /** Failures per second failscope records with nothing else going on: a 15 s flood, counted from failscope-status. */
    private static long capacity(PluginProcess plugin)
            throws Exception
    {
        Counts before = Counts.of(status(plugin));
        long start = System.nanoTime();
        long sent = 0;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15)) {
            // keep the queue full, but not past its bound
            Counts now = Counts.of(status(plugin));
            while (sent - (now.recorded() - before.recorded()) < 20_000) {
                plugin.notify("forward_event", forwardEvent(sent, sent));
                sent++;
            }
            Thread.sleep(50);
        }
        Counts after = Counts.of(status(plugin));
        double seconds = (System.nanoTime() - start) / 1e9;
        long recorded = after.recorded() - before.recorded();
        // and let it drain before the overload starts
        while (Counts.of(status(plugin)).waiting() > 0) {
            Thread.sleep(50);
        }
        return Math.max(1, Math.round(recorded / seconds));
    }

    private record Counts(long received, long recorded, long waiting, long dropped)
    {
        static Counts of(JsonNode status)
        {
            JsonNode capture = status.path("capture");
            return new Counts(capture.path("received").asLong(), capture.path("recorded").asLong(), capture.path("waiting").asLong(),
                    capture.path("dropped").path("queue_full").asLong() + capture.path("dropped").path("store_failed").asLong());
        }
    }

    private static JsonNode status(PluginProcess plugin)
            throws IOException, InterruptedException
    {
        return plugin.request("failscope-status", PluginProcess.MAPPER.createObjectNode()).path("result");
    }

    /** The node: who it is, and a millisecond per call, as a busy lightningd takes. */
    private static JsonNode answer(String method, JsonNode params)
    {
        LockSupport.parkNanos(1_000_000);
        ObjectNode result = PluginProcess.MAPPER.createObjectNode();
        switch (method) {
            case "getinfo" -> result.put("id", NODE_ID).put("blockheight", 800_000);
            case "listconfigs" -> result.putObject("configs");
            case "listpeerchannels" -> {
                String scid = params.path("short_channel_id").asText(null);
                if (scid != null) {
                    result.putArray("channels").addObject()
                            .put("peer_id", "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8").put("peer_connected", true)
                            .put("state", "CHANNELD_NORMAL").put("short_channel_id", scid).put("spendable_msat", 500_000)
                            .put("minimum_htlc_out_msat", 1000).put("maximum_htlc_out_msat", 10_000_000);
                }
                else {
                    result.putArray("channels");
                }
            }
            default -> {
                return null;
            }
        }
        return result;
    }

    private static JsonNode forwardEvent(long htlcId, long sequence)
    {
        ObjectNode params = PluginProcess.MAPPER.createObjectNode();
        params.putObject("forward_event")
                .put("in_channel", "101x1x0").put("in_htlc_id", htlcId)
                .put("out_channel", (200 + sequence % CHANNELS) + "x1x0")
                .put("in_msat", 1_001_001).put("out_msat", 1_000_000).put("fee_msat", 1001)
                .put("status", "local_failed").put("failcode", 4103).put("failreason", "WIRE_TEMPORARY_CHANNEL_FAILURE")
                .put("style", "tlv").put("received_time", 1_755_675_000L + sequence / 1000);
        return params;
    }

    private static JsonNode hook(long htlcId)
    {
        ObjectNode params = PluginProcess.MAPPER.createObjectNode().put("peer_id", "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8");
        params.putObject("onion").put("payload", "00").put("short_channel_id", "103x1x0").put("forward_msat", 1_000_000).put("outgoing_cltv_value", 800_066);
        params.putObject("htlc").put("short_channel_id", "102x1x0").put("id", htlcId).put("amount_msat", 1_001_001).put("cltv_expiry", 800_100)
                .put("cltv_expiry_relative", 100).put("payment_hash", "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee");
        return params;
    }

    private static double percentile(long[] sorted, double percent)
    {
        int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
    }
}
