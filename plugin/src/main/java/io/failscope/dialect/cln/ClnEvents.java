package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.capture.Capture;
import io.failscope.capture.HtlcFailed;
import io.failscope.dialect.NodeEvent;
import io.failscope.json.Json;
import io.failscope.node.NodeContextCache;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import jakarta.inject.Inject;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * Core Lightning's notifications failscope subscribes to ({@code cln-plugin-protocol.md} §3). A record
 * is handed to the store and not waited for: the store reports its own trouble.
 */
final class ClnEvents
{
    private static final CompletableFuture<JsonNode> DONE = CompletableFuture.completedFuture(Json.object());

    private ClnEvents() {}

    /** A forward failed (recorded) or settled (its hook's facts forgotten). */
    static final class ForwardEvent
            implements NodeEvent
    {
        private final Capture capture;

        @Inject
        ForwardEvent(Capture capture)
        {
            this.capture = requireNonNull(capture, "capture is null");
        }

        @Override
        public CompletableFuture<JsonNode> handle(JsonNode params)
                throws RpcException
        {
            ClnPayloads.settled(params).ifPresent(settled -> capture.htlcSettled(settled.inChannel(), settled.htlcId()));
            record(capture, "forward_event", () -> ClnPayloads.forwardFailure(params));
            return DONE;
        }
    }

    /** One of our own payment parts failed. */
    static final class SendpayFailure
            implements NodeEvent
    {
        private final Capture capture;

        @Inject
        SendpayFailure(Capture capture)
        {
            this.capture = requireNonNull(capture, "capture is null");
        }

        @Override
        public CompletableFuture<JsonNode> handle(JsonNode params)
                throws RpcException
        {
            record(capture, "sendpay_failure", () -> ClnPayloads.sendpayFailure(params));
            return DONE;
        }
    }

    /** A new block: the node's height moves on at once. */
    static final class BlockAdded
            implements NodeEvent
    {
        private final NodeContextCache nodeContext;

        @Inject
        BlockAdded(NodeContextCache nodeContext)
        {
            this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        }

        @Override
        public CompletableFuture<JsonNode> handle(JsonNode params)
        {
            OptionalLong height = ClnPayloads.blockHeight(params);
            height.ifPresent(nodeContext::blockAdded);
            return DONE;
        }
    }

    /** A channel changed state or a peer came or went: the node's context is refreshed soon. */
    static final class ContextChanged
            implements NodeEvent
    {
        private final NodeContextCache nodeContext;

        @Inject
        ContextChanged(NodeContextCache nodeContext)
        {
            this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        }

        @Override
        public CompletableFuture<JsonNode> handle(JsonNode params)
        {
            nodeContext.requestRefresh();
            return DONE;
        }
    }

    private interface Reading
    {
        Optional<HtlcFailed> read();
    }

    /** Hands a failure to capture; a payload with an impossible value is refused, naming it. */
    private static void record(Capture capture, String topic, Reading reading)
            throws RpcException
    {
        try {
            Optional<HtlcFailed> failure = reading.read();
            if (failure.isPresent()) {
                capture.failed(failure.get());
            }
        }
        catch (IllegalArgumentException e) {
            throw new RpcException(RpcErrorCode.INVALID_PARAMS, topic + " refused: " + e.getMessage());
        }
    }
}
