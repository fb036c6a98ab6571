package io.failscope.intercept;

import io.failscope.reason.FailureMessage;
import io.failscope.reason.LocalReason;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * What failscope decided about an intercepted HTLC, whichever node asked. A node dialect turns it into
 * its own answer on the way out ({@code {"result":"continue"}} for Core Lightning, {@code {"verdict":
 * "forward"}} for a JVM node).
 */
public sealed interface Verdict
{
    Continue CONTINUE = new Continue(Optional.empty());

    /** The HTLC goes on; {@code rule} names the rule that said so, if one did. */
    record Continue(Optional<String> rule)
            implements Verdict
    {
        public Continue
        {
            requireNonNull(rule, "rule is null");
        }
    }

    /**
     * The HTLC fails with exactly this message. {@code reason} says who decided: a rule
     * ({@link LocalReason#POLICY_FAILED}), the operator ({@link LocalReason#OPERATOR_FAILED}) or a hold
     * deadline ({@link LocalReason#HOLD_DEADLINE}); {@code rule} is the rule's name (for the operator's
     * and the deadline's, the rule that held the HTLC).
     */
    record Fail(FailureMessage message, String rule, LocalReason reason)
            implements Verdict
    {
        public Fail
        {
            requireNonNull(message, "message is null");
            requireNonNull(rule, "rule is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /** A rule holds the HTLC: {@code release} completes with the final verdict, {@link Continue} or {@link Fail}. */
    record Hold(String rule, CompletableFuture<Verdict> release)
            implements Verdict
    {
        public Hold
        {
            requireNonNull(rule, "rule is null");
            requireNonNull(release, "release is null");
        }
    }
}
