package io.failscope.transport.stdio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.rpc.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * The only writer of the protocol channel (the real stdout). It writes JSON-RPC objects and nothing
 * else, each compact and followed by a blank line, one at a time: anything else on stdout gets the
 * plugin killed ({@code cln-plugin-protocol.md} §0).
 */
public final class ProtocolWriter
{
    private static final System.Logger LOG = System.getLogger(ProtocolWriter.class.getName());
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private volatile boolean broken;

    public ProtocolWriter(OutputStream out)
    {
        this.out = requireNonNull(out, "out is null");
    }

    public void send(ObjectNode message)
    {
        if (!message.has("jsonrpc")) {
            throw new IllegalArgumentException("not a JSON-RPC message: " + message);
        }
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(message);
        }
        catch (IOException e) {
            throw new IllegalStateException("cannot serialize a JSON-RPC message", e);
        }
        synchronized (this) {
            if (broken) {
                return;
            }
            try {
                out.write(bytes);
                out.write(END);
                out.flush();
            }
            catch (IOException e) {
                // lightningd has gone; the reader sees end of input and shuts down
                broken = true;
                LOG.log(Level.WARNING, "cannot write to lightningd: " + e.getMessage());
            }
        }
    }

    /** A {@code log} notification with one of the levels lightningd accepts. */
    public void log(String level, String message)
    {
        if (!level.equals("debug") && !level.equals("info") && !level.equals("warn") && !level.equals("error")) {
            throw new IllegalArgumentException("lightningd kills plugins that log at level " + level);
        }
        ObjectNode params = Json.MAPPER.createObjectNode();
        params.put("level", level);
        params.put("message", message);
        send(io.failscope.rpc.JsonRpc.notification("log", params));
    }
}
