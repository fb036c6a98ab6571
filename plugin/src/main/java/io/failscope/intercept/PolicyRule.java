package io.failscope.intercept;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureChoice;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * One rule of the policy file: what it matches (every given condition must hold) and what it does.
 * A rule with {@code dryRun} only counts and logs what it would have done.
 */
public record PolicyRule(String name, Match match, Optional<FailureChoice> fail, boolean dryRun)
{
    public PolicyRule
    {
        requireNonNull(name, "name is null");
        requireNonNull(match, "match is null");
        requireNonNull(fail, "fail is null");
    }

    /** An absent fail means the action is {@code continue}: the HTLC goes on, later rules are not asked. */
    public boolean fails()
    {
        return fail.isPresent();
    }

    /** Conditions; absent ones match everything. Rates count the incoming peer's HTLCs over the last minute. */
    public record Match(
            Optional<ShortChannelId> inChannel,
            Optional<ShortChannelId> outChannel,
            Optional<NodeId> peerId,
            OptionalLong minMsat,
            OptionalLong maxMsat,
            OptionalLong minCltvRemaining,
            OptionalLong maxCltvRemaining,
            Optional<PaymentHash> paymentHash,
            OptionalInt maxPerMinute)
    {
        public static final Match ANY = new Match(Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), OptionalInt.empty());

        /** Every condition but the rate, which needs the counters. */
        boolean matchesHtlc(HookHtlc htlc)
        {
            return (inChannel.isEmpty() || inChannel.get().equals(htlc.inChannel()))
                    && (outChannel.isEmpty() || outChannel.equals(htlc.outChannel()))
                    && (peerId.isEmpty() || peerId.equals(htlc.peerId()))
                    && (minMsat.isEmpty() || htlc.amountMsat() >= minMsat.getAsLong())
                    && (maxMsat.isEmpty() || htlc.amountMsat() <= maxMsat.getAsLong())
                    && (minCltvRemaining.isEmpty() || htlc.cltvExpiryRelative() >= minCltvRemaining.getAsLong())
                    && (maxCltvRemaining.isEmpty() || htlc.cltvExpiryRelative() <= maxCltvRemaining.getAsLong())
                    && (paymentHash.isEmpty() || paymentHash.equals(htlc.paymentHash()));
        }
    }
}
