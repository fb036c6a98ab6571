package io.failscope.it;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Core Lightning's RPC socket, faked: answers {@code getinfo}, {@code listpeerchannels} and
 * {@code listconfigs} from JSON given by the test, ends each answer with a blank line as lightningd
 * does, and records the methods called.
 */
final class FakeLightningRpc
        implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final Map<String, JsonNode> results = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeLightningRpc(Path socket)
            throws IOException
    {
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        results.put("getinfo", PluginProcess.MAPPER.createObjectNode()
                .put("id", "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")
                .put("blockheight", 800_000)
                .put("network", "regtest"));
        results.put("listpeerchannels", PluginProcess.MAPPER.createObjectNode().set("channels", PluginProcess.MAPPER.createArrayNode()));
        results.put("listconfigs", PluginProcess.MAPPER.createObjectNode().set("configs", PluginProcess.MAPPER.createObjectNode()));
        acceptor = new Thread(this::serve, "fake-lightning-rpc");
        acceptor.setDaemon(true);
        acceptor.start();
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

    private void serve()
    {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                InputStream in = Channels.newInputStream(client);
                // the parser is not closed here: closing it would close the socket before the answer
                JsonParser parser = PluginProcess.MAPPER.getFactory().createParser(in);
                JsonNode request = PluginProcess.MAPPER.readTree(parser);
                if (request == null) {
                    // a client that connected and left without asking
                    continue;
                }
                String method = request.path("method").asText();
                calls.add(method);
                ObjectNode response = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0");
                response.set("id", request.get("id"));
                JsonNode result = results.get(method);
                if (result == null) {
                    response.putObject("error").put("code", -32601).put("message", "Unknown command '" + method + "'");
                }
                else {
                    response.set("result", result);
                }
                client.write(ByteBuffer.wrap((PluginProcess.MAPPER.writeValueAsString(response) + "\n\n").getBytes(StandardCharsets.UTF_8)));
            }
            catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close()
            throws IOException
    {
        server.close();
    }
}
