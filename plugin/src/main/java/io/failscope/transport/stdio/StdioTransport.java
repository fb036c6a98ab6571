package io.failscope.transport.stdio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The stdio loop, framing only: one reader splits stdin into messages and hands each to the handler,
 * urgent ones (hooks) on the reading thread and the rest on a pool, so that no message waits behind a
 * slow one; every answer goes out through the one {@link ProtocolWriter}, an urgent one ahead of the
 * others. Malformed input is answered with a JSON-RPC error (id null where the id is unusable) and
 * reading goes on.
 */
public final class StdioTransport
{
    private static final System.Logger LOG = System.getLogger(StdioTransport.class.getName());
    static final int MAX_MESSAGE_BYTES = 16 << 20;

    /** What the transport hands messages to. */
    public interface Handler
            extends MessageHandler
    {
        /** stdin ended: lightningd is gone or dropped us. */
        void endOfInput();
    }

    private final InputStream in;
    private final ObjectMapper mapper;
    private final ProtocolWriter writer;
    private final Handler handler;
    private final ExecutorService workers;

    public StdioTransport(InputStream in, ObjectMapper mapper, ProtocolWriter writer, Handler handler)
    {
        this.in = requireNonNull(in, "in is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.handler = requireNonNull(handler, "handler is null");
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(runnable, "failscope-stdio-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Reads until end of input, then tells the handler. Runs on the calling thread. */
    public void run()
    {
        FrameReader frames = new FrameReader(in, MAX_MESSAGE_BYTES);
        try {
            FrameReader.Frame frame;
            while ((frame = frames.next()) != null) {
                dispatch(frame);
            }
        }
        catch (IOException e) {
            LOG.log(Level.WARNING, "reading from lightningd failed: " + e.getMessage());
        }
        // what was read before the end is still answered (lightningd --help sends getmanifest and closes)
        workers.shutdown();
        try {
            if (!workers.awaitTermination(3, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "requests still running at the end of input are abandoned");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handler.endOfInput();
    }

    private void dispatch(FrameReader.Frame frame)
    {
        JsonNode json;
        try {
            json = frame.bytes().length == 0 ? null : Json.read(mapper, frame.bytes());
        }
        catch (IOException e) {
            writer.send(JsonRpc.parseError(frame.complete() ? problem(e) : frame.problem()));
            return;
        }
        if (json == null) {
            writer.send(JsonRpc.parseError(frame.problem() == null ? "empty message" : frame.problem()));
            return;
        }
        if (json.isArray()) {
            // lightningd reads only objects from a plugin: a batch response would get us killed
            writer.send(JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST, "batches are not supported over stdio")));
            return;
        }
        JsonRpc.Message message;
        try {
            message = JsonRpc.read(json);
        }
        catch (JsonRpc.InvalidMessage e) {
            writer.send(e.response());
            return;
        }
        if (handler.urgent(message)) {
            handleGuarded(message, true);
        }
        else {
            workers.execute(() -> handleGuarded(message, false));
        }
    }

    private static String problem(IOException e)
    {
        return e instanceof JsonProcessingException processing ? processing.getOriginalMessage() : "unreadable";
    }

    private void handleGuarded(JsonRpc.Message message, boolean urgent)
    {
        try {
            handler.handle(message).whenComplete((answer, failure) -> {
                if (failure != null) {
                    // handlers answer every failure themselves; this only guards the reader and the pool
                    LOG.log(Level.ERROR, "handling " + message.method() + " failed", failure);
                }
                else {
                    answer.ifPresent(response -> send(response, urgent));
                }
            });
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, "handling " + message.method() + " failed", e);
        }
    }

    private void send(ObjectNode response, boolean urgent)
    {
        if (urgent) {
            writer.sendUrgent(response);
        }
        else {
            writer.send(response);
        }
    }
}
