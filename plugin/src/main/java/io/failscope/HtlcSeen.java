package io.failscope;

import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * An incoming HTLC as its node presented it when asking what to do with it (Core Lightning's
 * {@code htlc_accepted} hook, a JVM node's {@code htlc_intercepted}), whichever node sent it: what the
 * interception rules look at, and what a later failure of the HTLC is joined with (the forwarded
 * amount and the outgoing expiry are only known here, {@code cln-plugin-protocol.md} §6.6).
 *
 * @param forwardMsat the amount the onion asks us to forward
 * @param outgoingCltvValue the expiry the onion asks for on the outgoing HTLC
 * @param requestedChannel the outgoing channel the onion names; absent when the HTLC is for us
 * @param reportedBlocksLeft blocks until {@code cltvExpiry} as the node counted them when it asked
 */
public record HtlcSeen(
        ShortChannelId inChannel,
        long htlcId,
        long amountMsat,
        long cltvExpiry,
        OptionalLong forwardMsat,
        OptionalLong outgoingCltvValue,
        Optional<ShortChannelId> requestedChannel,
        Optional<NodeId> peerId,
        Optional<PaymentHash> paymentHash,
        OptionalLong reportedBlocksLeft)
{
    /** Bitcoin's whole supply in millisatoshi: no amount can be larger (BOLT #2 has no larger HTLC either). */
    public static final long MAX_MSAT = 2_100_000_000_000_000_000L;
    /** An expiry at or past this is a time, not a block height: nodes refuse it as a CLTV ({@code cln-plugin-protocol.md} §6.3). */
    public static final long CLTV_HEIGHT_LIMIT = 500_000_000L;

    public HtlcSeen
    {
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(forwardMsat, "forwardMsat is null");
        requireNonNull(outgoingCltvValue, "outgoingCltvValue is null");
        requireNonNull(requestedChannel, "requestedChannel is null");
        requireNonNull(peerId, "peerId is null");
        requireNonNull(paymentHash, "paymentHash is null");
        requireNonNull(reportedBlocksLeft, "reportedBlocksLeft is null");
        checkRange("htlc id", htlcId, 0, Long.MAX_VALUE);
        checkRange("amount_msat", amountMsat, 0, MAX_MSAT);
        checkRange("cltv_expiry", cltvExpiry, 0, CLTV_HEIGHT_LIMIT - 1);
        forwardMsat.ifPresent(value -> checkRange("forward_msat", value, 0, MAX_MSAT));
        outgoingCltvValue.ifPresent(value -> checkRange("outgoing_cltv_value", value, 0, 0xFFFF_FFFFL));
    }

    /** The id held HTLCs go by, as {@code listinterceptedhtlcs} shows it: {@code 101x1x0/7}. */
    public String id()
    {
        return inChannel + "/" + htlcId;
    }

    private static void checkRange(String name, long value, long min, long max)
    {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + value);
        }
    }
}
