package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the node said about one channel in {@code listpeerchannels}: the facts the reason classifier
 * needs. Read leniently: nodes add fields every release and omit some depending on state.
 */
public record ChannelContext(
        Optional<ShortChannelId> shortChannelId,
        Optional<ShortChannelId> alias,
        Optional<NodeId> peerId,
        String state,
        boolean peerConnected,
        OptionalLong spendableMsat,
        OptionalLong minimumHtlcOutMsat,
        OptionalLong maximumHtlcOutMsat,
        OptionalLong feeBaseMsat,
        OptionalLong feeProportionalMillionths,
        OptionalLong cltvExpiryDelta,
        int htlcsOut,
        long htlcsOutMsat,
        OptionalLong maxAcceptedHtlcs,
        OptionalLong theirMaxHtlcValueInFlightMsat,
        OptionalLong dustLimitMsat)
{
    public static ChannelContext fromListPeerChannels(JsonNode channel)
    {
        int htlcsOut = 0;
        long htlcsOutMsat = 0;
        for (JsonNode htlc : channel.path("htlcs")) {
            if ("out".equals(htlc.path("direction").asText())) {
                htlcsOut++;
                htlcsOutMsat += htlc.path("amount_msat").asLong(0);
            }
        }
        JsonNode local = channel.path("updates").path("local");
        return new ChannelContext(
                NodeJson.scid(channel.path("short_channel_id")),
                NodeJson.scid(channel.path("alias").path("local")),
                NodeJson.nodeId(channel.path("peer_id")),
                channel.path("state").asText("UNKNOWN"),
                channel.path("peer_connected").asBoolean(false),
                NodeJson.number(channel.path("spendable_msat")),
                NodeJson.number(channel.path("minimum_htlc_out_msat")),
                NodeJson.number(channel.path("maximum_htlc_out_msat")),
                NodeJson.number(channel.has("fee_base_msat") ? channel.path("fee_base_msat") : local.path("fee_base_msat")),
                NodeJson.number(channel.has("fee_proportional_millionths") ? channel.path("fee_proportional_millionths") : local.path("fee_proportional_millionths")),
                NodeJson.number(local.path("cltv_expiry_delta")),
                htlcsOut,
                htlcsOutMsat,
                NodeJson.number(channel.path("max_accepted_htlcs")),
                NodeJson.number(channel.path("their_max_htlc_value_in_flight_msat")),
                NodeJson.number(channel.path("dust_limit_msat")));
    }

    /** Only CHANNELD_NORMAL and CHANNELD_AWAITING_SPLICE carry new HTLCs ({@code cln-plugin-protocol.md} §3.4). */
    public boolean canCarryHtlcs()
    {
        return state.equals("CHANNELD_NORMAL") || state.equals("CHANNELD_AWAITING_SPLICE");
    }

    /** Still being opened: nothing has locked in yet. */
    public boolean isOpening()
    {
        return state.startsWith("OPENINGD") || state.contains("AWAITING_LOCKIN") || state.startsWith("DUALOPEND_OPEN");
    }
}
