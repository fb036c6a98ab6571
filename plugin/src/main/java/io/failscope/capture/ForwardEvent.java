package io.failscope.capture;

import io.failscope.node.NodeJson;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A Core Lightning {@code forward_event} that reports a failure: {@code local_failed} (we failed it)
 * or {@code failed} (a later hop did). Fields as {@code cln-plugin-protocol.md} §3.2 lists them.
 */
public record ForwardEvent(
        boolean local,
        ShortChannelId inChannel,
        long inHtlcId,
        OptionalLong inMsat,
        Optional<ShortChannelId> outChannel,
        OptionalLong outMsat,
        OptionalLong feeMsat,
        OptionalInt failcode,
        boolean styleKnown,
        Optional<PaymentHash> paymentHash,
        Instant receivedTime,
        Optional<Instant> resolvedTime)
{
    public ForwardEvent
    {
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(receivedTime, "receivedTime is null");
    }

    /** The failure the notification reports, or empty for other statuses and unreadable payloads. */
    public static Optional<ForwardEvent> fromNotification(JsonNode params)
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
        OptionalLong failcode = NodeJson.number(event.path("failcode"));
        return Optional.of(new ForwardEvent(
                status.equals("local_failed"),
                inChannel.get(),
                inHtlcId.getAsLong(),
                NodeJson.number(event.path("in_msat")),
                NodeJson.scid(event.path("out_channel")),
                NodeJson.number(event.path("out_msat")),
                NodeJson.number(event.path("fee_msat")),
                failcode.isPresent() && failcode.getAsLong() <= 0xFFFF && failcode.getAsLong() > 0 ? OptionalInt.of((int) failcode.getAsLong()) : OptionalInt.empty(),
                event.has("style"),
                NodeJson.paymentHash(event.path("payment_hash")),
                received.get(),
                NodeJson.time(event.path("resolved_time"))));
    }
}
