package io.failscope.dialect.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.HtlcSeen;
import io.failscope.ShortChannelId;
import io.failscope.dialect.HookStatus;
import io.failscope.dialect.NodeHook;
import io.failscope.intercept.Interceptor;
import io.failscope.intercept.Verdict;
import io.failscope.json.Json;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeJson;
import io.failscope.reason.FailureCode;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * {@code htlc_intercepted}: a JVM node asks what to do with an HTLC it intercepted (LDK's
 * {@code HTLCIntercepted} plus the incoming HTLC's facts; {@code rpc-schema/.../htlc_intercepted.*.json}).
 * The same rules as Core Lightning's hook decide; the answer is {@code forward}, or {@code fail} with
 * the code and its exact BOLT #4 failure message. A held HTLC is answered when it is released. The
 * node's {@code block_height} must agree with what the node's RPC says: a request cannot move the
 * height failscope works with.
 */
public final class JvmHtlcIntercepted
        implements NodeHook
{
    /** Parameter names in positional order. */
    public static final List<String> PARAMETERS = List.of("intercept_id", "requested_next_hop_scid", "payment_hash", "inbound_amount_msat", "expected_outbound_amount_msat", "incoming", "block_height");
    /**
     * How far a request's height may be from the node's own answer: a day of blocks. The node's answer is
     * refreshed in the background, so it may be a few blocks behind; one a day off is not this node's.
     */
    static final long HEIGHT_TOLERANCE = 144;

    private final Interceptor interceptor;
    private final NodeContextCache nodeContext;
    private final HookStatus status;

    @Inject
    public JvmHtlcIntercepted(Interceptor interceptor, NodeContextCache nodeContext, HookStatus status)
    {
        this.interceptor = requireNonNull(interceptor, "interceptor is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.status = requireNonNull(status, "status is null");
    }

    @Override
    public CompletableFuture<JsonNode> answer(JsonNode params)
            throws RpcException
    {
        Verdict verdict = interceptor.decide(htlc(Params.of(params, PARAMETERS, true)));
        if (verdict instanceof Verdict.Hold holding) {
            return holding.release().thenApply(released -> {
                status.answered();
                return answer(released);
            });
        }
        status.answered();
        return CompletableFuture.completedFuture(answer(verdict));
    }

    static JsonNode answer(Verdict verdict)
    {
        if (verdict instanceof Verdict.Fail fail) {
            return Json.object()
                    .put("verdict", "fail")
                    .put("code", fail.message().failureCode().map(FailureCode::specName).orElse("unknown"))
                    .put("failure_message", fail.message().hex());
        }
        if (verdict instanceof Verdict.Hold hold) {
            throw new IllegalArgumentException("a held HTLC has no verdict until it is released (rule " + hold.rule() + ")");
        }
        return Json.object().put("verdict", "forward");
    }

    private HtlcSeen htlc(Params params)
            throws RpcException
    {
        JsonNode incoming = params.raw("incoming");
        if (incoming == null || !incoming.isObject()) {
            throw RpcException.invalidParam("incoming", incoming, "should be an object with short_channel_id, htlc_id and cltv_expiry");
        }
        Optional<ShortChannelId> inChannel = NodeJson.scid(incoming.path("short_channel_id"));
        OptionalLong htlcId = NodeJson.number(incoming.path("htlc_id"));
        OptionalLong cltvExpiry = NodeJson.number(incoming.path("cltv_expiry"));
        if (inChannel.isEmpty() || htlcId.isEmpty() || cltvExpiry.isEmpty()) {
            throw RpcException.invalidParam("incoming", incoming, "should have short_channel_id (such as 101x1x0), htlc_id and cltv_expiry");
        }
        long amount = params.msat("inbound_amount_msat").orElseThrow(() -> RpcException.invalidParam("inbound_amount_msat", null, "is required"));
        long height = params.integer("block_height", 0, HtlcSeen.CLTV_HEIGHT_LIMIT - 1).orElseThrow(() -> RpcException.invalidParam("block_height", null, "is required"));
        OptionalLong nodeHeight = nodeContext.current().blockHeight();
        if (nodeHeight.isPresent() && Math.abs(height - nodeHeight.getAsLong()) > HEIGHT_TOLERANCE) {
            throw RpcException.invalidParam("block_height", params.raw("block_height"), "differs from the node's own height " + nodeHeight.getAsLong() + " by more than " + HEIGHT_TOLERANCE + " blocks");
        }
        if (nodeHeight.isEmpty() || height != nodeHeight.getAsLong()) {
            // the node moved on since its last answer: ask it again, without waiting (decisions use its answer)
            nodeContext.requestRefresh();
        }
        try {
            return new HtlcSeen(inChannel.get(), htlcId.getAsLong(), amount, cltvExpiry.getAsLong(),
                    params.msat("expected_outbound_amount_msat"),
                    OptionalLong.empty(),
                    params.scid("requested_next_hop_scid"),
                    NodeJson.nodeId(incoming.path("peer_id")),
                    params.paymentHash("payment_hash"),
                    OptionalLong.of(cltvExpiry.getAsLong() - height));
        }
        catch (IllegalArgumentException e) {
            throw new RpcException(RpcErrorCode.INVALID_PARAMS, "htlc_intercepted: " + e.getMessage());
        }
    }
}
