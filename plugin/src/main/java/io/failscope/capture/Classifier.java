package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.ShortChannelId;
import io.failscope.node.ChannelContext;
import io.failscope.node.NodeContext;
import io.failscope.reason.FailureReason;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.RecordedReason;

import java.util.Optional;
import java.util.OptionalLong;

import static io.failscope.record.EvidenceNames.BLOCK_HEIGHT;
import static io.failscope.record.EvidenceNames.CHANNEL_KNOWN;
import static io.failscope.record.EvidenceNames.DUST_LIMIT_MSAT;
import static io.failscope.record.EvidenceNames.HTLCS_IN_FLIGHT;
import static io.failscope.record.EvidenceNames.HTLC_MAXIMUM_MSAT;
import static io.failscope.record.EvidenceNames.HTLC_MINIMUM_MSAT;
import static io.failscope.record.EvidenceNames.IN_FLIGHT_MSAT;
import static io.failscope.record.EvidenceNames.MAX_CLTV_BLOCKS;
import static io.failscope.record.EvidenceNames.MAX_DUST_EXPOSURE_MSAT;
import static io.failscope.record.EvidenceNames.MAX_HTLCS;
import static io.failscope.record.EvidenceNames.MAX_IN_FLIGHT_MSAT;
import static io.failscope.record.EvidenceNames.OFFERED_CLTV_DELTA;
import static io.failscope.record.EvidenceNames.OFFERED_FEE_MSAT;
import static io.failscope.record.EvidenceNames.OUTGOING_CLTV_VALUE;
import static io.failscope.record.EvidenceNames.PEER_CONNECTED;
import static io.failscope.record.EvidenceNames.REQUESTED_CHANNEL_COULD_CARRY;
import static io.failscope.record.EvidenceNames.REQUESTED_MSAT;
import static io.failscope.record.EvidenceNames.REQUIRED_CLTV_DELTA;
import static io.failscope.record.EvidenceNames.REQUIRED_FEE_MSAT;
import static io.failscope.record.EvidenceNames.SPENDABLE_MSAT;

/**
 * The precise local reason for a Core Lightning forwarding failure, from its failcode, the outgoing
 * channel's context, the node's settings and the amounts the hook saw, following the checks
 * lightningd and channeld run ({@code cln-plugin-protocol.md} §6.2–6.3). An inferred reason always
 * carries the numbers it rests on; without the context to decide, the reason is the canonical one for
 * the code, with provenance {@code code}. Pure: no I/O, the context is a snapshot.
 */
public final class Classifier
{
    /** BOLT #4's limit on how far in the future an outgoing CLTV may be. */
    static final long MAX_CLTV_BLOCKS_AHEAD = 2016;

    private Classifier() {}

    public static RecordedReason classify(int failcode, HtlcFailed failure, Optional<HtlcSeen> htlc, NodeContext context)
    {
        Optional<ShortChannelId> outChannel = failure.outChannel().or(() -> htlc.flatMap(HtlcSeen::requestedChannel));
        Optional<ChannelContext> channel = outChannel.flatMap(context::channel);
        OptionalLong forward = failure.outMsat().isPresent() ? failure.outMsat() : htlc.map(HtlcSeen::forwardMsat).orElse(OptionalLong.empty());
        OptionalLong incoming = failure.inMsat().isPresent() ? failure.inMsat() : htlc.map(value -> OptionalLong.of(value.amountMsat())).orElse(OptionalLong.empty());
        OptionalLong outgoingCltv = htlc.map(HtlcSeen::outgoingCltvValue).orElse(OptionalLong.empty());
        Optional<RecordedReason> inferred = switch (failcode) {
            case 0x1007 -> channel.flatMap(value -> temporaryChannelFailure(value, forward, context));
            case 0x400A -> outChannel.map(scid -> unknownNextPeer(channel));
            case 0x100C -> channel.flatMap(value -> feeInsufficient(value, forward, incoming));
            case 0x100D -> incorrectCltvExpiry(channel, htlc, outgoingCltv, context);
            case 0x100E -> expiryTooSoon(outgoingCltv, context);
            case 0x0015 -> expiryTooFar(outgoingCltv, context);
            case 0x6003 -> channel.flatMap(value -> peerMaxInFlight(value, forward));
            default -> Optional.empty();
        };
        return inferred.map(reason -> withRequestedChannel(reason, requestedChannel(failure, htlc).flatMap(context::channel), forward))
                .orElseGet(() -> RecordedReason.fromCode(failcode));
    }

    /** The channel the onion named, when the node tried another one ({@code cln-plugin-protocol.md} §7, non-strict forwarding). */
    static Optional<ShortChannelId> requestedChannel(HtlcFailed failure, Optional<HtlcSeen> htlc)
    {
        Optional<ShortChannelId> requested = htlc.flatMap(HtlcSeen::requestedChannel);
        return failure.outChannel().isPresent() && requested.isPresent() && !requested.equals(failure.outChannel()) ? requested : Optional.empty();
    }

