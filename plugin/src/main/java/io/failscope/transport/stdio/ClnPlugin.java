package io.failscope.transport.stdio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.PluginRuntime;
import io.failscope.capture.AcceptedHtlc;
import io.failscope.config.ConfigException;
import io.failscope.config.ConfigKey;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.ClnSocketRpcClient;
import io.failscope.node.NodeRpcClient;
import io.failscope.rpc.Json;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import io.failscope.rpc.RpcMethod;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * failscope as a Core Lightning plugin ({@code cln} dialect): the manifest, init, the
 * {@code htlc_accepted} hook, notifications and the query methods passed through by lightningd.
 * Follows {@code cln-plugin-protocol.md}: {@code getmanifest} touches no file; a hook is always
 * answered with a valid verdict, never an error (an error stops lightningd); the plugin exits on
 * {@code shutdown} and at the end of stdin, after flushing the store.
 */
public final class ClnPlugin
        implements StdioTransport.Handler
{
    private static final System.Logger LOG = System.getLogger(ClnPlugin.class.getName());

    static final List<String> SUBSCRIPTIONS = List.of("forward_event", "sendpay_failure", "channel_state_changed", "connect", "disconnect", "block_added", "shutdown");

    /** Starts the configured plugin; a seam so tests can start it their own way. */
    public interface Starter
    {
        PluginRuntime start(FailscopeConfig config, NodeRpcClient nodeClient);
    }

    private final ProtocolWriter writer;
    private final Starter starter;
    private final Runnable exit;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicLong hookErrors = new AtomicLong();
    private volatile PluginRuntime runtime;
    private volatile ClnSocketRpcClient nodeClient;

    public ClnPlugin(ProtocolWriter writer, Starter starter, Runnable exit)
    {
        this.writer = requireNonNull(writer, "writer is null");
        this.starter = requireNonNull(starter, "starter is null");
        this.exit = requireNonNull(exit, "exit is null");
    }

    /**
     * The hook: deciding never waits (rules in memory, the record written in the background, a held
     * HTLC answered later by a timer or a command), so it is answered on the reading thread.
     */
    @Override
    public boolean answersAtOnce(JsonRpc.Message message)
    {
        return !message.isNotification() && message.method().equals("htlc_accepted");
    }

    @Override
    public void handle(JsonRpc.Message message)
    {
        if (message.isNotification()) {
            notification(message.method(), message.params());
            return;
        }
        JsonNode id = message.id().get();
        switch (message.method()) {
            case "getmanifest" -> writer.send(JsonRpc.result(id, manifest()));
            case "init" -> writer.send(JsonRpc.result(id, init(message.params())));
            case "htlc_accepted" -> htlcAccepted(message.params()).whenComplete((verdict, failure) -> {
                if (failure != null) {
                    hookErrors.incrementAndGet();
                    LOG.log(Level.ERROR, "htlc_accepted failed; answering continue", failure);
                }
                writer.send(JsonRpc.result(id, failure == null ? verdict : verdictContinue()));
            });
            default -> writer.send(call(id, message.method(), message.params()));
        }
    }

    static ObjectNode manifest()
    {
        ObjectNode manifest = Json.MAPPER.createObjectNode();
        ArrayNode options = manifest.putArray("options");
        for (ConfigKey key : FailscopeConfig.KEYS) {
            ObjectNode option = options.addObject();
            option.put("name", key.optionName());
            option.put("type", "string");
            if (key.defaultValue() != null) {
                option.put("default", key.defaultValue());
            }
            option.put("description", key.description());
        }
        ArrayNode methods = manifest.putArray("rpcmethods");
        for (RpcMethod.Info method : PluginRuntime.COMMANDS) {
            methods.addObject()
                    .put("name", method.name())
                    .put("usage", method.usage())
                    .put("description", method.description());
        }
        ArrayNode subscriptions = manifest.putArray("subscriptions");
        SUBSCRIPTIONS.forEach(subscriptions::add);
        manifest.putArray("hooks").addObject().put("name", "htlc_accepted");
        manifest.put("dynamic", true);
        manifest.put("nonnumericids", true);
        return manifest;
    }

    private JsonNode init(JsonNode params)
    {
        if (runtime != null) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode configuration = params == null ? Json.MAPPER.missingNode() : params.path("configuration");
        String lightningDir = configuration.path("lightning-dir").asText("");
        if (lightningDir.isEmpty()) {
            return disable("init did not say where the lightning-dir is");
        }
        Path base = Path.of(lightningDir).toAbsolutePath();
        Map<String, String> values = new HashMap<>();
        JsonNode options = params.path("options");
        for (ConfigKey key : FailscopeConfig.KEYS) {
            JsonNode value = options.get(key.optionName());
            if (value != null && !value.isNull()) {
                values.put(key.key(), value.asText());
            }
        }
        Map<String, String> optionNames = new HashMap<>();
        FailscopeConfig.KEYS.forEach(key -> optionNames.put(key.key(), key.optionName()));
        FailscopeConfig config;
        try {
            config = FailscopeConfig.read(values, base, Function.<String>identity().andThen(key -> optionNames.getOrDefault(key, key)));
        }
        catch (ConfigException e) {
            return disable("failscope's options cannot work: " + String.join("; ", e.problems()));
        }
        Path rpcFile = base.resolve(configuration.path("rpc-file").asText("lightning-rpc"));
        nodeClient = new ClnSocketRpcClient(rpcFile, config.node().rpcTimeout());
        try {
            runtime = starter.start(config, nodeClient);
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, "failscope cannot start", e);
            return disable("failscope cannot start: " + e.getMessage());
        }
        LOG.log(Level.INFO, "failscope records HTLC failures in " + config.dataDirectory());
        return Json.MAPPER.createObjectNode();
    }

    private static ObjectNode disable(String reason)
    {
        LOG.log(Level.ERROR, reason);
        return Json.MAPPER.createObjectNode().put("disable", reason);
    }

    /**
     * Always a valid verdict, now or (for a held HTLC) later, without holding a thread: any failure
     * inside answers {@code continue} (fail-open) and is counted, because an error response to a hook
     * stops lightningd. Nothing here waits on disk or the node.
     */
    private CompletableFuture<JsonNode> htlcAccepted(JsonNode params)
    {
        try {
            PluginRuntime running = runtime;
            if (running == null) {
                return CompletableFuture.completedFuture(verdictContinue());
            }
            // read now, so that a held HTLC keeps its few fields and not the whole payload; remembered
            // before the verdict is written, since lightningd sends the forward_event only after it
            Optional<AcceptedHtlc> htlc = AcceptedHtlc.fromHook(params);
            return running.interceptor().decideHook(params).thenApply(verdict -> {
                if (htlc.isPresent() && !"fail".equals(verdict.path("result").asText())) {
                    running.capture().htlcGoesOn(htlc.get());
                }
                return verdict;
            });
        }
        catch (RuntimeException | Error e) {
            hookErrors.incrementAndGet();
            LOG.log(Level.ERROR, "htlc_accepted failed; answering continue", e);
            return CompletableFuture.completedFuture(verdictContinue());
        }
    }

    static ObjectNode verdictContinue()
    {
        return Json.MAPPER.createObjectNode().put("result", "continue");
    }

    public long hookErrors()
    {
        return hookErrors.get();
    }

    private ObjectNode call(JsonNode id, String method, JsonNode params)
    {
        PluginRuntime running = runtime;
        if (running == null) {
            boolean ours = PluginRuntime.COMMANDS.stream().anyMatch(info -> info.name().equals(method));
            return JsonRpc.error(id, ours
                    ? new RpcException(RpcErrorCode.INTERNAL_ERROR, "failscope is not initialized yet")
                    : new RpcException(RpcErrorCode.METHOD_NOT_FOUND, "unknown method " + Json.MAPPER.getNodeFactory().textNode(method)));
        }
        try {
            return JsonRpc.result(id, running.dispatcher().call(method, params));
        }
        catch (RpcException e) {
            return JsonRpc.error(id, e);
        }
    }

    private void notification(String topic, JsonNode params)
    {
        PluginRuntime running = runtime;
        switch (topic) {
            case "shutdown" -> shutdown("lightningd is shutting down");
            case "block_added" -> {
                JsonNode height = params == null ? null : params.path("block_added").path("height");
                if (running != null && height != null && height.canConvertToLong()) {
                    running.nodeContext().blockAdded(height.longValue());
                    running.interceptor().blockAdded(height.longValue());
                }
            }
            case "forward_event" -> {
                if (running != null) {
                    running.capture().forwardEvent(params);
                }
            }
            case "sendpay_failure" -> {
                if (running != null) {
                    running.capture().sendpayFailure(params);
                }
            }
            case "channel_state_changed", "connect", "disconnect" -> {
                if (running != null) {
                    running.nodeContext().requestRefresh();
                }
            }
            default -> LOG.log(Level.DEBUG, "notification " + topic + " is not used yet");
        }
    }

    @Override
    public void endOfInput()
    {
        shutdown("stdin closed");
    }

    /** Flushes and stops everything, then exits; a watchdog exits anyway after 4.5 s. */
    private void shutdown(String why)
    {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        LOG.log(Level.INFO, "failscope stopping: " + why);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(4_500);
                LOG.log(Level.ERROR, "shutdown took too long; exiting anyway");
                Runtime.getRuntime().halt(1);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "failscope-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            PluginRuntime running = runtime;
            if (running != null) {
                running.close();
            }
            if (nodeClient != null) {
                nodeClient.close();
            }
        }
        finally {
            exit.run();
        }
    }
}
