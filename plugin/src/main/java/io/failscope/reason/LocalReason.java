package io.failscope.reason;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Why our node failed an HTLC: one flat enum, finer than the wire code, mapping many-to-one onto it.
 *
 * <p>Indexes 1–45 and 255 are LDK's persisted {@code LocalHTLCFailureReason} indexes
 * ({@code local-failure-reasons.csv}, {@code ldk-failure-model.md} §1), kept so that a reason from an
 * LDK node means the same here; indexes 1–254 stay reserved for LDK's numbering. failscope's own
 * refinements start at 256 ({@code cln-plugin-protocol.md} §6 and interception). An index is never
 * reused or renumbered: it is stored in every record.
 *
 * <p>Canonical variants are the ones a bare wire code maps back to ({@link #canonicalFor(int)}).
 * A few variants carry the code chosen at the time instead of a fixed one ({@link #carriesOwnCode()}).
 */
public enum LocalReason
{
    TEMPORARY_NODE_FAILURE(1, FailureCode.TEMPORARY_NODE_FAILURE, true, "a temporary problem on our node; a retry may work"),
    PERMANENT_NODE_FAILURE(2, FailureCode.PERMANENT_NODE_FAILURE, true, "a lasting problem on our node; retrying will not help"),
    REQUIRED_NODE_FEATURE(3, FailureCode.REQUIRED_NODE_FEATURE_MISSING, true, "the HTLC lacks a feature our node requires"),
    INVALID_ONION_VERSION(4, FailureCode.INVALID_ONION_VERSION, true, "the onion's version byte was not one we know"),
    INVALID_ONION_HMAC(5, FailureCode.INVALID_ONION_HMAC, true, "the onion failed its HMAC check"),
    INVALID_ONION_KEY(6, FailureCode.INVALID_ONION_KEY, true, "the onion's ephemeral key is not a valid point"),
    TEMPORARY_CHANNEL_FAILURE(7, FailureCode.TEMPORARY_CHANNEL_FAILURE, true, "the outgoing channel could not take the HTLC right now (cause not known)"),
    PERMANENT_CHANNEL_FAILURE(8, FailureCode.PERMANENT_CHANNEL_FAILURE, true, "the channel can no longer carry HTLCs"),
    REQUIRED_CHANNEL_FEATURE(9, FailureCode.REQUIRED_CHANNEL_FEATURE_MISSING, true, "the HTLC lacks a feature the channel requires"),
    UNKNOWN_NEXT_PEER(10, FailureCode.UNKNOWN_NEXT_PEER, true, "the requested outgoing channel is not one we know"),
    AMOUNT_BELOW_MINIMUM(11, FailureCode.AMOUNT_BELOW_MINIMUM, true, "the amount is below the channel's advertised htlc_minimum_msat"),
    FEE_INSUFFICIENT(12, FailureCode.FEE_INSUFFICIENT, true, "the HTLC did not pay the fee the outgoing channel charges"),
    INCORRECT_CLTV_EXPIRY(13, FailureCode.INCORRECT_CLTV_EXPIRY, true, "the incoming and outgoing expiries are closer than our cltv delta"),
    CLTV_EXPIRY_TOO_SOON(14, FailureCode.EXPIRY_TOO_SOON, true, "the incoming expiry is too close to the chain tip to handle safely"),
    INCORRECT_PAYMENT_DETAILS(15, FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, true, "a payment to us with an unknown hash or wrong details"),
    FINAL_INCORRECT_CLTV_EXPIRY(16, FailureCode.FINAL_INCORRECT_CLTV_EXPIRY, true, "final hop: the HTLC expires earlier than the onion says"),
    FINAL_INCORRECT_HTLC_AMOUNT(17, FailureCode.FINAL_INCORRECT_HTLC_AMOUNT, true, "final hop: the HTLC carries less than the onion says"),
    CHANNEL_DISABLED(18, FailureCode.CHANNEL_DISABLED, true, "the outgoing channel is disabled (its peer has been offline for a while)"),
    CLTV_EXPIRY_TOO_FAR(19, FailureCode.EXPIRY_TOO_FAR, true, "the expiry is too far in the future; funds would be locked too long"),
    INVALID_ONION_PAYLOAD(20, FailureCode.INVALID_ONION_PAYLOAD, true, "the decrypted hop payload could not be understood"),
    MPP_TIMEOUT(21, FailureCode.MPP_TIMEOUT, true, "the other parts of a multi-part payment did not arrive in time"),
    INVALID_ONION_BLINDING(22, FailureCode.INVALID_ONION_BLINDING, true, "the blinded path data was invalid"),
    FORWARD_EXPIRY_BUFFER(23, FailureCode.TEMPORARY_NODE_FAILURE, false, "the forward was failed back because its expiry was too close to claim on-chain safely"),
    INVALID_TRAMPOLINE_FORWARD(24, FailureCode.UNKNOWN_NEXT_PEER, false, "the trampoline forwarding instructions were invalid"),
    PAYMENT_CLAIM_BUFFER(25, FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, false, "a payment to us was failed back, not claimed, because its expiry was too near"),
    DUST_LIMIT_HOLDER(26, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the HTLC would push dust exposure on our commitment past the limit"),
    DUST_LIMIT_COUNTERPARTY(27, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the HTLC would push dust exposure on the peer's commitment past the limit"),
    FEE_SPIKE_BUFFER(28, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the peer's balance could not cover commitment fees if feerates spiked"),
    PRIVATE_CHANNEL_FORWARD(29, FailureCode.UNKNOWN_NEXT_PEER, false, "we refused to forward over a private channel, to keep it private"),
    REAL_SCID_FORWARD(30, FailureCode.UNKNOWN_NEXT_PEER, false, "the forward named the real scid of a channel that only uses aliases"),
    CHANNEL_NOT_READY(31, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the outgoing channel is not yet deep enough to use"),
    INVALID_KEYSEND_PREIMAGE(32, FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, false, "the keysend preimage does not match the payment hash"),
    INVALID_TRAMPOLINE_PAYLOAD(33, FailureCode.INVALID_ONION_PAYLOAD, false, "the trampoline payload was invalid"),
    PAYMENT_SECRET_REQUIRED(34, FailureCode.REQUIRED_NODE_FEATURE_MISSING, false, "the payment did not carry the invoice's payment secret"),
    OUTGOING_CLTV_TOO_SOON(35, FailureCode.EXPIRY_TOO_SOON, false, "the outgoing expiry is so near the chain tip that the next hop would refuse it"),
    CHANNEL_CLOSED(36, FailureCode.PERMANENT_CHANNEL_FAILURE, false, "the HTLC was pending on a channel that is now closing"),
    ON_CHAIN_TIMEOUT(37, FailureCode.PERMANENT_CHANNEL_FAILURE, false, "the HTLC reached its expiry and timed out on-chain"),
    ZERO_AMOUNT(38, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "an HTLC of zero amount is not allowed"),
    HTLC_MINIMUM(39, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the amount is below the smallest HTLC the outgoing channel takes now"),
    HTLC_MAXIMUM(40, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the amount is above the largest HTLC the outgoing channel takes now"),
    PEER_OFFLINE(41, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the outgoing peer is offline (not yet long enough to disable the channel)"),
    CHANNEL_BALANCE_OVERDRAWN(42, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the outgoing channel does not have enough spendable balance"),
    TEMPORARY_TRAMPOLINE_FAILURE(43, FailureCode.TEMPORARY_TRAMPOLINE_FAILURE, true, "the next trampoline could not be reached now; a retry may work"),
    TRAMPOLINE_FEE_OR_EXPIRY_INSUFFICIENT(44, FailureCode.TRAMPOLINE_FEE_OR_EXPIRY_INSUFFICIENT, true, "the fee or expiry budget is not enough to reach the next trampoline"),
    UNKNOWN_NEXT_TRAMPOLINE(45, FailureCode.UNKNOWN_NEXT_TRAMPOLINE, true, "the next trampoline node cannot be reached from us"),
    /** Keeps whatever code it was given: a newer spec code, or a removed one read back. */
    UNKNOWN_FAILURE_CODE(255, null, false, "a wire code this version of failscope does not know"),

    // failscope's own refinements: what a Core Lightning node's context reveals, and interception.
    TOO_MANY_HTLCS(256, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the outgoing channel already has as many HTLCs in flight as allowed"),
    PEER_MAX_IN_FLIGHT_EXCEEDED(257, FailureCode.REQUIRED_NODE_FEATURE_MISSING, false, "the HTLC would exceed the peer's max_htlc_value_in_flight on the outgoing channel"),
    DUST_EXPOSURE(258, FailureCode.TEMPORARY_CHANNEL_FAILURE, false, "the HTLC would push dust exposure past max-dust-htlc-exposure-msat (side not known)"),
    INCOMING_DUST_EXPOSURE(259, FailureCode.TEMPORARY_NODE_FAILURE, false, "the incoming HTLC pushed our dust exposure past the limit and was failed at once"),
    INCOMING_CHANNEL_CLOSING(260, FailureCode.PERMANENT_CHANNEL_FAILURE, false, "the incoming channel is shutting down and takes no new HTLCs"),
    OUTGOING_CHANNEL_NOT_READY(261, FailureCode.UNKNOWN_NEXT_PEER, false, "the outgoing channel exists but is not open yet (awaiting lock-in)"),
    OUTGOING_CHANNEL_CLOSING(262, FailureCode.UNKNOWN_NEXT_PEER, false, "the outgoing channel exists but is closing or closed"),
    OUTGOING_CLTV_INVALID(263, FailureCode.INCORRECT_CLTV_EXPIRY, false, "the outgoing expiry is not a block height (500000000 or more)"),
    /** Carries the code the rule chose. */
    POLICY_FAILED(264, null, false, "a failscope interception rule failed the HTLC"),
    /** Carries the code the operator chose. */
    OPERATOR_FAILED(265, null, false, "the operator failed the held HTLC"),
    HOLD_DEADLINE(266, FailureCode.TEMPORARY_NODE_FAILURE, false, "a held HTLC reached its deadline and failscope failed it back");

    private static final Map<Integer, LocalReason> BY_INDEX = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(LocalReason::index, Function.identity()));

    private static final Map<String, LocalReason> BY_NAME = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(LocalReason::snakeName, Function.identity()));

    private static final Map<Integer, LocalReason> CANONICAL = Stream.of(values())
            .filter(LocalReason::isCanonical)
            .collect(Collectors.toUnmodifiableMap(reason -> reason.fixedCode.code(), Function.identity()));

    private final int index;
    private final FailureCode fixedCode;
    private final boolean canonical;
    private final String explanation;
    private final String snakeName;

    LocalReason(int index, FailureCode fixedCode, boolean canonical, String explanation)
    {
        this.index = index;
        this.fixedCode = fixedCode;
        this.canonical = canonical;
        this.explanation = explanation;
        this.snakeName = name().toLowerCase(Locale.ROOT);
    }

    /** The stable index stored in records; never reused. */
    public int index()
    {
        return index;
    }

    /** The snake_case name used in JSON, e.g. {@code htlc_maximum}. */
    public String snakeName()
    {
        return snakeName;
    }

    /** One line an operator understands. */
    public String explanation()
    {
        return explanation;
    }

    /** True when a bare wire code maps back to this variant. */
    public boolean isCanonical()
    {
        return canonical;
    }

    /** True for the variants whose wire code is chosen each time rather than fixed. */
    public boolean carriesOwnCode()
    {
        return fixedCode == null;
    }

    /** The wire code this variant always goes out as; empty for {@link #carriesOwnCode()} variants. */
    public Optional<FailureCode> fixedCode()
    {
        return Optional.ofNullable(fixedCode);
    }

    public static Optional<LocalReason> forIndex(int index)
    {
        return Optional.ofNullable(BY_INDEX.get(index));
    }

    public static Optional<LocalReason> forSnakeName(String name)
    {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The variant a bare wire code maps to: its canonical variant, or {@link #UNKNOWN_FAILURE_CODE}. */
    public static LocalReason canonicalFor(int code)
    {
        return CANONICAL.getOrDefault(code, UNKNOWN_FAILURE_CODE);
    }
}
