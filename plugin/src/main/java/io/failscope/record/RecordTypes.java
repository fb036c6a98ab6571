package io.failscope.record;

import java.util.Set;

/**
 * The TLV type numbers of an HTLC failure record. {@code docs/record-format.md} is the reference for
 * other implementations; a number here is never reused or given another meaning.
 */
final class RecordTypes
{
    // Format v1.
    /** u16 wire code. Legacy since v2: still written, derived from the reason. */
    static final long WIRE_CODE = 0;
    static final long FAILURE_TYPE = 2;
    static final long FAILURE_SOURCE = 4;
    static final long NODE_ID = 6;
    static final long RECEIVED_TIME = 8;
    static final long FAILURE_DATA = 9;
    static final long IN_CHANNEL = 11;
    static final long IN_HTLC_ID = 13;
    static final long IN_MSAT = 15;
    static final long CLTV_EXPIRY = 17;
    static final long OUT_CHANNEL = 19;
    static final long OUT_MSAT = 21;
    static final long FEE_MSAT = 23;
    static final long PAYMENT_HASH = 25;
    static final long RESOLVED_TIME = 27;
    static final long RULE = 29;
    static final long CREATED_INDEX = 31;
    // Format v2.
    /** u16 wire code, u16 reason index, BigSize length + TLV tail. */
    static final long REASON = 33;
    static final long REASON_SOURCE = 35;
    static final long EVIDENCE = 37;
    // 39 is skipped: the golden files use it as a field of a newer writer, which this version must skip.
    /** The peer that offered us the HTLC. */
    static final long IN_PEER = 41;
    /** The peer of the outgoing channel. */
    static final long OUT_PEER = 43;
    /** Our own payments: the node's id of the payment part (Core Lightning's sendpay id). */
    static final long SEND_ID = 45;
    /** The outgoing channel the onion named, when the node forwarded over another channel to the same peer. */
    static final long REQUESTED_OUT_CHANNEL = 47;

    private static final Set<Long> KNOWN = Set.of(
            WIRE_CODE, FAILURE_TYPE, FAILURE_SOURCE, NODE_ID, RECEIVED_TIME, FAILURE_DATA, IN_CHANNEL, IN_HTLC_ID,
            IN_MSAT, CLTV_EXPIRY, OUT_CHANNEL, OUT_MSAT, FEE_MSAT, PAYMENT_HASH, RESOLVED_TIME, RULE, CREATED_INDEX,
            REASON, REASON_SOURCE, EVIDENCE, IN_PEER, OUT_PEER, SEND_ID, REQUESTED_OUT_CHANNEL);

    private RecordTypes() {}

    static boolean isKnown(long type)
    {
        return KNOWN.contains(type);
    }
}
