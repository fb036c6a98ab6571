package io.failscope.intercept;

import io.failscope.HtlcSeen;
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
 *
 * @param fail the chosen failure, present exactly when the action is {@link Action#FAIL}
 */
public record PolicyRule(String name, Match match, Action action, Optional<FailureChoice> fail, boolean dryRun)
{
    public enum Action
    {
        /** The HTLC goes on; later rules are not asked. */
        CONTINUE,
        /** Failed at once with the chosen code. */
        FAIL,
        /** Kept until the operator decides or its deadline comes. */
        HOLD,
    }

    public PolicyRule
    {
        requireNonNull(name, "name is null");
        requireNonNull(match, "match is null");
        requireNonNull(action, "action is null");
        requireNonNull(fail, "fail is null");
        if (fail.isPresent() != (action == Action.FAIL)) {
            throw new IllegalArgumentException("rule " + name + ": a failure goes with the fail action only");
        }
    }

    /**
     * Conditions; absent ones match everything. {@code maxPerMinute} matches when the incoming peer sent
     * more than that many HTLCs in the last minute; {@code maxHeld} when it already has that many held.
     */
    public record Match(
            Optional<ShortChannelId> inChannel,
            Optional<ShortChannelId> outChannel,
            Optional<NodeId> peerId,
            OptionalLong minMsat,
            OptionalLong maxMsat,
            OptionalLong minCltvRemaining,
            OptionalLong maxCltvRemaining,
            Optional<PaymentHash> paymentHash,
            OptionalInt maxPerMinute,
            OptionalInt maxHeld)
    {
        public static final Match ANY = new Match(Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty());

        /**
         * Every condition but the counts, which need the interceptor's state. A condition on the blocks
         * left does not match while they are not known.
         */
        boolean matchesHtlc(HtlcSeen htlc, OptionalLong blocksLeft)
        {
            return (inChannel.isEmpty() || inChannel.get().equals(htlc.inChannel()))
                    && (outChannel.isEmpty() || outChannel.equals(htlc.requestedChannel()))
                    && (peerId.isEmpty() || peerId.equals(htlc.peerId()))
                    && (minMsat.isEmpty() || htlc.amountMsat() >= minMsat.getAsLong())
                    && (maxMsat.isEmpty() || htlc.amountMsat() <= maxMsat.getAsLong())
                    && (minCltvRemaining.isEmpty() || (blocksLeft.isPresent() && blocksLeft.getAsLong() >= minCltvRemaining.getAsLong()))
                    && (maxCltvRemaining.isEmpty() || (blocksLeft.isPresent() && blocksLeft.getAsLong() <= maxCltvRemaining.getAsLong()))
                    && (paymentHash.isEmpty() || paymentHash.equals(htlc.paymentHash()));
        }
    }
}
