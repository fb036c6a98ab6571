package io.failscope.capture;

import io.failscope.node.NodeJson;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.node.NodeContextCache;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.rpc.Json;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import io.failscope.rpc.RpcMethod;
import io.failscope.store.FailureStore;
import jakarta.inject.Inject;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * {@code htlc_handling_failed} (jvm dialect): a JVM node reports an HTLC it failed, shaped like LDK's
 * {@code Event::HTLCHandlingFailed} ({@code rpc-schema/.../htlc_handling_failed.request.json}). The
 * node's own reason is stored with provenance {@code node}. Usually sent as a notification; sent as a
 * request it answers with how it was stored. Served over HTTP only: it is no Core Lightning command.
 */
public final class HtlcHandlingFailed
        implements RpcMethod
{
    public static final Info INFO = new Info("htlc_handling_failed",
            List.of("node_id", "failure_type", "failure_reason", "htlc", "outgoing", "received_time", "resolved_time"),
            "jvm dialect: a JVM node reports an HTLC it failed (LDK's HTLCHandlingFailed); failscope records it with the node's reason.");

    private final FailureStore store;
    private final NodeContextCache nodeContext;

    @Inject
    public HtlcHandlingFailed(FailureStore store, NodeContextCache nodeContext)
    {
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
    }

    @Override
    public Info info()
    {
        return INFO;
    }

    @Override
    public boolean readsTheNode()
    {
        return true;
    }

    @Override
    public JsonNode invoke(Params params)
            throws RpcException
    {
        return invokeLater(params).join();
    }

    /** Answered once the record is durable, without keeping the HTTP thread while the writer commits. */
    @Override
    public CompletableFuture<JsonNode> invokeLater(Params params)
            throws RpcException
    {
        return store.submit(record(params)).thenApply(written -> Json.MAPPER.createObjectNode().put("created_index", written.createdIndex()));
    }

    HtlcFailureRecord record(Params params)
            throws RpcException
    {
        JsonNode failureType = object(params, "failure_type");
        JsonNode failureReason = object(params, "failure_reason");
        JsonNode htlc = object(params, "htlc");
        Optional<NodeId> nodeId = params.nodeId("node_id").or(() -> nodeContext.current().nodeId());
        if (nodeId.isEmpty()) {
            throw invalid("node_id", params.raw("node_id"), "is needed until the node's getinfo has answered");
        }
        HtlcFailureRecord.Builder record = HtlcFailureRecord.builder()
                .nodeId(nodeId.get())
                .type(type(failureType))
                .receivedTime(params.time("received_time").orElseThrow(() -> invalid("received_time", null, "is required (unix seconds)")));
        params.time("resolved_time").ifPresent(record::resolvedTime);

        Optional<ShortChannelId> inChannel = NodeJson.scid(htlc.path("short_channel_id"));
        OptionalLong htlcId = NodeJson.number(htlc.path("id"));
        if (inChannel.isEmpty() || htlcId.isEmpty()) {
            throw invalid("htlc", htlc, "needs short_channel_id (such as 101x1x0) and id");
        }
        record.inChannel(inChannel.get()).inHtlcId(htlcId.getAsLong());
        NodeJson.number(htlc.path("amount_msat")).ifPresent(record::inMsat);
        NodeJson.number(htlc.path("cltv_expiry")).ifPresent(record::cltvExpiry);
        NodeJson.nodeId(htlc.path("peer_id")).ifPresent(record::inPeer);
        NodeJson.paymentHash(htlc.path("payment_hash")).or(() -> NodeJson.paymentHash(failureType.path("payment_hash"))).ifPresent(record::paymentHash);
        NodeJson.scid(failureType.path("short_channel_id")).or(() -> NodeJson.scid(failureType.path("requested_forward_scid"))).ifPresent(record::outChannel);
        NodeJson.nodeId(failureType.path("node_id")).ifPresent(record::outPeer);
        JsonNode outgoing = params.has("outgoing") ? object(params, "outgoing") : Json.MAPPER.createObjectNode();
        NodeJson.number(outgoing.path("amount_msat")).ifPresent(record::outMsat);
        NodeJson.number(outgoing.path("fee_msat")).ifPresent(record::feeMsat);

        switch (failureReason.path("type").asText()) {
            case "downstream" -> record.source(FailureSource.DOWNSTREAM);
            case "local" -> record.source(FailureSource.LOCAL).reason(localReason(failureReason));
            default -> throw invalid("failure_reason", failureReason, "type should be \"downstream\" or \"local\"");
        }
        try {
            return record.build();
        }
        catch (IllegalArgumentException e) {
            throw new RpcException(RpcErrorCode.INVALID_PARAMS, "htlc_handling_failed: " + e.getMessage());
        }
    }

    private static FailureType type(JsonNode failureType)
            throws RpcException
    {
        return switch (failureType.path("type").asText()) {
            case "forward" -> FailureType.FORWARD;
            case "invalid_forward" -> FailureType.INVALID_FORWARD;
            case "invalid_onion" -> FailureType.INVALID_ONION;
            case "receive" -> FailureType.RECEIVE;
            default -> throw invalid("failure_type", failureType, "type should be forward, invalid_forward, invalid_onion or receive");
        };
    }

    /**
     * The node's reason as it says it. A reason name this version does not know (a newer LDK's) falls
     * back to the canonical reason for the wire code, as a stored unknown index does.
     */
    private static RecordedReason localReason(JsonNode failureReason)
            throws RpcException
    {
        OptionalLong code = NodeJson.number(failureReason.path("wire_code"));
        if (code.isEmpty() || code.getAsLong() > 0xFFFF) {
            throw invalid("failure_reason", failureReason, "a local reason needs wire_code, the BOLT #4 code sent back (0 to 65535)");
        }
        int wireCode = (int) code.getAsLong();
        Optional<LocalReason> named = LocalReason.forSnakeName(failureReason.path("reason").asText(""));
        FailureReason reason;
        if (named.isPresent() && named.get().fixedCode().map(fixed -> fixed.code() == wireCode).orElse(true)) {
            reason = new FailureReason(named.get(), wireCode);
        }
        else {
            reason = FailureReason.canonicalFor(wireCode);
        }
        Evidence.Builder evidence = Evidence.builder();
        Iterator<Map.Entry<String, JsonNode>> fields = failureReason.path("evidence").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().canConvertToLong() && field.getKey().matches("[a-z][a-z0-9_]{0,63}")) {
                evidence.put(field.getKey(), field.getValue().longValue());
            }
        }
        return new RecordedReason(reason, io.failscope.reason.ReasonSource.NODE, evidence.build());
    }

    private static JsonNode object(Params params, String name)
            throws RpcException
    {
        JsonNode value = params.raw(name);
        if (value == null || !value.isObject()) {
            throw invalid(name, value, "should be an object");
        }
        return value;
    }

    private static RpcException invalid(String name, JsonNode value, String problem)
    {
        return RpcException.invalidParam(name, value, problem);
    }
}
