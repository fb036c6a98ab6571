package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.HtlcSeen;
import io.failscope.ShortChannelId;
import io.failscope.capture.HtlcFailed;
import io.failscope.node.NodeJson;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureFlag;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.RecordedReason;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Core Lightning's payloads read into failscope's values, once each: the {@code htlc_accepted} hook
 * ({@code cln-plugin-protocol.md} §2.3), {@code forward_event} (§3.2), {@code sendpay_failure} (§3.3)
 * and {@code block_added}. Read leniently: a field lightningd leaves out or renames is simply absent,
 * and an event without the fields that identify it is no failure. A value no HTLC can have (an amount
 * above Bitcoin's supply, a code outside 16 bits, an expiry that is a time) is refused with an
 * {@link IllegalArgumentException} that names the field and the value.
 */
final class ClnPayloads
{
    /** An HTLC lightningd reports settled: its hook's facts are no longer needed. */
    record Settled(ShortChannelId inChannel, long htlcId) {}

    private ClnPayloads() {}

    /** The HTLC an {@code htlc_accepted} hook asks about; empty when its identifying fields are missing or malformed. */
    static Optional<HtlcSeen> htlcSeen(JsonNode params)
    {
        if (params == null) {
            return Optional.empty();
        }
        JsonNode htlc = params.path("htlc");
        JsonNode onion = params.path("onion");
        Optional<ShortChannelId> inChannel = NodeJson.scid(htlc.path("short_channel_id"));
        OptionalLong id = NodeJson.number(htlc.path("id"));
        OptionalLong amount = NodeJson.number(htlc.path("amount_msat"));
        OptionalLong cltvExpiry = NodeJson.number(htlc.path("cltv_expiry"));
        if (inChannel.isEmpty() || id.isEmpty() || amount.isEmpty() || cltvExpiry.isEmpty()) {
            return Optional.empty();
        }
        JsonNode relative = htlc.path("cltv_expiry_relative");
        return Optional.of(new HtlcSeen(
                inChannel.get(),
                id.getAsLong(),
                amount.getAsLong(),
                cltvExpiry.getAsLong(),
                NodeJson.number(onion.path("forward_msat")),
                NodeJson.number(onion.path("outgoing_cltv_value")),
                NodeJson.scid(onion.path("short_channel_id")),
                NodeJson.nodeId(params.path("peer_id")),
                NodeJson.paymentHash(htlc.path("payment_hash")),
                relative.isIntegralNumber() && relative.canConvertToLong() ? OptionalLong.of(relative.longValue()) : OptionalLong.empty()));
    }

    /**
     * The failure a {@code forward_event} of status {@code local_failed} (we failed it) or {@code failed}
     * (a later hop did) reports; empty for other statuses and for events without their identity.
     */
    static Optional<HtlcFailed> forwardFailure(JsonNode params)
    {
        JsonNode event = params == null ? null : params.path("forward_event");
        if (event == null || !event.isObject()) {
            return Optional.empty();
        }
        String status = event.path("status").asText();
        if (!status.equals("local_failed") && !status.equals("failed")) {
            return Optional.empty();
        }
        Optional<ShortChannelId> inChannel = NodeJson.scid(event.path("in_channel"));
        OptionalLong inHtlcId = NodeJson.number(event.path("in_htlc_id"));
        Optional<Instant> received = NodeJson.time(event.path("received_time"));
        if (inChannel.isEmpty() || inHtlcId.isEmpty() || received.isEmpty()) {
            return Optional.empty();
        }
        boolean local = status.equals("local_failed");
        OptionalInt failcode = failcode(event.path("failcode"));
        return Optional.of(HtlcFailed.builder(type(local, failcode, event.has("style")), local ? FailureSource.LOCAL : FailureSource.DOWNSTREAM, received.get())
                .inChannel(inChannel)
                .inHtlcId(inHtlcId)
                .inMsat(NodeJson.number(event.path("in_msat")))
                .outChannel(NodeJson.scid(event.path("out_channel")))
                .outMsat(NodeJson.number(event.path("out_msat")))
                .feeMsat(NodeJson.number(event.path("fee_msat")))
                .failcode(failcode)
                .paymentHash(NodeJson.paymentHash(event.path("payment_hash")))
                .resolvedTime(NodeJson.time(event.path("resolved_time")))
                .build());
    }

    /** The HTLC a {@code forward_event} of status {@code settled} reports. */
    static Optional<Settled> settled(JsonNode params)
    {
        JsonNode event = params == null ? null : params.path("forward_event");
        if (event == null || !"settled".equals(event.path("status").asText())) {
            return Optional.empty();
        }
        Optional<ShortChannelId> channel = NodeJson.scid(event.path("in_channel"));
        OptionalLong htlcId = NodeJson.number(event.path("in_htlc_id"));
        return channel.isPresent() && htlcId.isPresent() ? Optional.of(new Settled(channel.get(), htlcId.getAsLong())) : Optional.empty();
    }

    /**
     * From the event alone, so that a replay gets the same identity: an onion that could not be read
     * is {@code invalid_onion}, an outgoing channel that could not be used {@code invalid_forward}.
     */
    static FailureType type(boolean local, OptionalInt failcode, boolean styleKnown)
    {
        if (local && failcode.isPresent()) {
            int code = failcode.getAsInt();
            if (FailureFlag.of(code).contains(FailureFlag.BADONION) && !styleKnown) {
                return FailureType.INVALID_ONION;
            }
            if (code == FailureCode.UNKNOWN_NEXT_PEER.code()) {
                return FailureType.INVALID_FORWARD;
            }
        }
        return FailureType.FORWARD;
    }

    /**
     * Our own payment part failed ({@code cln-plugin-protocol.md} §3.3). {@code erring_index} 0 means our
     * node failed it (source local), where channeld's own words in the message name the reason; a later
     * hop's code we decrypted as the sender. {@code out_channel} and {@code out_peer_id} are the erring
     * channel and node. Empty when it cannot be identified, or is local without a code.
     */
    static Optional<HtlcFailed> sendpayFailure(JsonNode params)
    {
        JsonNode failure = params == null ? null : params.path("sendpay_failure");
        JsonNode data = failure == null ? null : failure.path("data");
        if (data == null || !data.isObject()) {
            return Optional.empty();
        }
        OptionalLong sendId = NodeJson.number(data.path("id"));
        Optional<Instant> created = NodeJson.time(data.path("created_at"));
        if (sendId.isEmpty() || created.isEmpty()) {
            return Optional.empty();
        }
        boolean local = data.path("erring_index").canConvertToLong() && data.path("erring_index").longValue() == 0;
        OptionalInt failcode = failcode(data.path("failcode"));
        if (local && failcode.isEmpty()) {
            return Optional.empty();
        }
        Optional<RecordedReason> stated = local ? Optional.of(ownWords(failcode.getAsInt(), failure.path("message").asText(""))) : Optional.empty();
        return Optional.of(HtlcFailed.builder(FailureType.SEND, local ? FailureSource.LOCAL : FailureSource.DOWNSTREAM, created.get())
                .sendId(sendId)
                .failcode(failcode)
                .statedReason(stated)
                .resolvedTime(NodeJson.time(data.path("completed_at")))
                .paymentHash(NodeJson.paymentHash(data.path("payment_hash")))
                .outMsat(NodeJson.number(data.path("amount_sent_msat")))
                .outChannel(NodeJson.scid(data.path("erring_channel")))
                .outPeer(NodeJson.nodeId(data.path("erring_node")))
                .build());
    }

    /** channeld's failure text, when it is one that names a reason and fits the code. */
    static RecordedReason ownWords(int code, String message)
    {
        String text = message.toLowerCase(Locale.ROOT);
        LocalReason named = null;
        if (text.contains("too many htlcs")) {
            named = LocalReason.TOO_MANY_HTLCS;
        }
        else if (text.contains("capacity exceeded")) {
            named = LocalReason.CHANNEL_BALANCE_OVERDRAWN;
        }
        else if (text.contains("too dusty")) {
            named = LocalReason.DUST_EXPOSURE;
        }
        else if (text.contains("maximum value exceeded")) {
            named = LocalReason.PEER_MAX_IN_FLIGHT_EXCEEDED;
        }
        if (named != null && named.fixedCode().orElseThrow().code() == code) {
            return RecordedReason.fromNode(FailureReason.of(named));
        }
        return RecordedReason.fromCode(code);
    }

    /** The height a {@code block_added} notification reports. */
    static OptionalLong blockHeight(JsonNode params)
    {
        return params == null ? OptionalLong.empty() : NodeJson.number(params.path("block_added").path("height"));
    }

    /** A wire code: absent when not given (or 0, which is no code); one past 16 bits is refused. */
    private static OptionalInt failcode(JsonNode value)
    {
        OptionalLong code = NodeJson.number(value);
        if (code.isEmpty() || code.getAsLong() == 0) {
            return OptionalInt.empty();
        }
        if (code.getAsLong() > 0xFFFF) {
            throw new IllegalArgumentException("failcode must be between 1 and 65535, got " + code.getAsLong());
        }
        return OptionalInt.of((int) code.getAsLong());
    }
}
