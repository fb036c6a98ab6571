package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.sim.LightningRpcServer;
import io.failscope.sim.PluginProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Core Lightning's RPC socket, faked: answers {@code getinfo}, {@code listpeerchannels} and
 * {@code listconfigs} from JSON given by the test, and records the methods called. Every call the
 * plugin makes is checked against {@code rpc-schema/} ({@code node.<method>.request}); closing fails
 * if one did not conform.
 */
final class FakeLightningRpc
        implements AutoCloseable
{
    private final Map<String, JsonNode> results = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final LightningRpcServer server;

    FakeLightningRpc(Path socket)
            throws IOException
    {
        results.put("getinfo", PluginProcess.MAPPER.createObjectNode()
                .put("id", "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")
                .put("blockheight", 800_000)
                .put("network", "regtest"));
        results.put("listpeerchannels", PluginProcess.MAPPER.createObjectNode().set("channels", PluginProcess.MAPPER.createArrayNode()));
        results.put("listconfigs", PluginProcess.MAPPER.createObjectNode().set("configs", PluginProcess.MAPPER.createObjectNode()));
        server = new LightningRpcServer(socket, (method, params) -> {
            calls.add(method);
            problems.addAll(SchemaConformance.INSTANCE.problems("node." + method, "request", params));
            return results.get(method);
        });
    }

    /** Answers {@code method} with {@code result} from now on; returns the answer it replaces. */
    JsonNode answer(String method, JsonNode result)
    {
        return results.put(method, result);
    }

    List<String> calls()
    {
        return calls;
    }

    @Override
    public void close()
            throws IOException
    {
        server.close();
        assertThat(problems).as("the plugin's calls to the node, against rpc-schema/").isEmpty();
    }
}
