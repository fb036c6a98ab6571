package io.failscope.store;

import io.failscope.reason.FailureType;
import io.failscope.record.HtlcFailureRecord;

import java.util.OptionalLong;

/** The amounts statistics add up and amount filters bound, the same in every backend. */
public final class FailureAmounts
{
    private FailureAmounts() {}

    /** The HTLC's amount: what reached us, or for our own payments what we sent. */
    public static OptionalLong amountMsat(HtlcFailureRecord record)
    {
        return record.inMsat().isPresent() ? record.inMsat() : record.outMsat();
    }

    /**
     * The fee a failed forward would have earned: its fee when known, or incoming minus outgoing
     * amount. Zero for payments to or from us, and when the amounts are not known.
     */
    public static long missedFeeMsat(HtlcFailureRecord record)
    {
        if (record.type() == FailureType.SEND || record.type() == FailureType.RECEIVE) {
            return 0;
        }
        if (record.feeMsat().isPresent()) {
            return record.feeMsat().getAsLong();
        }
        if (record.inMsat().isPresent() && record.outMsat().isPresent()) {
            return Math.max(0, record.inMsat().getAsLong() - record.outMsat().getAsLong());
        }
        return 0;
    }
}
