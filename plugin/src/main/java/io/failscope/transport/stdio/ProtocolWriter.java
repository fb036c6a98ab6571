package io.failscope.transport.stdio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.JsonRpc;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static java.util.Objects.requireNonNull;

/**
 * The only writer of the protocol channel (the real stdout). It writes JSON-RPC objects and nothing
 * else, each compact and followed by a blank line, one whole message at a time: anything else on
 * stdout gets the plugin killed ({@code cln-plugin-protocol.md} §0). A message is serialized before the
 * channel is taken, and an urgent message (a hook's verdict, which lightningd waits on) goes ahead of
 * every message still waiting: it waits at most for the one already being written.
 */
public final class ProtocolWriter
{
    private static final System.Logger LOG = System.getLogger(ProtocolWriter.class.getName());
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final ObjectMapper mapper;
    private final ReentrantLock channel = new ReentrantLock();
    private final Condition noUrgentWaiting = channel.newCondition();
    private final AtomicInteger urgentWaiting = new AtomicInteger();
    private volatile boolean broken;

    public ProtocolWriter(OutputStream out, ObjectMapper mapper)
    {
        this.out = requireNonNull(out, "out is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void send(ObjectNode message)
    {
        write(serialized(message), false);
    }

    /** A message lightningd is waiting on before it goes on (a hook's verdict): written ahead of the others. */
    public void sendUrgent(ObjectNode message)
    {
        write(serialized(message), true);
    }

    /** A {@code log} notification with one of the levels lightningd accepts. */
    public void log(String level, String message)
    {
        if (!level.equals("debug") && !level.equals("info") && !level.equals("warn") && !level.equals("error")) {
            throw new IllegalArgumentException("lightningd kills plugins that log at level " + level);
        }
        send(JsonRpc.notification("log", Json.object().put("level", level).put("message", message)));
    }

    private byte[] serialized(ObjectNode message)
    {
        if (!message.has("jsonrpc")) {
            throw new IllegalArgumentException("not a JSON-RPC message: " + Json.abbreviate(message));
        }
        try {
            return mapper.writeValueAsBytes(message);
        }
        catch (IOException e) {
            throw new IllegalStateException("cannot serialize a JSON-RPC message", e);
        }
    }

    private void write(byte[] bytes, boolean urgent)
    {
        if (urgent) {
            urgentWaiting.incrementAndGet();
            channel.lock();
            urgentWaiting.decrementAndGet();
        }
        else {
            channel.lock();
            try {
                while (urgentWaiting.get() > 0) {
                    // an urgent message is waiting for the channel: let it go first
                    noUrgentWaiting.await(1, TimeUnit.MILLISECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (broken) {
                return;
            }
            out.write(bytes);
            out.write(END);
            out.flush();
        }
        catch (IOException e) {
            // lightningd has gone; the reader sees end of input and shuts down
            broken = true;
            LOG.log(Level.WARNING, "cannot write to lightningd: " + e.getMessage());
        }
        finally {
            if (urgent) {
                noUrgentWaiting.signalAll();
            }
            channel.unlock();
        }
    }
}
