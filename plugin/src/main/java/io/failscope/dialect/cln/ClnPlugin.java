package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.config.ConfigException;
import io.failscope.config.ConfigKey;
import io.failscope.config.FailscopeConfig;
import io.failscope.intercept.Verdict;
import io.failscope.json.Json;
import io.failscope.node.ClnSocketRpcClient;
import io.failscope.node.NodeRpcClient;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import io.failscope.transport.stdio.StdioTransport;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * failscope's life as a Core Lightning plugin ({@code cln-plugin-protocol.md} §1): the manifest, then
 * {@code init} starts everything with the options lightningd passes, then every message goes to the
 * running plugin; it stops on {@code shutdown} and at the end of stdin, after flushing the store.
 * {@code getmanifest} touches no file.
 */
public final class ClnPlugin
        implements StdioTransport.Handler
{
    private static final System.Logger LOG = System.getLogger(ClnPlugin.class.getName());

    /** The plugin once started: what answers the node's messages, and how to stop it. */
    public interface Running
            extends AutoCloseable
    {
        MessageHandler messages();

        @Override
        void close();
    }

    /** Starts the configured plugin; a seam so that tests can start it their own way. */
    public interface Starter
    {
        Running start(FailscopeConfig config, NodeRpcClient nodeClient);
    }

    private final ObjectNode manifest;
    private final Set<String> commands = new HashSet<>();
    private final ObjectMapper mapper;
    private final Starter starter;
    private final Runnable exit;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile Running running;
    private volatile ClnSocketRpcClient nodeClient;

    public ClnPlugin(ObjectNode manifest, ObjectMapper mapper, Starter starter, Runnable exit)
    {
        this.manifest = requireNonNull(manifest, "manifest is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.starter = requireNonNull(starter, "starter is null");
        this.exit = requireNonNull(exit, "exit is null");
        manifest.path("rpcmethods").forEach(method -> commands.add(method.path("name").asText()));
    }

    @Override
    public boolean urgent(JsonRpc.Message message)
    {
        Running plugin = running;
        return plugin != null && plugin.messages().urgent(message);
    }

    @Override
    public CompletableFuture<Optional<ObjectNode>> handle(JsonRpc.Message message)
    {
        switch (message.method()) {
            case "getmanifest" -> {
                return CompletableFuture.completedFuture(JsonRpc.answer(message, manifest));
            }
            case "init" -> {
                return CompletableFuture.completedFuture(JsonRpc.answer(message, init(message.params())));
            }
            case ClnManifest.SHUTDOWN -> {
                if (message.isNotification()) {
                    stop("lightningd sent its shutdown notification (plugin stop, or lightningd stopping)");
                    return CompletableFuture.completedFuture(Optional.empty());
                }
            }
            default -> {
                // every other message is the running plugin's
            }
        }
        Running plugin = running;
        if (plugin != null) {
            return plugin.messages().handle(message);
        }
        if (message.method().equals("htlc_accepted")) {
            // a hook is always answered, even before init (cln-plugin-protocol.md §0)
            return CompletableFuture.completedFuture(JsonRpc.answer(message, ClnHtlcAccepted.verdict(Verdict.CONTINUE)));
        }
        RpcException error = commands.contains(message.method())
                ? new RpcException(RpcErrorCode.INTERNAL_ERROR, "failscope is not initialized yet")
                : RpcDispatcher.unknownMethod(message.method());
        return CompletableFuture.completedFuture(JsonRpc.errorAnswer(message, error));
    }

    private JsonNode init(JsonNode params)
    {
        if (running != null) {
            return Json.object();
        }
        JsonNode configuration = params == null ? Json.object() : params.path("configuration");
        String lightningDir = configuration.path("lightning-dir").asText("");
        if (lightningDir.isEmpty()) {
            return disable("init did not say where the lightning-dir is");
        }
        Path base = Path.of(lightningDir).toAbsolutePath();
        Map<String, String> values = new HashMap<>();
        Map<String, String> optionNames = new HashMap<>();
        JsonNode options = params.path("options");
        for (ConfigKey key : FailscopeConfig.KEYS) {
            optionNames.put(key.key(), key.optionName());
            JsonNode value = options.get(key.optionName());
            if (value != null && !value.isNull()) {
                values.put(key.key(), value.asText());
            }
        }
        FailscopeConfig config;
        try {
            config = FailscopeConfig.read(values, base, Function.<String>identity().andThen(key -> optionNames.getOrDefault(key, key)));
        }
        catch (ConfigException e) {
            return disable("failscope's options cannot work: " + String.join("; ", e.problems()));
        }
        Path rpcFile = base.resolve(configuration.path("rpc-file").asText("lightning-rpc"));
        nodeClient = new ClnSocketRpcClient(rpcFile, config.node().rpcTimeout(), mapper);
        try {
            running = starter.start(config, nodeClient);
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, "failscope cannot start", e);
            return disable("failscope cannot start: " + e.getMessage());
        }
        LOG.log(Level.INFO, "failscope records HTLC failures in " + config.dataDirectory());
        return Json.object();
    }

    private static ObjectNode disable(String reason)
    {
        LOG.log(Level.ERROR, reason);
        return Json.object().put("disable", reason);
    }

    @Override
    public void endOfInput()
    {
        stop("stdin closed");
    }

    /** Flushes and stops everything, then exits; a watchdog exits anyway after 4.5 s. */
    private void stop(String why)
    {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        LOG.log(Level.INFO, "failscope stopping: " + why);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(4_500);
                LOG.log(Level.ERROR, "stopping took too long; exiting anyway");
                Runtime.getRuntime().halt(1);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "failscope-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Running plugin = running;
            if (plugin != null) {
                plugin.close();
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
