package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node simulator in {@code cln} mode: it starts {@code bin/failscope} as lightningd would (manifest,
 * init with options, the RPC socket in the network directory), then sends HTLCs through the
 * {@code htlc_accepted} hook and reports what became of them with {@code forward_event} and
 * {@code sendpay_failure}, blocks with {@code block_added}, and peers with {@code connect} /
 * {@code disconnect}. Before the node changes, the plugin must have looked up the outgoing channel of
 * every local failure sent so far ({@code listpeerchannels short_channel_id=...}): after that, a
 * change cannot alter the reason it finds.
 */
public final class ClnSimulation
        extends Simulation
{
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

    private final LightningRpcServer rpc;
    private volatile PluginProcess plugin;
    private final AtomicLong forwardRows = new AtomicLong();
    private final AtomicLong payments = new AtomicLong();

    private ClnSimulation(Settings settings)
            throws IOException
    {
        super(settings, true);
        Files.createDirectories(settings.directory());
        rpc = new LightningRpcServer(settings.directory().resolve("lightning-rpc"), (method, params) -> {
            PluginProcess started = plugin;
            if (started != null) {
                started.checkNodeCall(method, params);
            }
            return node.answer(method, params);
        });
        try {
            plugin = PluginProcess.start(settings.launcher(), settings.directory(), settings.environment());
        }
        catch (IOException e) {
            rpc.close();
            throw e;
        }
        if (settings.schemaCheck() != null) {
            plugin.checkMessagesWith(settings.schemaCheck());
        }
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
        catch (IOException e) {
            // a launcher that stops at once (no jar, no java) says why on stderr: that is the message
            boolean stopped = simulation.plugin.waitFor(Duration.ofSeconds(2));
            String why = simulation.plugin.stderr().strip();
            simulation.close();
            throw stopped && !why.isEmpty() ? new IOException("the plugin stopped: " + why, e) : e;
        }
        catch (InterruptedException | RuntimeException e) {
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
        settings.options().forEach(options::put);
        params.putObject("configuration")
                .put("lightning-dir", settings.directory().toAbsolutePath().toString())
                .put("rpc-file", "lightning-rpc")
                .put("startup", true)
                .put("network", "regtest");
        JsonNode init = plugin.request("init", params);
        if (init.path("result").has("disable")) {
            throw new IOException("the plugin disabled itself: " + init.path("result").path("disable").asText());
        }
        await("the plugin reading the node's context; stderr:\n" + plugin.stderr(), () -> status().path("node").has("context_age_seconds"), Duration.ofSeconds(20));
    }

    public PluginProcess plugin()
    {
        return plugin;
    }

    @Override
    public long pluginPid()
    {
        return plugin.pid();
    }

    @Override
    public JsonNode query(String method, JsonNode params)
            throws IOException, InterruptedException
    {
        return plugin.request(method, params);
    }

    @Override
    protected CompletableFuture<Verdict> intercept(Traffic.Htlc htlc)
            throws IOException
    {
        return plugin.call("htlc_accepted", hook(htlc)).thenApply(response -> switch (response.path("result").path("result").asText()) {
            case "continue" -> Verdict.CONTINUE;
            case "fail" -> Verdict.FAIL;
            default -> Verdict.OTHER;
        });
    }

    @Override
    protected void reportForward(Traffic.Htlc htlc)
            throws IOException
    {
        switch (htlc.outcome().kind()) {
            case SETTLED -> {
                plugin.notify("forward_event", forwardEvent(htlc, "offered"));
                plugin.notify("forward_event", forwardEvent(htlc, "settled"));
            }
            case DOWNSTREAM_FAILED -> {
                plugin.notify("forward_event", forwardEvent(htlc, "offered"));
                plugin.notify("forward_event", forwardEvent(htlc, "failed"));
            }
            case LOCAL_FAILED -> {
                plugin.notify("forward_event", forwardEvent(htlc, "local_failed"));
            }
        }
    }

    @Override
    protected void reportPayment(Traffic.Htlc htlc)
            throws IOException
    {
        plugin.notify("sendpay_failure", sendpayFailure(htlc));
    }

    /**
     * Every failure made so far has been recorded (so it was judged against the node as it is now): the
     * plugin's own count, in failscope-status, has caught up with the simulator's.
     */
    @Override
    protected void awaitPlugin()
            throws IOException, InterruptedException
    {
        await("the plugin recording " + tally().failedCount() + " failures; stderr:\n" + plugin.stderr(), () -> caughtUp(status(), tally().failedCount()), Duration.ofSeconds(60));
    }

    @Override
    protected void epochEnded(SimNode.EpochChanges changes)
            throws IOException
    {
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

    @Override
    protected void blockAdded(long height)
            throws IOException
    {
        byte[] hash = new byte[32];
        random.nextBytes(hash);
        plugin.notify("block_added", PluginProcess.MAPPER.createObjectNode().set("block_added",
                PluginProcess.MAPPER.createObjectNode().put("hash", HexFormat.of().formatHex(hash)).put("height", height)));
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

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        try {
            plugin.close();
        }
        finally {
            super.close();
            rpc.close();
        }
    }
}
