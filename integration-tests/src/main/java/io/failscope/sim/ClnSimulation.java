package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * The node simulator in {@code cln} mode: it starts {@code bin/failscope} as lightningd would (manifest,
 * init with options, the RPC socket in the network directory), then sends HTLCs through the
 * {@code htlc_accepted} hook and reports what became of them with {@code forward_event} and
 * {@code sendpay_failure}, blocks with {@code block_added}, and peers with {@code connect} /
 * {@code disconnect}. A window of HTLCs is in flight at once; the node's state changes only between
 * epochs, after the plugin has looked at every failure of the epoch, so the reason the simulator knows
 * is the one the plugin can see.
 */
public final class ClnSimulation
        implements AutoCloseable
{
    /** How the run is set up; {@code httpPort} null means no HTTP endpoint. */
    public record Settings(Path launcher, Path directory, Path policyFile, Integer httpPort, String holdTimeout, long seed, int window, int epochSize,
            Map<String, String> environment)
    {
        public Settings
        {
            requireNonNull(launcher, "launcher is null");
            requireNonNull(directory, "directory is null");
            requireNonNull(environment, "environment is null");
        }
    }

    /** The 1366-byte onion for the next hop; its content means nothing to the plugin, its size does. */
    private static final String ONION;

    static {
        byte[] onion = new byte[1366];
        new Random(1).nextBytes(onion);
        ONION = HexFormat.of().formatHex(onion);
    }

    private static final Map<Integer, String> WIRE_NAMES = Map.of(
            0x400A, "WIRE_UNKNOWN_NEXT_PEER", 0x100C, "WIRE_FEE_INSUFFICIENT", 0x1007, "WIRE_TEMPORARY_CHANNEL_FAILURE",
            0x100D, "WIRE_INCORRECT_CLTV_EXPIRY", 0x100E, "WIRE_EXPIRY_TOO_SOON", 0x0015, "WIRE_EXPIRY_TOO_FAR",
            0x6003, "WIRE_REQUIRED_NODE_FEATURE_MISSING", 0x400F, "WIRE_INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS");

    private final Settings settings;
    private final SimNode node = new SimNode();
    private final Random random;
    private final Traffic traffic;
    private final Tally tally = new Tally();
    private final LightningRpcServer rpc;
    private final PluginProcess plugin;
    private final Semaphore window;
    // answers come on the plugin's stdout reader: what they lead to is sent from here, never from there
    private final ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sim-events");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong localFailuresSent = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong forwardRows = new AtomicLong();
    private final AtomicLong payments = new AtomicLong();
    private final AtomicLong contextCalls = new AtomicLong();

    private ClnSimulation(Settings settings)
            throws IOException
    {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.traffic = new Traffic(node, random);
        this.window = new Semaphore(settings.window());
        Files.createDirectories(settings.directory());
        rpc = new LightningRpcServer(settings.directory().resolve("lightning-rpc"), (method, params) -> {
            if (method.equals("listconfigs")) {
                contextCalls.incrementAndGet();
            }
            return node.answer(method, params);
        });
        plugin = PluginProcess.start(settings.launcher(), settings.directory(), settings.environment());
    }

    /** Starts the plugin, hands it its manifest and init, and waits until it has read the node's context. */
    public static ClnSimulation start(Settings settings)
            throws IOException, InterruptedException
    {
        ClnSimulation simulation = new ClnSimulation(settings);
        try {
            simulation.init();
            return simulation;
        }
        catch (IOException | InterruptedException | RuntimeException e) {
            simulation.close();
            throw e;
        }
    }

    private void init()
            throws IOException, InterruptedException
    {
        plugin.request("getmanifest", PluginProcess.MAPPER.createObjectNode().put("allow-deprecated-apis", false));
        ObjectNode params = PluginProcess.MAPPER.createObjectNode();
        ObjectNode options = params.putObject("options").put("failscope-dir", "failscope");
        if (settings.policyFile() != null) {
            options.put("failscope-policy-file", settings.policyFile().toAbsolutePath().toString());
        }
        if (settings.httpPort() != null) {
            options.put("failscope-http-port", settings.httpPort().toString());
        }
        if (settings.holdTimeout() != null) {
            options.put("failscope-hold-timeout", settings.holdTimeout());
        }
        params.putObject("configuration")
                .put("lightning-dir", settings.directory().toAbsolutePath().toString())
                .put("rpc-file", "lightning-rpc")
                .put("startup", true)
                .put("network", "regtest");
        JsonNode init = plugin.request("init", params);
        if (init.path("result").has("disable")) {
            throw new IOException("the plugin disabled itself: " + init.path("result").path("disable").asText() + "\n" + plugin.stderr());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (contextCalls.get() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the plugin never read the node's context; stderr:\n" + plugin.stderr());
            }
            Thread.sleep(10);
        }
        // the snapshot is installed right after listconfigs answers
        Thread.sleep(200);
    }

    public PluginProcess plugin()
    {
        return plugin;
    }

    public Tally tally()
    {
        return tally;
    }

    /** Sends {@code count} HTLCs; {@code progress} hears the number sent after each one. */
    public void run(long count, LongConsumer progress)
            throws IOException, InterruptedException
    {
        for (long sent = 0; sent < count; sent++) {
            if (sent > 0 && sent % settings.epochSize() == 0) {
                endEpoch();
            }
            send(traffic.next());
            progress.accept(sent + 1);
        }
        drain();
    }

    /** Sends one HTLC of a chosen kind (the demo keeps a few held for the operator to decide). */
    public void send(Traffic.Scenario scenario)
            throws IOException, InterruptedException
    {
        send(traffic.next(scenario));
    }

    private void send(Traffic.Htlc htlc)
            throws IOException, InterruptedException
    {
        tally.htlc();
        if (htlc.scenario() == Traffic.Scenario.PAYMENT_FAILED) {
            plugin.notify("sendpay_failure", sendpayFailure(htlc));
            tally.failed(htlc.outcome().reason());
            return;
        }
        boolean holding = htlc.scenario() == Traffic.Scenario.HOLD;
        if (holding) {
            held.incrementAndGet();
        }
        else {
            window.acquire();
        }
        CompletableFuture<JsonNode> verdict = plugin.call("htlc_accepted", hook(htlc));
        verdict.whenCompleteAsync((response, failure) -> {
            try {
                if (response != null) {
                    answered(htlc, response.path("result"));
                }
            }
            catch (IOException | RuntimeException e) {
                System.err.println("simulator: could not go on with HTLC " + htlc.inChannel() + "/" + htlc.htlcId() + ": " + e);
            }
            finally {
                if (holding) {
                    held.decrementAndGet();
                }
                else {
                    window.release();
                }
            }
        }, events);
    }

    /** What lightningd does with the hook's verdict: fail at once, or go on and forward. */
    private void answered(Traffic.Htlc htlc, JsonNode verdict)
            throws IOException
    {
        boolean expectFail = htlc.scenario() == Traffic.Scenario.PROBE || htlc.scenario() == Traffic.Scenario.HOLD;
        String result = verdict.path("result").asText();
        if (result.equals("fail")) {
            // a held HTLC nobody decided on fails at its deadline; any other fail is a rule's
            tally.failed(htlc.scenario() == Traffic.Scenario.HOLD ? "hold_deadline" : "policy_failed");
            if (!expectFail) {
                tally.unexpectedVerdict();
            }
            return;
        }
        if (!result.equals("continue")) {
            tally.unexpectedVerdict();
            return;
        }
        if (expectFail && htlc.scenario() != Traffic.Scenario.HOLD) {
            tally.unexpectedVerdict();
        }
        SimNode.Outcome outcome = htlc.outcome();
        switch (outcome.kind()) {
            case SETTLED -> {
                plugin.notify("forward_event", forwardEvent(htlc, "offered"));
                plugin.notify("forward_event", forwardEvent(htlc, "settled"));
                node.settled(htlc.inChannel(), htlc.amountMsat(), htlc.outScid(), htlc.forwardMsat());
                tally.settled();
            }
            case DOWNSTREAM_FAILED -> {
                plugin.notify("forward_event", forwardEvent(htlc, "offered"));
                plugin.notify("forward_event", forwardEvent(htlc, "failed"));
                tally.failed(null);
            }
            case LOCAL_FAILED -> {
                localFailuresSent.incrementAndGet();
                plugin.notify("forward_event", forwardEvent(htlc, "local_failed"));
                tally.failed(outcome.reason());
            }
        }
    }

    /**
     * Waits until every HTLC but the held ones is answered and the plugin has looked up the outgoing
     * channel of every local failure sent so far: after that, changing the node changes no verdict.
     */
    private void drain()
            throws InterruptedException, IOException
    {
        window.acquire(settings.window());
        window.release(settings.window());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (node.freshChannelLookups() < localFailuresSent.get()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the plugin looked up " + node.freshChannelLookups() + " outgoing channels for " + localFailuresSent.get()
                        + " local failures; stderr:\n" + plugin.stderr());
            }
            Thread.sleep(1);
        }
    }

    private void endEpoch()
            throws IOException, InterruptedException
    {
        drain();
        SimNode.EpochChanges changes = node.nextEpoch(random);
        blockAdded(changes.height());
        for (String peer : changes.disconnected()) {
            plugin.notify("disconnect", PluginProcess.MAPPER.createObjectNode().set("disconnect", PluginProcess.MAPPER.createObjectNode().put("id", peer)));
        }
        for (String peer : changes.reconnected()) {
            ObjectNode connect = PluginProcess.MAPPER.createObjectNode().put("id", peer).put("direction", "out");
            connect.putObject("address").put("type", "ipv4").put("address", "127.0.0.1").put("port", 9735);
            plugin.notify("connect", PluginProcess.MAPPER.createObjectNode().set("connect", connect));
        }
    }

    private void blockAdded(long height)
            throws IOException
    {
        byte[] hash = new byte[32];
        random.nextBytes(hash);
        plugin.notify("block_added", PluginProcess.MAPPER.createObjectNode().set("block_added",
                PluginProcess.MAPPER.createObjectNode().put("hash", HexFormat.of().formatHex(hash)).put("height", height)));
    }

    /**
     * Ends the run: blocks go on being mined until every held HTLC has reached its deadline (the CLTV
     * margin, or the hold timeout first) and been answered.
     */
    public void releaseHeld(Duration within)
            throws IOException, InterruptedException
    {
        drain();
        long deadline = System.nanoTime() + within.toNanos();
        while (held.get() > 0 && System.nanoTime() < deadline) {
            blockAdded(node.mineBlock());
            Thread.sleep(20);
        }
        if (held.get() > 0) {
            throw new IOException(held.get() + " held HTLCs were never released; stderr:\n" + plugin.stderr());
        }
        drain();
    }

    public long heldCount()
    {
        return held.get();
    }

    /** The store's failure counts by reason, once they stop changing or reach {@code expected}. */
    public Map<String, Long> storedFailuresByReason(long expected, Duration within)
            throws IOException, InterruptedException
    {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonNode stats = plugin.request("htlcfailurestats", PluginProcess.MAPPER.createObjectNode().put("group_by", "reason")).path("result");
            long total = stats.path("total").path("count").asLong();
            if (total >= expected || System.nanoTime() > deadline) {
                Map<String, Long> counts = new java.util.TreeMap<>();
                for (JsonNode group : stats.path("groups")) {
                    counts.put(group.path("reason").isNull() ? Tally.NO_REASON : group.path("reason").asText(), group.path("count").asLong());
                }
                return counts;
            }
            Thread.sleep(100);
        }
    }

    private ObjectNode hook(Traffic.Htlc htlc)
    {
        ObjectNode params = PluginProcess.MAPPER.createObjectNode().put("peer_id", htlc.inPeer());
        params.putObject("onion")
                .put("payload", "1202030f4240040201a906080000670000010000")
                .put("type", "tlv")
                .put("short_channel_id", htlc.outScid())
                .put("forward_msat", htlc.forwardMsat())
                .put("outgoing_cltv_value", htlc.outgoingCltv())
                .put("next_onion", ONION)
                .put("shared_secret", htlc.paymentHash());
        params.putObject("htlc")
                .put("short_channel_id", htlc.inChannel())
                .put("id", htlc.htlcId())
                .put("amount_msat", htlc.amountMsat())
                .put("cltv_expiry", htlc.cltvExpiry())
                .put("cltv_expiry_relative", htlc.cltvExpiry() - htlc.blockHeight())
                .put("payment_hash", htlc.paymentHash());
        return params;
    }

    private ObjectNode forwardEvent(Traffic.Htlc htlc, String status)
    {
        ObjectNode event = PluginProcess.MAPPER.createObjectNode();
        if (status.equals("offered") || status.equals("local_failed")) {
            event.put("created_index", forwardRows.incrementAndGet());
        }
        else {
            event.put("updated_index", forwardRows.get());
        }
        event.put("payment_hash", htlc.paymentHash())
                .put("in_channel", htlc.inChannel())
                .put("in_htlc_id", htlc.htlcId())
                .put("out_channel", htlc.outScid())
                .put("in_msat", htlc.amountMsat());
        if (!status.equals("local_failed")) {
            event.put("out_msat", htlc.forwardMsat()).put("fee_msat", htlc.amountMsat() - htlc.forwardMsat());
        }
        event.put("status", status);
        if (status.equals("local_failed")) {
            event.put("failcode", htlc.outcome().failcode()).put("failreason", WIRE_NAMES.get(htlc.outcome().failcode()));
        }
        double now = System.currentTimeMillis() / 1000.0;
        event.put("style", "tlv").put("received_time", now);
        if (status.equals("settled") || status.equals("failed")) {
            event.put("resolved_time", now);
        }
        if (status.equals("settled")) {
            event.put("preimage", htlc.paymentHash());
        }
        return PluginProcess.MAPPER.createObjectNode().set("forward_event", event);
    }

    private ObjectNode sendpayFailure(Traffic.Htlc htlc)
    {
        SimNode.Outcome outcome = htlc.outcome();
        boolean ours = outcome.kind() == SimNode.Kind.LOCAL_FAILED;
        String words = outcome.reason().equals("too_many_htlcs") ? "Too many HTLCs" : "Capacity exceeded - HTLC fee: 1000sat";
        String name = WIRE_NAMES.get(outcome.failcode());
        long id = payments.incrementAndGet();
        long now = System.currentTimeMillis() / 1000;
        ObjectNode failure = PluginProcess.MAPPER.createObjectNode()
                .put("code", 204)
                .put("message", ours ? "failed: " + name + " (" + name + ": " + words + ")" : "failed: " + name + " (reply from remote)");
        SimChannel erring = node.channels().stream().filter(channel -> channel.scid.equals(htlc.outScid())).findFirst().orElse(node.channels().get(0));
        failure.putObject("data")
                .put("created_index", id).put("id", id).put("payment_hash", htlc.paymentHash()).put("groupid", 1)
                .put("amount_sent_msat", htlc.amountMsat()).put("created_at", now).put("completed_at", now).put("status", "failed")
                .put("erring_index", ours ? 0 : 2).put("failcode", outcome.failcode()).put("failcodename", name)
                .put("erring_node", ours ? erring.peerId : SimNode.NOISY_PEER).put("erring_channel", erring.scid).put("erring_direction", 1);
        return PluginProcess.MAPPER.createObjectNode().set("sendpay_failure", failure);
    }

    public long blockHeight()
    {
        return node.blockHeight();
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        try {
            plugin.close();
        }
        finally {
            events.shutdownNow();
            rpc.close();
        }
    }
}
