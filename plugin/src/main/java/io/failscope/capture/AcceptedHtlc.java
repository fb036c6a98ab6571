package io.failscope.capture;

import io.failscope.node.NodeJson;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;

import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * What an {@code htlc_accepted} hook told us about an HTLC, kept to join with the
 * {@code forward_event} that may report its failure later: the forwarded amount and outgoing CLTV
 * are only in the hook ({@code cln-plugin-protocol.md} §6.6).
 */
public record AcceptedHtlc(
        ShortChannelId inChannel,
        long htlcId,
        long amountMsat,
        long cltvExpiry,
        OptionalLong forwardMsat,
        OptionalLong outgoingCltvValue,
        Optional<ShortChannelId> requestedChannel,
        Optional<NodeId> peerId,
        Optional<PaymentHash> paymentHash)
{
    public AcceptedHtlc
    {
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(forwardMsat, "forwardMsat is null");
        requireNonNull(outgoingCltvValue, "outgoingCltvValue is null");
        requireNonNull(requestedChannel, "requestedChannel is null");
        requireNonNull(peerId, "peerId is null");
        requireNonNull(paymentHash, "paymentHash is null");
    }

    /** Reads the hook's payload leniently (unknown fields ignored); empty when the htlc fields are missing or malformed. */
    public static Optional<AcceptedHtlc> fromHook(JsonNode params)
    {
        if (params == null) {
            return Optional.empty();
        }
        JsonNode htlc = params.path("htlc");
        JsonNode onion = params.path("onion");
        Optional<ShortChannelId> inChannel = NodeJson.scid(htlc.path("short_channel_id"));
        if (inChannel.isEmpty() || !htlc.path("id").canConvertToLong() || !htlc.path("amount_msat").canConvertToLong() || !htlc.path("cltv_expiry").canConvertToLong()) {
            return Optional.empty();
        }
        return Optional.of(new AcceptedHtlc(
                inChannel.get(),
                htlc.path("id").longValue(),
                htlc.path("amount_msat").longValue(),
                htlc.path("cltv_expiry").longValue(),
                NodeJson.number(onion.path("forward_msat")),
                NodeJson.number(onion.path("outgoing_cltv_value")),
                NodeJson.scid(onion.path("short_channel_id")),
                NodeJson.nodeId(params.path("peer_id")),
                NodeJson.paymentHash(htlc.path("payment_hash"))));
    }
}
