package io.failscope.reason;

/**
 * What a failure message may need to say about the HTLC being failed: its own amount and CLTV expiry,
 * and the block height now.
 */
public record HtlcFacts(long amountMsat, long cltvExpiry, long blockHeight)
{
    public HtlcFacts
    {
        if (amountMsat < 0) {
            throw new IllegalArgumentException("amount_msat must not be negative: " + amountMsat);
        }
        if (cltvExpiry < 0 || cltvExpiry > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("cltv_expiry out of u32 range: " + cltvExpiry);
        }
        if (blockHeight < 0 || blockHeight > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("block height out of u32 range: " + blockHeight);
        }
    }
}
