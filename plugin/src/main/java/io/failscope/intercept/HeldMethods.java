package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.HtlcSeen;
import io.failscope.json.Json;
import io.failscope.reason.FailureChoice;
import io.failscope.reason.SelectableFailure;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcException;
import io.failscope.rpc.RpcMethod;
import jakarta.inject.Inject;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/** {@code listinterceptedhtlcs}, {@code failinterceptedhtlc}, {@code resumeinterceptedhtlc}: the operator decides held HTLCs. */
public final class HeldMethods
{
    private HeldMethods() {}

    public static final class ListInterceptedHtlcs
            implements RpcMethod
    {
        public static final RpcMethod.Info INFO = new RpcMethod.Info("listinterceptedhtlcs", List.of(),
                "HTLCs a policy rule is holding, oldest first, with when each will be released at the latest.");

        private final Interceptor interceptor;

        @Inject
        public ListInterceptedHtlcs(Interceptor interceptor)
        {
            this.interceptor = requireNonNull(interceptor, "interceptor is null");
        }

        @Override
        public JsonNode invoke(Params params)
        {
            ObjectNode result = Json.object();
            ArrayNode items = result.putArray("intercepted");
            for (HeldHtlcs.Held held : interceptor.held()) {
                HtlcSeen htlc = held.htlc();
                ObjectNode item = items.addObject()
                        .put("id", held.id())
                        .put("rule", held.rule())
                        .put("in_channel", htlc.inChannel().toString())
                        .put("in_htlc_id", htlc.htlcId())
                        .put("in_msat", htlc.amountMsat())
                        .put("cltv_expiry", htlc.cltvExpiry());
                interceptor.blocksLeft(htlc).ifPresent(blocks -> item.put("blocks_left", blocks));
                item.put("release_at_blocks_left", interceptor.holdConfig().cltvMargin());
                htlc.requestedChannel().ifPresent(scid -> item.put("out_channel", scid.toString()));
                htlc.peerId().ifPresent(peer -> item.put("peer_id", peer.toString()));
                htlc.paymentHash().ifPresent(hash -> item.put("payment_hash", hash.toString()));
                item.put("held_since", Json.seconds(held.heldSince()));
                item.put("release_by", Json.seconds(held.timeoutAt()));
            }
            return result;
        }
    }

    public static final class FailInterceptedHtlc
            implements RpcMethod
    {
        public static final RpcMethod.Info INFO = new RpcMethod.Info("failinterceptedhtlc", List.of("id", "code", "onion_type", "onion_offset"),
                "Fail a held HTLC now with the chosen BOLT #4 code (default temporary_node_failure); recorded as failed by the operator.");

        private final Interceptor interceptor;

        @Inject
        public FailInterceptedHtlc(Interceptor interceptor)
        {
            this.interceptor = requireNonNull(interceptor, "interceptor is null");
        }

        @Override
        public JsonNode invoke(Params params)
                throws RpcException
        {
            String id = heldId(params);
            SelectableFailure failure;
            try {
                failure = SelectableFailure.parse(params.string("code").orElse("temporary_node_failure"));
            }
            catch (IllegalArgumentException e) {
                throw RpcException.invalidParam("code", params.raw("code"), "should be a code an operator may choose (" + SelectableFailure.allowedNames() + ")");
            }
            OptionalLong type = params.integer("onion_type", 0, Long.MAX_VALUE);
            OptionalLong offset = params.integer("onion_offset", 0, 0xFFFF);
            FailureChoice choice;
            try {
                OptionalInt offsetValue = offset.isPresent() ? OptionalInt.of((int) offset.getAsLong()) : OptionalInt.empty();
                choice = type.isPresent() || offset.isPresent() ? new FailureChoice(failure, type, offsetValue) : FailureChoice.of(failure);
            }
            catch (IllegalArgumentException e) {
                throw RpcException.invalidParam("onion_type", params.raw("onion_type"), e.getMessage());
            }
            if (!interceptor.failHeld(id, choice)) {
                throw notHeld(params);
            }
            return Json.object().put("id", id).put("result", "failed").put("code", failure.specName());
        }
    }

    public static final class ResumeInterceptedHtlc
            implements RpcMethod
    {
        public static final RpcMethod.Info INFO = new RpcMethod.Info("resumeinterceptedhtlc", List.of("id"), "Let a held HTLC go on, as if no rule had held it.");

        private final Interceptor interceptor;

        @Inject
        public ResumeInterceptedHtlc(Interceptor interceptor)
        {
            this.interceptor = requireNonNull(interceptor, "interceptor is null");
        }

        @Override
        public JsonNode invoke(Params params)
                throws RpcException
        {
            String id = heldId(params);
            if (!interceptor.resume(id)) {
                throw notHeld(params);
            }
            return Json.object().put("id", id).put("result", "resumed");
        }
    }

    private static String heldId(Params params)
            throws RpcException
    {
        return params.string("id").orElseThrow(() -> RpcException.invalidParam("id", null, "is required: the id listinterceptedhtlcs shows, such as 101x1x0/7"));
    }

    private static RpcException notHeld(Params params)
    {
        return RpcException.invalidParam("id", params.raw("id"), "no HTLC with that id is held (released already?)");
    }
}
