package io.failscope.intercept;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;

import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/** What a policy rule can look at: the HTLC as the hook presents it. */
public record HookHtlc(
        ShortChannelId inChannel,
        long htlcId,
        long amountMsat,
        long cltvExpiry,
        long cltvExpiryRelative,
        Optional<ShortChannelId> outChannel,
        Optional<NodeId> peerId,
        Optional<PaymentHash> paymentHash,
        OptionalLong forwardMsat)
{
    public HookHtlc
    {
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(outChannel, "outChannel is null");
        requireNonNull(peerId, "peerId is null");
        requireNonNull(paymentHash, "paymentHash is null");
        requireNonNull(forwardMsat, "forwardMsat is null");
    }

    /** The block height the hook implies: the expiry minus the blocks left. */
    public long blockHeight()
    {
        return Math.max(0, cltvExpiry - cltvExpiryRelative);
    }
}
