package io.failscope.transport.stdio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.failscope.rpc.Json;
import io.failscope.rpc.JsonRpc;
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
 * The stdio loop: one reader splits stdin into messages and hands each to a pool, so a held hook never
 * blocks the next message; everything written goes through the one {@link ProtocolWriter}. Malformed
 * input is answered with a JSON-RPC error (id null where the id is unusable) and reading goes on.
 */
public final class StdioTransport
{
    private static final System.Logger LOG = System.getLogger(StdioTransport.class.getName());
    static final int MAX_MESSAGE_BYTES = 16 << 20;
    private static final ObjectReader READER = Json.MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What the transport hands messages to. */
    public interface Handler
    {
        /** A well-formed request or notification; the handler answers requests through the writer. */
        void handle(JsonRpc.Message message);

        /** stdin ended: lightningd is gone or dropped us. */
        void endOfInput();

        /**
         * True for a message the handler answers without ever waiting (no disk, no node RPC, no lock
         * held for long): it is handled on the reading thread, sparing the hand-off to a worker.
         */
        default boolean answersAtOnce(JsonRpc.Message message)
        {
            return false;
        }
    }

    private final InputStream in;
    private final ProtocolWriter writer;
    private final Handler handler;
    private final ExecutorService workers;

    public StdioTransport(InputStream in, ProtocolWriter writer, Handler handler)
    {
        this.in = requireNonNull(in, "in is null");
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
            json = frame.bytes().length == 0 ? null : READER.readValue(frame.bytes());
        }
        catch (IOException e) {
            String detail = !frame.complete() ? frame.problem() : e instanceof JsonProcessingException processing ? processing.getOriginalMessage() : "unreadable";
            writer.send(JsonRpc.parseError(detail));
            return;
        }
        if (json == null) {
            writer.send(JsonRpc.parseError(frame.problem() == null ? "empty message" : frame.problem()));
            return;
        }
        if (json != null && json.isArray()) {
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
        if (handler.answersAtOnce(message)) {
            handleGuarded(message);
        }
        else {
            workers.execute(() -> handleGuarded(message));
        }
    }

    private void handleGuarded(JsonRpc.Message message)
    {
        try {
            handler.handle(message);
        }
        catch (RuntimeException e) {
            // the handler answers every request itself; this only guards the reader and the pool
            LOG.log(Level.ERROR, "handling " + message.method() + " failed", e);
        }
    }
}
