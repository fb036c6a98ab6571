package io.failscope.node;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Core Lightning's JSON-RPC over its unix socket ({@code lightning-dir/rpc-file};
 * {@code cln-plugin-protocol.md} §1.13): one connection per call, ids {@code failscope:<method>#<n>},
 * the response read as one JSON value. A call that takes longer than the timeout is abandoned and
 * its connection closed.
 */
public final class ClnSocketRpcClient
        implements NodeRpcClient, AutoCloseable
{
    private final Path socket;
    private final Duration timeout;
    private final ObjectMapper mapper;
    private final AtomicLong counter = new AtomicLong();
    private final ExecutorService calls = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "failscope-node-rpc");
        thread.setDaemon(true);
        return thread;
    });

    public ClnSocketRpcClient(Path socket, Duration timeout, ObjectMapper mapper)
    {
        this.socket = requireNonNull(socket, "socket is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    @Override
    public JsonNode call(String method, JsonNode params)
            throws NodeRpcException
    {
        ObjectNode request = Json.object();
        request.put("jsonrpc", "2.0");
        request.put("id", "failscope:" + method + "#" + counter.incrementAndGet());
        request.put("method", method);
        request.set("params", params == null ? Json.object() : params);
        SocketChannel[] channel = new SocketChannel[1];
        Future<JsonNode> response = calls.submit(() -> {
            try (SocketChannel open = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel[0] = open;
                open.connect(UnixDomainSocketAddress.of(socket));
                open.write(ByteBuffer.wrap(mapper.writeValueAsBytes(request)));
                InputStream in = Channels.newInputStream(open);
                // the socket is a stream of messages: the answer ends where its value ends, whatever may follow
                try (JsonParser parser = mapper.createParser(in)) {
                    JsonNode node = mapper.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(parser);
                    if (node == null) {
                        throw new IOException("the node closed the connection without answering");
                    }
                    return node;
                }
            }
        });
        JsonNode answer;
        try {
            answer = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            response.cancel(true);
            closeQuietly(channel[0]);
            throw new NodeRpcException(method + " on " + socket + " took longer than " + timeout.toMillis() + " ms");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeRpcException("interrupted while calling " + method);
        }
        catch (ExecutionException e) {
            throw new NodeRpcException(method + " on " + socket + " failed: " + e.getCause().getMessage(), e.getCause());
        }
        return resultOf(method, answer);
    }

    static JsonNode resultOf(String method, JsonNode answer)
            throws NodeRpcException
    {
        if (answer.has("error")) {
            throw new NodeRpcException(method + " returned an error: " + answer.get("error"));
        }
        JsonNode result = answer.get("result");
        if (result == null) {
            throw new NodeRpcException(method + " returned neither a result nor an error");
        }
        return result;
    }

    private static void closeQuietly(SocketChannel channel)
    {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // closing a connection we are abandoning
            }
        }
    }

    @Override
    public void close()
    {
        calls.shutdownNow();
    }
}