    /**
     * Whether the onion's own channel could have carried the HTLC, next to the reason the tried channel
     * failed it: lightningd picks the channel with the most spendable and looks at nothing else.
     */
    private static RecordedReason withRequestedChannel(RecordedReason reason, Optional<ChannelContext> requested, OptionalLong forward)
    {
        if (requested.isEmpty() || forward.isEmpty()) {
            return reason;
        }
        ChannelContext channel = requested.get();
        long amount = forward.getAsLong();
        boolean couldCarry = channel.canCarryHtlcs() && channel.peerConnected()
                && (channel.minimumHtlcOutMsat().isEmpty() || amount >= channel.minimumHtlcOutMsat().getAsLong())
                && (channel.maximumHtlcOutMsat().isEmpty() || amount <= channel.maximumHtlcOutMsat().getAsLong())
                && channel.spendableMsat().isPresent() && amount <= channel.spendableMsat().getAsLong();
        Evidence.Builder evidence = Evidence.builder();
        reason.evidence().values().forEach(evidence::put);
        evidence.put(REQUESTED_CHANNEL_COULD_CARRY, couldCarry ? 1 : 0);
        return new RecordedReason(reason.reason(), reason.source(), evidence.build());
    }

    /**
     * §6.2 #3, #8 and §6.3, in lightningd's order: the HTLC range (checked in {@code forward_htlc}), then
     * an offline peer (found only when the HTLC is handed to channeld), then channeld's balance, slots
     * and dust — the first that explains it. An HTLC below the minimum fails on the range even when the
     * peer is offline too.
     */
    private static Optional<RecordedReason> temporaryChannelFailure(ChannelContext channel, OptionalLong forward, NodeContext context)
    {
        if (forward.isPresent()) {
            long amount = forward.getAsLong();
            if (channel.minimumHtlcOutMsat().isPresent() && amount < channel.minimumHtlcOutMsat().getAsLong()) {
                return inferred(LocalReason.HTLC_MINIMUM, Evidence.builder().put(REQUESTED_MSAT, amount).put(HTLC_MINIMUM_MSAT, channel.minimumHtlcOutMsat().getAsLong()));
            }
            if (channel.maximumHtlcOutMsat().isPresent() && amount > channel.maximumHtlcOutMsat().getAsLong()) {
                return inferred(LocalReason.HTLC_MAXIMUM, Evidence.builder().put(REQUESTED_MSAT, amount).put(HTLC_MAXIMUM_MSAT, channel.maximumHtlcOutMsat().getAsLong()));
            }
        }
        if (!channel.peerConnected()) {
            return inferred(LocalReason.PEER_OFFLINE, Evidence.builder().put(PEER_CONNECTED, 0));
        }
        if (forward.isEmpty()) {
            return Optional.empty();
        }
        long amount = forward.getAsLong();
        if (channel.spendableMsat().isPresent() && amount > channel.spendableMsat().getAsLong()) {
            return inferred(LocalReason.CHANNEL_BALANCE_OVERDRAWN, Evidence.builder().put(SPENDABLE_MSAT, channel.spendableMsat().getAsLong()).put(REQUESTED_MSAT, amount));
        }
        if (channel.maxAcceptedHtlcs().isPresent() && channel.htlcsOut() + 1 > channel.maxAcceptedHtlcs().getAsLong()) {
            return inferred(LocalReason.TOO_MANY_HTLCS, Evidence.builder().put(HTLCS_IN_FLIGHT, channel.htlcsOut()).put(MAX_HTLCS, channel.maxAcceptedHtlcs().getAsLong()));
        }
        String maxDust = context.settings().get("max-dust-htlc-exposure-msat");
        if (maxDust != null && maxDust.matches("\\d{1,18}") && channel.dustLimitMsat().isPresent() && amount < channel.dustLimitMsat().getAsLong()) {
            return inferred(LocalReason.DUST_EXPOSURE, Evidence.builder().put(REQUESTED_MSAT, amount)
                    .put(DUST_LIMIT_MSAT, channel.dustLimitMsat().getAsLong()).put(MAX_DUST_EXPOSURE_MSAT, Long.parseLong(maxDust)));
        }
        return Optional.empty();
    }

    /** §6.2 #1 and #7: no such channel, or one that is not open yet, or one that is closing. */
    private static RecordedReason unknownNextPeer(Optional<ChannelContext> channel)
    {
        if (channel.isEmpty()) {
            return RecordedReason.inferred(FailureReason.of(LocalReason.UNKNOWN_NEXT_PEER), Evidence.builder().put(CHANNEL_KNOWN, 0).build());
        }
        Evidence known = Evidence.builder().put(CHANNEL_KNOWN, 1).build();
        if (channel.get().isOpening()) {
            return RecordedReason.inferred(FailureReason.of(LocalReason.OUTGOING_CHANNEL_NOT_READY), known);
        }
        if (!channel.get().canCarryHtlcs()) {
            return RecordedReason.inferred(FailureReason.of(LocalReason.OUTGOING_CHANNEL_CLOSING), known);
        }
        // the channel looks usable now: its state changed since; say only what the code says
        return RecordedReason.fromCode(0x400A);
    }

