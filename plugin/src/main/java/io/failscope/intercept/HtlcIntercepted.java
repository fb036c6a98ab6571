package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.ShortChannelId;
import io.failscope.node.NodeJson;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureMessage;
import io.failscope.rpc.Json;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcException;
import io.failscope.rpc.RpcMethod;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * {@code htlc_intercepted} (jvm dialect): a JVM node asks what to do with an HTLC it intercepted
 * (LDK's {@code HTLCIntercepted} plus the incoming HTLC's facts; {@code rpc-schema/.../htlc_intercepted.*.json}).
 * The same rules as Core Lightning's hook decide; the answer is {@code forward}, or {@code fail} with
 * the code and its exact BOLT #4 failure message. A held HTLC is answered when it is released.
 */
public final class HtlcIntercepted
        implements RpcMethod
{
    public static final Info INFO = new Info("htlc_intercepted",
            List.of("intercept_id", "requested_next_hop_scid", "payment_hash", "inbound_amount_msat", "expected_outbound_amount_msat", "incoming", "block_height"),
            "jvm dialect: a JVM node asks whether to forward or fail an intercepted HTLC; the interception rules decide.");

    private final Interceptor interceptor;

    @Inject
    public HtlcIntercepted(Interceptor interceptor)
    {
        this.interceptor = requireNonNull(interceptor, "interceptor is null");
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

    /** Decided now, or (for a held HTLC) when it is released, without keeping the HTTP thread. */
    @Override
    public CompletableFuture<JsonNode> invokeLater(Params params)
            throws RpcException
    {
        return interceptor.decide(htlc(params)).thenApply(HtlcIntercepted::answer);
    }

    private static JsonNode answer(ObjectNode verdict)
    {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        if (!verdict.path("result").asText().equals("fail")) {
            return answer.put("verdict", "forward");
        }
        String hex = verdict.path("failure_message").asText();
        answer.put("verdict", "fail");
        try {
            FailureMessage message = FailureMessage.decode(Bytes.fromHex(hex));
            answer.put("code", message.failureCode().map(FailureCode::specName).orElse("unknown"));
        }
        catch (DecodeException e) {
            throw new IllegalStateException("the interceptor built a failure message it cannot read: " + hex, e);
        }
        return answer.put("failure_message", hex);
    }

    private static HookHtlc htlc(Params params)
            throws RpcException
    {
        JsonNode incoming = params.raw("incoming");
        if (incoming == null || !incoming.isObject()) {
            throw RpcException.invalidParam("incoming", incoming, "should be an object with short_channel_id, htlc_id and cltv_expiry");
        }
        Optional<ShortChannelId> inChannel = NodeJson.scid(incoming.path("short_channel_id"));
        if (inChannel.isEmpty() || !incoming.path("htlc_id").canConvertToLong() || !incoming.path("cltv_expiry").canConvertToLong()
                || incoming.path("htlc_id").longValue() < 0 || incoming.path("cltv_expiry").longValue() < 0 || incoming.path("cltv_expiry").longValue() > 0xFFFF_FFFFL) {
            throw RpcException.invalidParam("incoming", incoming, "should have short_channel_id (such as 101x1x0), htlc_id and cltv_expiry");
        }
        long amount = params.msat("inbound_amount_msat").orElseThrow(() -> RpcException.invalidParam("inbound_amount_msat", null, "is required"));
        long height = params.integer("block_height", 0, 0xFFFF_FFFFL).orElseThrow(() -> RpcException.invalidParam("block_height", null, "is required"));
        long cltvExpiry = incoming.path("cltv_expiry").longValue();
        OptionalLong outbound = params.msat("expected_outbound_amount_msat");
        return new HookHtlc(inChannel.get(), incoming.path("htlc_id").longValue(), amount, cltvExpiry, cltvExpiry - height,
                params.scid("requested_next_hop_scid"),
                NodeJson.nodeId(incoming.path("peer_id")),
                params.paymentHash("payment_hash"),
                outbound);
    }
}
