package io.failscope.dialect.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.capture.Capture;
import io.failscope.capture.HtlcFailed;
import io.failscope.dialect.NodeEvent;
import io.failscope.json.Json;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeJson;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.record.Evidence;
import io.failscope.record.RecordedReason;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * {@code htlc_handling_failed}: a JVM node reports an HTLC it failed, shaped like LDK's
 * {@code Event::HTLCHandlingFailed} ({@code rpc-schema/.../htlc_handling_failed.request.json}). The
 * node's own reason is stored with provenance {@code node}. Usually sent as a notification; sent as a
 * request it is answered, once the record is durable, with the record's created index.
 */
public final class JvmHtlcHandlingFailed
        implements NodeEvent
{
    /** Parameter names in positional order. */
    public static final List<String> PARAMETERS = List.of("node_id", "failure_type", "failure_reason", "htlc", "outgoing", "received_time", "resolved_time");
    /** More evidence than any reason has is not evidence. */
    private static final int MAX_EVIDENCE = 32;

    private final Capture capture;
    private final NodeContextCache nodeContext;

    @Inject
    public JvmHtlcHandlingFailed(Capture capture, NodeContextCache nodeContext)
    {
        this.capture = requireNonNull(capture, "capture is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
    }

    @Override
    public CompletableFuture<JsonNode> handle(JsonNode params)
            throws RpcException
    {
        HtlcFailed failure = failure(Params.of(params, PARAMETERS, true));
        try {
            return capture.failed(failure).thenApply(written -> Json.object().put("created_index", written.createdIndex()));
        }
        catch (IllegalArgumentException e) {
            throw new RpcException(RpcErrorCode.INVALID_PARAMS, "htlc_handling_failed: " + e.getMessage());
        }
    }

    HtlcFailed failure(Params params)
            throws RpcException
    {
        JsonNode failureType = object(params, "failure_type");
        JsonNode failureReason = object(params, "failure_reason");
        JsonNode htlc = object(params, "htlc");
        Optional<NodeId> nodeId = params.nodeId("node_id").or(() -> nodeContext.current().nodeId());
        if (nodeId.isEmpty()) {
            throw RpcException.invalidParam("node_id", params.raw("node_id"), "is needed until the node's getinfo has answered");
        }
        Instant received = params.time("received_time").orElseThrow(() -> RpcException.invalidParam("received_time", null, "is required (unix seconds)"));
        OptionalLong htlcId = NodeJson.number(htlc.path("id"));
        if (NodeJson.scid(htlc.path("short_channel_id")).isEmpty() || htlcId.isEmpty()) {
            throw RpcException.invalidParam("htlc", htlc, "needs short_channel_id (such as 101x1x0) and id (a whole number, 0 or more)");
        }
        JsonNode outgoing = params.has("outgoing") ? object(params, "outgoing") : Json.object();
        boolean local = switch (failureReason.path("type").asText()) {
            case "downstream" -> false;
            case "local" -> true;
            default -> throw RpcException.invalidParam("failure_reason", failureReason, "type should be \"downstream\" or \"local\"");
        };
        Optional<RecordedReason> reason = local ? Optional.of(localReason(failureReason)) : Optional.empty();
        try {
            return HtlcFailed.builder(type(failureType), local ? FailureSource.LOCAL : FailureSource.DOWNSTREAM, received)
                    .nodeId(nodeId)
                    .resolvedTime(params.time("resolved_time"))
                    .inChannel(NodeJson.scid(htlc.path("short_channel_id")))
                    .inHtlcId(htlcId)
                    .inMsat(NodeJson.number(htlc.path("amount_msat")))
                    .cltvExpiry(NodeJson.number(htlc.path("cltv_expiry")))
                    .inPeer(NodeJson.nodeId(htlc.path("peer_id")))
                    .paymentHash(NodeJson.paymentHash(htlc.path("payment_hash")).or(() -> NodeJson.paymentHash(failureType.path("payment_hash"))))
                    .outChannel(NodeJson.scid(failureType.path("short_channel_id")).or(() -> NodeJson.scid(failureType.path("requested_forward_scid"))))
                    .outPeer(NodeJson.nodeId(failureType.path("node_id")))
                    .outMsat(NodeJson.number(outgoing.path("amount_msat")))
                    .feeMsat(NodeJson.number(outgoing.path("fee_msat")))
                    .failcode(reason.map(value -> OptionalInt.of(value.wireCode())).orElse(OptionalInt.empty()))
                    .statedReason(reason)
                    .build();
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
            default -> throw RpcException.invalidParam("failure_type", failureType, "type should be forward, invalid_forward, invalid_onion or receive");
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
            throw RpcException.invalidParam("failure_reason", failureReason, "a local reason needs wire_code, the BOLT #4 code sent back (0 to 65535)");
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
        for (int kept = 0; fields.hasNext() && kept < MAX_EVIDENCE; ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().canConvertToLong() && field.getKey().matches("[a-z][a-z0-9_]{0,63}")) {
                evidence.put(field.getKey(), field.getValue().longValue());
                kept++;
            }
        }
        return new RecordedReason(reason, ReasonSource.NODE, evidence.build());
    }

    static JsonNode object(Params params, String name)
            throws RpcException
    {
        JsonNode value = params.raw(name);
        if (value == null || !value.isObject()) {
            throw RpcException.invalidParam(name, value, "should be an object");
        }
        return value;
    }
}
