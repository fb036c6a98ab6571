package io.failscope.realnet;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * lightningd's JSON-RPC over its unix socket ({@code <network dir>/lightning-rpc}), one connection
 * per call, so that any number of threads may call at once (the storm sends hundreds of
 * {@code sendpay}s together) and a call that waits ({@code waitsendpay}) holds up no other.
 */
public final class LightningRpc
{
    private static final AtomicLong IDS = new AtomicLong();

    private final Path socket;

    public LightningRpc(Path socket)
    {
        this.socket = requireNonNull(socket, "socket is null");
    }

    /** Calls {@code method} with named params; the result, or a {@link LightningRpcException} with lightningd's error. */
    public JsonNode call(String method, ObjectNode params)
            throws IOException
    {
        ObjectNode request = Bitcoind.MAPPER.createObjectNode()
                .put("jsonrpc", "2.0")
                .put("id", "realnet:" + method + "#" + IDS.incrementAndGet())
                .put("method", method);
        request.set("params", params);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(Bitcoind.MAPPER.writeValueAsBytes(request)));
            // the parser stays open until the answer is read: closing it closes the socket
            JsonParser parser = Bitcoind.MAPPER.getFactory().createParser(Channels.newInputStream(channel));
            JsonNode response = Bitcoind.MAPPER.readTree(parser);
            if (response == null) {
                throw new IOException("lightningd closed " + socket + " without answering " + method);
            }
            if (response.has("error")) {
                throw new LightningRpcException(method, response.get("error"));
            }
            return response.get("result");
        }
    }

    public JsonNode call(String method)
            throws IOException
    {
        return call(method, Bitcoind.MAPPER.createObjectNode());
    }
}
