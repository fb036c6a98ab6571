package io.failscope.record;

/**
 * The evidence names the classifier and the node dialects use. A name is a contract once a record
 * carries it: {@code reason_detail} sentences and operators' scripts read them.
 */
public final class EvidenceNames
{
    /** What the outgoing channel could spend when the HTLC arrived. */
    public static final String SPENDABLE_MSAT = "spendable_msat";
    /** The amount the HTLC asked to forward. */
    public static final String REQUESTED_MSAT = "requested_msat";
    public static final String HTLC_MINIMUM_MSAT = "htlc_minimum_msat";
    public static final String HTLC_MAXIMUM_MSAT = "htlc_maximum_msat";
    public static final String OFFERED_FEE_MSAT = "offered_fee_msat";
    public static final String REQUIRED_FEE_MSAT = "required_fee_msat";
    public static final String OFFERED_CLTV_DELTA = "offered_cltv_delta";
    public static final String REQUIRED_CLTV_DELTA = "required_cltv_delta";
    public static final String OUTGOING_CLTV_VALUE = "outgoing_cltv_value";
    public static final String BLOCK_HEIGHT = "block_height";
    public static final String MAX_CLTV_BLOCKS = "max_cltv_blocks";
    public static final String HTLCS_IN_FLIGHT = "htlcs_in_flight";
    public static final String MAX_HTLCS = "max_htlcs";
    public static final String IN_FLIGHT_MSAT = "in_flight_msat";
    public static final String MAX_IN_FLIGHT_MSAT = "max_in_flight_msat";
    public static final String DUST_EXPOSURE_MSAT = "dust_exposure_msat";
    public static final String MAX_DUST_EXPOSURE_MSAT = "max_dust_exposure_msat";
    /** 1 when the outgoing peer was connected, 0 when not. */
    public static final String PEER_CONNECTED = "peer_connected";
    /** 1 when the node knew the outgoing channel, 0 when it did not. */
    public static final String CHANNEL_KNOWN = "channel_known";
    public static final String DUST_LIMIT_MSAT = "dust_limit_msat";
    /**
     * When the node forwarded over another channel than the onion named: 1 when the onion's own channel
     * could have carried the HTLC (open, peer connected, amount within its limits and its spendable), 0 when not.
     */
    public static final String REQUESTED_CHANNEL_COULD_CARRY = "requested_channel_could_carry";

    private EvidenceNames() {}
}
