package io.failscope.sim;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Core Lightning's RPC socket ({@code lightning-rpc} in the network directory), served from a
 * handler: JSON-RPC 2.0 requests in, each answer followed by a blank line as lightningd writes them.
 * Several clients are served at once, each for as many requests as it sends on its connection.
 */
public final class LightningRpcServer
        implements AutoCloseable
{
    /** Answers one call: the result, or {@code null} for a method the node does not have. */
    @FunctionalInterface
    public interface Handler
    {
        JsonNode answer(String method, JsonNode params);
    }

    private final ServerSocketChannel server;
    private final Handler handler;
    private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "lightning-rpc-connection");
        thread.setDaemon(true);
        return thread;
    });

    public LightningRpcServer(Path socket, Handler handler)
            throws IOException
    {
        this.handler = requireNonNull(handler, "handler is null");
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(this::accept, "lightning-rpc");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept()
    {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                connections.execute(() -> serve(client));
            }
            catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    private void serve(SocketChannel client)
    {
        try (client) {
            InputStream in = Channels.newInputStream(client);
            // the parser is not closed before the answers are written: closing it closes the socket
            JsonParser parser = PluginProcess.MAPPER.getFactory().createParser(in);
            JsonNode request;
            while ((request = PluginProcess.MAPPER.readTree(parser)) != null) {
                ObjectNode response = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0");
                response.set("id", request.get("id"));
                String method = request.path("method").asText();
                JsonNode result;
                try {
                    result = handler.answer(method, request.path("params"));
                }
                catch (RuntimeException e) {
                    result = null;
                    response.putObject("error").put("code", -1).put("message", method + ": " + e.getMessage());
                }
                if (result != null) {
                    response.set("result", result);
                }
                else if (!response.has("error")) {
                    response.putObject("error").put("code", -32601).put("message", "Unknown command '" + method + "'");
                }
                client.write(ByteBuffer.wrap((PluginProcess.MAPPER.writeValueAsString(response) + "\n\n").getBytes(StandardCharsets.UTF_8)));
            }
        }
        catch (IOException e) {
            // the client went away mid-request; the next one gets a fresh connection
        }
    }

    @Override
    public void close()
            throws IOException
    {
        server.close();
        connections.shutdownNow();
        try {
            connections.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
