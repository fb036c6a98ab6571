package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node simulator in {@code jvm} mode: a JVM node built on LDK. It starts {@code bin/failscope
 * --conf} with an HTTP endpoint, serves the node's RPC over HTTP ({@code node.rpc-url}), asks about
 * every HTLC with an {@code htlc_intercepted} request (answered {@code forward} or {@code fail}), and
 * reports every HTLC it failed after that with an {@code htlc_handling_failed} notification carrying
 * its own reason, as LDK's {@code HTLCHandlingFailed} does. Messages both ways can be checked against
 * {@code rpc-schema/}; problems are {@link #violations()}.
 */
public final class JvmSimulation
        extends Simulation
{
    private final HttpServer nodeRpc;
    private final Process plugin;
    private final Path pluginLog;
    private final URI endpoint;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong ids = new AtomicLong();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** Notifications on their way, a few at a time, as a node's event handler would post them. */
    private final Semaphore notifying = new Semaphore(NOTIFICATIONS_IN_FLIGHT);
    private static final int NOTIFICATIONS_IN_FLIGHT = 32;

    private JvmSimulation(Settings settings)
            throws IOException
    {
        super(settings, false);
        Files.createDirectories(settings.directory());
        nodeRpc = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        nodeRpc.createContext("/rpc", exchange -> {
            try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                JsonNode request = PluginProcess.MAPPER.readTree(in);
                String method = request.path("method").asText();
                check("node." + method, "request", request.path("params").isMissingNode() ? null : request.get("params"));
                JsonNode result = node.answer(method, request.path("params"));
                ObjectNode response = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0");
                response.set("id", request.get("id"));
                if (result == null) {
                    response.putObject("error").put("code", -32601).put("message", "Unknown method " + method);
                }
                else {
                    response.set("result", result);
                }
                byte[] body = PluginProcess.MAPPER.writeValueAsBytes(response);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
            }
        });
        nodeRpc.start();

        int port = settings.httpPort() != null ? settings.httpPort() : freePort();
        endpoint = URI.create("http://127.0.0.1:" + port + "/rpc");
        Path conf = settings.directory().resolve("failscope.conf");
        StringBuilder lines = new StringBuilder()
                .append("dir=failscope\n")
                .append("http.port=").append(port).append('\n')
                .append("node.rpc-url=http://127.0.0.1:").append(nodeRpc.getAddress().getPort()).append("/rpc\n")
                .append("hold.timeout=").append(settings.holdTimeout() != null ? settings.holdTimeout() : "5s").append('\n');
        if (settings.policyFile() != null) {
            lines.append("policy.file=").append(settings.policyFile().toAbsolutePath()).append('\n');
        }
        Files.writeString(conf, lines);
        pluginLog = settings.directory().resolve("plugin.log");
        ProcessBuilder builder = new ProcessBuilder(settings.launcher().toString(), "--conf", conf.toString())
                .directory(settings.directory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(pluginLog.toFile());
        builder.environment().putAll(settings.environment());
        try {
            plugin = builder.start();
        }
        catch (IOException e) {
            nodeRpc.stop(0);
            throw e;
        }
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts the plugin and waits until its endpoint answers and it has asked the node who it is. */
    public static JvmSimulation start(Settings settings)
            throws IOException, InterruptedException
    {
        JvmSimulation simulation = new JvmSimulation(settings);
        try {
            await("the plugin's HTTP endpoint", simulation::answers, Duration.ofSeconds(30));
            if (!simulation.plugin.isAlive()) {
                throw new IOException("the plugin stopped: " + simulation.log().strip());
            }
            await("the plugin reading the node's context", () -> simulation.status().path("node").has("context_age_seconds"), Duration.ofSeconds(20));
            return simulation;
        }
        catch (IOException | InterruptedException | RuntimeException e) {
            simulation.close();
            throw e;
        }
    }

    private boolean answers()
    {
        if (!plugin.isAlive()) {
            return true;
        }
        try {
            return query("listpolicy", PluginProcess.MAPPER.createObjectNode()).has("result");
        }
        catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** What the plugin wrote (stdout and stderr). */
    public String log()
    {
        try {
            return Files.readString(pluginLog);
        }
        catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Messages that did not conform to rpc-schema/, and answers that were not JSON-RPC. */
    public List<String> violations()
    {
        return violations;
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
        try {
            return post(method, params).get(60, TimeUnit.SECONDS);
        }
        catch (ExecutionException e) {
            throw new IOException(method + ": " + e.getCause().getMessage(), e.getCause());
        }
        catch (TimeoutException e) {
            throw new IOException(method + ": no answer in 60 s");
        }
    }

    /** A JSON-RPC request over HTTP; when it is accepted, its params and result are checked. */
    private CompletableFuture<JsonNode> post(String method, JsonNode params)
            throws IOException
    {
        ObjectNode request = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", ids.incrementAndGet()).put("method", method);
        request.set("params", params);
        return client.sendAsync(httpRequest(request), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            try {
                JsonNode answer = PluginProcess.MAPPER.readTree(response.body());
                if (answer.has("result")) {
                    check(method, "request", params);
                    check(method, "response", answer.get("result"));
                }
                return answer;
            }
            catch (IOException e) {
                violations.add(method + ": the answer is not JSON: " + response.body());
                return PluginProcess.MAPPER.createObjectNode();
            }
        });
    }

    private void notifyPlugin(String method, JsonNode params)
            throws IOException
    {
        check(method, "request", params);
        ObjectNode notification = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        notification.set("params", params);
        HttpRequest request = httpRequest(notification);
        notifying.acquireUninterruptibly();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            if (failure != null) {
                violations.add(method + ": the notification was not delivered: " + failure);
            }
            else if (response.statusCode() != 204) {
                violations.add(method + ": a notification got HTTP " + response.statusCode() + " " + response.body());
            }
            notifying.release();
        });
    }

    private HttpRequest httpRequest(JsonNode message)
            throws IOException
    {
        return HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json").timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString(PluginProcess.MAPPER.writeValueAsString(message), StandardCharsets.UTF_8)).build();
    }

    private void check(String method, String kind, JsonNode json)
    {
        if (settings.schemaCheck() != null) {
            settings.schemaCheck().problems(method, kind, json).forEach(problem -> violations.add("against rpc-schema: " + problem));
        }
    }

    @Override
    protected CompletableFuture<Verdict> intercept(Traffic.Htlc htlc)
            throws IOException
    {
        byte[] interceptId = new byte[32];
        random.nextBytes(interceptId);
        ObjectNode params = PluginProcess.MAPPER.createObjectNode()
                .put("intercept_id", HexFormat.of().formatHex(interceptId))
                .put("requested_next_hop_scid", htlc.outScid())
                .put("payment_hash", htlc.paymentHash())
                .put("inbound_amount_msat", htlc.amountMsat())
                .put("expected_outbound_amount_msat", htlc.forwardMsat())
                .put("block_height", htlc.blockHeight());
        params.putObject("incoming")
                .put("short_channel_id", htlc.inChannel())
                .put("htlc_id", htlc.htlcId())
                .put("cltv_expiry", htlc.cltvExpiry())
                .put("peer_id", htlc.inPeer());
        return post("htlc_intercepted", params).thenApply(answer -> switch (answer.path("result").path("verdict").asText()) {
            case "forward" -> Verdict.CONTINUE;
            case "fail" -> Verdict.FAIL;
            default -> Verdict.OTHER;
        });
    }

    /** LDK reports only what failed: HTLCHandlingFailed with its own reason, or downstream. */
    @Override
    protected void reportForward(Traffic.Htlc htlc)
            throws IOException
    {
        SimNode.Outcome outcome = htlc.outcome();
        if (outcome.kind() == SimNode.Kind.SETTLED) {
            return;
        }
        ObjectNode params = PluginProcess.MAPPER.createObjectNode();
        if (outcome.failcode() == 0x400A) {
            params.putObject("failure_type").put("type", "invalid_forward").put("requested_forward_scid", htlc.outScid());
        }
        else {
            ObjectNode type = params.putObject("failure_type").put("type", "forward").put("short_channel_id", htlc.outScid());
            node.channels().stream().filter(channel -> channel.scid.equals(htlc.outScid())).findFirst().ifPresent(channel -> type.put("node_id", channel.peerId));
        }
        if (outcome.kind() == SimNode.Kind.LOCAL_FAILED) {
            params.putObject("failure_reason").put("type", "local").put("reason", outcome.reason()).put("wire_code", outcome.failcode());
        }
        else {
            params.putObject("failure_reason").put("type", "downstream");
            params.putObject("outgoing").put("amount_msat", htlc.forwardMsat()).put("fee_msat", htlc.amountMsat() - htlc.forwardMsat());
        }
        params.putObject("htlc")
                .put("short_channel_id", htlc.inChannel())
                .put("id", htlc.htlcId())
                .put("amount_msat", htlc.amountMsat())
                .put("cltv_expiry", htlc.cltvExpiry())
                .put("payment_hash", htlc.paymentHash())
                .put("peer_id", htlc.inPeer());
        params.put("received_time", System.currentTimeMillis() / 1000.0);
        notifyPlugin("htlc_handling_failed", params);
    }

    @Override
    protected void reportPayment(Traffic.Htlc htlc)
    {
        throw new IllegalStateException("a jvm node's own payments are not simulated");
    }

    /** Every notification posted has been delivered (the node's reasons travel with them: nothing to look up). */
    @Override
    protected void awaitPlugin()
            throws IOException, InterruptedException
    {
        await("notifications being delivered", () -> notifying.availablePermits() == NOTIFICATIONS_IN_FLIGHT, Duration.ofSeconds(60));
    }

    /** The block height travels with each htlc_intercepted; peers coming and going change no message. */
    @Override
    protected void epochEnded(SimNode.EpochChanges changes)
    {
        // nothing to send
    }

    @Override
    protected void blockAdded(long height)
    {
        // nothing to send: held HTLCs are released by the hold timeout
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        try {
            plugin.destroy();
            if (!plugin.waitFor(10, TimeUnit.SECONDS)) {
                plugin.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        finally {
            super.close();
            nodeRpc.stop(0);
        }
    }
}