    /** §6.2 #2: the fee the outgoing channel charges for the forwarded amount, against what the HTLC left. */
    private static Optional<RecordedReason> feeInsufficient(ChannelContext channel, OptionalLong forward, OptionalLong incoming)
    {
        if (forward.isEmpty() || incoming.isEmpty() || channel.feeBaseMsat().isEmpty() || channel.feeProportionalMillionths().isEmpty()) {
            return Optional.empty();
        }
        long required = channel.feeBaseMsat().getAsLong() + proportionalFee(forward.getAsLong(), channel.feeProportionalMillionths().getAsLong());
        long offered = incoming.getAsLong() - forward.getAsLong();
        return inferred(LocalReason.FEE_INSUFFICIENT, Evidence.builder().put(OFFERED_FEE_MSAT, offered).put(REQUIRED_FEE_MSAT, required));
    }

    /** §6.2 #4 and §6.3: the delta between the expiries against the node's cltv-delta, or an expiry that is not a height. */
    private static Optional<RecordedReason> incorrectCltvExpiry(Optional<ChannelContext> channel, Optional<HtlcSeen> htlc, OptionalLong outgoingCltv, NodeContext context)
    {
        if (outgoingCltv.isEmpty() || htlc.isEmpty()) {
            return Optional.empty();
        }
        if (outgoingCltv.getAsLong() >= HtlcSeen.CLTV_HEIGHT_LIMIT) {
            return inferred(LocalReason.OUTGOING_CLTV_INVALID, Evidence.builder().put(OUTGOING_CLTV_VALUE, outgoingCltv.getAsLong()));
        }
        OptionalLong required = channel.map(ChannelContext::cltvExpiryDelta).filter(OptionalLong::isPresent).orElseGet(() -> setting(context, "cltv-delta"));
        if (required.isEmpty()) {
            return Optional.empty();
        }
        return inferred(LocalReason.INCORRECT_CLTV_EXPIRY, Evidence.builder()
                .put(OFFERED_CLTV_DELTA, htlc.get().cltvExpiry() - outgoingCltv.getAsLong())
                .put(REQUIRED_CLTV_DELTA, required.getAsLong()));
    }

    /** §6.2 #5: the outgoing expiry is not above the block height. */
    private static Optional<RecordedReason> expiryTooSoon(OptionalLong outgoingCltv, NodeContext context)
    {
        if (outgoingCltv.isEmpty() || context.blockHeight().isEmpty()) {
            return Optional.empty();
        }
        return inferred(LocalReason.OUTGOING_CLTV_TOO_SOON, Evidence.builder()
                .put(OUTGOING_CLTV_VALUE, outgoingCltv.getAsLong()).put(BLOCK_HEIGHT, context.blockHeight().getAsLong()));
    }

    /** §6.2 #6: the outgoing expiry is more than 2016 blocks ahead. */
    private static Optional<RecordedReason> expiryTooFar(OptionalLong outgoingCltv, NodeContext context)
    {
        if (outgoingCltv.isEmpty() || context.blockHeight().isEmpty()) {
            return Optional.empty();
        }
        return inferred(LocalReason.CLTV_EXPIRY_TOO_FAR, Evidence.builder()
                .put(OUTGOING_CLTV_VALUE, outgoingCltv.getAsLong()).put(BLOCK_HEIGHT, context.blockHeight().getAsLong()).put(MAX_CLTV_BLOCKS, MAX_CLTV_BLOCKS_AHEAD));
    }

    /** §6.3: channeld's "maximum value exceeded" goes out as required_node_feature_missing. */
    private static Optional<RecordedReason> peerMaxInFlight(ChannelContext channel, OptionalLong forward)
    {
        if (forward.isEmpty() || channel.theirMaxHtlcValueInFlightMsat().isEmpty()
                || channel.htlcsOutMsat() + forward.getAsLong() <= channel.theirMaxHtlcValueInFlightMsat().getAsLong()) {
            return Optional.empty();
        }
        return inferred(LocalReason.PEER_MAX_IN_FLIGHT_EXCEEDED, Evidence.builder()
                .put(IN_FLIGHT_MSAT, channel.htlcsOutMsat()).put(REQUESTED_MSAT, forward.getAsLong())
                .put(MAX_IN_FLIGHT_MSAT, channel.theirMaxHtlcValueInFlightMsat().getAsLong()));
    }

    /** floor(amount × ppm / 1,000,000), as lightningd computes it, without overflowing on large amounts. */
    static long proportionalFee(long amountMsat, long ppm)
    {
        return amountMsat / 1_000_000 * ppm + amountMsat % 1_000_000 * ppm / 1_000_000;
    }

    private static OptionalLong setting(NodeContext context, String name)
    {
        String value = context.settings().get(name);
        return value != null && value.matches("\\d{1,18}") ? OptionalLong.of(Long.parseLong(value)) : OptionalLong.empty();
    }

    private static Optional<RecordedReason> inferred(LocalReason reason, Evidence.Builder evidence)
    {
        return Optional.of(RecordedReason.inferred(FailureReason.of(reason), evidence.build()));
    }
}
