package io.failscope.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One channel of the simulated node, as {@code listpeerchannels} shows it: its peer, state, what it
 * can spend, our advertised HTLC range and fees, its HTLC slots and the peer's in-flight cap, and the
 * dust already exposed on it. Mutable only between epochs, under the node's lock.
 */
final class SimChannel
{
    final String scid;
    final String peerId;
    final String state;
    final long initialSpendableMsat;
    final long minimumHtlcMsat;
    final long maximumHtlcMsat;
    final long feeBaseMsat;
    final long feePpm;
    final int maxAcceptedHtlcs;
    final long theirMaxInFlightMsat;
    final long dustInFlightMsat;
    /** Outgoing HTLCs stuck in flight on the channel (amounts), changed between epochs. */
    final List<Long> stuckOut = new ArrayList<>();
    long spendableMsat;

    SimChannel(String scid, String peerId, String state, long spendableMsat, long minimumHtlcMsat, long maximumHtlcMsat,
            long feeBaseMsat, long feePpm, int maxAcceptedHtlcs, long theirMaxInFlightMsat, long dustInFlightMsat)
    {
        this.scid = scid;
        this.peerId = peerId;
        this.state = state;
        this.initialSpendableMsat = spendableMsat;
        this.spendableMsat = spendableMsat;
        this.minimumHtlcMsat = minimumHtlcMsat;
        this.maximumHtlcMsat = maximumHtlcMsat;
        this.feeBaseMsat = feeBaseMsat;
        this.feePpm = feePpm;
        this.maxAcceptedHtlcs = maxAcceptedHtlcs;
        this.theirMaxInFlightMsat = theirMaxInFlightMsat;
        this.dustInFlightMsat = dustInFlightMsat;
    }

    boolean canCarryHtlcs()
    {
        return state.equals("CHANNELD_NORMAL");
    }

    /** The fee this channel charges to forward {@code forwardMsat}, as lightningd computes it. */
    long requiredFeeMsat(long forwardMsat)
    {
        return feeBaseMsat + forwardMsat / 1_000_000 * feePpm + forwardMsat % 1_000_000 * feePpm / 1_000_000;
    }

    long stuckOutMsat()
    {
        return stuckOut.stream().mapToLong(Long::longValue).sum();
    }

    ObjectNode toJson(boolean peerConnected, long cltvDelta, long dustLimitMsat)
    {
        ObjectNode channel = PluginProcess.MAPPER.createObjectNode()
                .put("peer_id", peerId)
                .put("peer_connected", peerConnected)
                .put("state", state)
                .put("short_channel_id", scid)
                .put("spendable_msat", spendableMsat)
                .put("minimum_htlc_out_msat", minimumHtlcMsat)
                .put("maximum_htlc_out_msat", maximumHtlcMsat)
                .put("dust_limit_msat", dustLimitMsat)
                .put("fee_base_msat", feeBaseMsat)
                .put("fee_proportional_millionths", feePpm)
                .put("max_accepted_htlcs", maxAcceptedHtlcs)
                .put("their_max_htlc_value_in_flight_msat", theirMaxInFlightMsat);
        channel.putObject("updates").putObject("local")
                .put("htlc_minimum_msat", minimumHtlcMsat)
                .put("htlc_maximum_msat", maximumHtlcMsat)
                .put("cltv_expiry_delta", cltvDelta)
                .put("fee_base_msat", feeBaseMsat)
                .put("fee_proportional_millionths", feePpm);
        ArrayNode htlcs = channel.putArray("htlcs");
        for (int i = 0; i < stuckOut.size(); i++) {
            htlcs.addObject().put("direction", "out").put("id", i).put("amount_msat", stuckOut.get(i)).put("state", "SENT_ADD_ACK_REVOCATION");
        }
        return channel;
    }
}
