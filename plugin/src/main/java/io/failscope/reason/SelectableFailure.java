package io.failscope.reason;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The failure codes an operator or a policy rule may choose when failing an intercepted HTLC: LDK's
 * four {@code FailureCode}s ({@code ldk-failure-model.md} §3) and the forwarding failures a node itself
 * sends. Each builds the exact BOLT #4 message; UPDATE codes carry an empty channel_update, which
 * BOLT #4 allows since 2024 ({@code bolt-notes.md}).
 */
public enum SelectableFailure
{
    TEMPORARY_NODE_FAILURE(FailureCode.TEMPORARY_NODE_FAILURE),
    REQUIRED_NODE_FEATURE_MISSING(FailureCode.REQUIRED_NODE_FEATURE_MISSING),
    INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS(FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS),
    INVALID_ONION_PAYLOAD(FailureCode.INVALID_ONION_PAYLOAD),
    TEMPORARY_CHANNEL_FAILURE(FailureCode.TEMPORARY_CHANNEL_FAILURE),
    PERMANENT_CHANNEL_FAILURE(FailureCode.PERMANENT_CHANNEL_FAILURE),
    UNKNOWN_NEXT_PEER(FailureCode.UNKNOWN_NEXT_PEER),
    CHANNEL_DISABLED(FailureCode.CHANNEL_DISABLED),
    EXPIRY_TOO_SOON(FailureCode.EXPIRY_TOO_SOON),
    AMOUNT_BELOW_MINIMUM(FailureCode.AMOUNT_BELOW_MINIMUM),
    FEE_INSUFFICIENT(FailureCode.FEE_INSUFFICIENT),
    INCORRECT_CLTV_EXPIRY(FailureCode.INCORRECT_CLTV_EXPIRY);

    private final FailureCode failureCode;

    SelectableFailure(FailureCode failureCode)
    {
        this.failureCode = failureCode;
    }

    public FailureCode failureCode()
    {
        return failureCode;
    }

    public String specName()
    {
        return failureCode.specName();
    }

    public static Optional<SelectableFailure> forSpecName(String name)
    {
        return Stream.of(values()).filter(value -> value.specName().equals(name)).findFirst();
    }

    /**
     * Parses a code name as an operator writes it.
     *
     * @throws IllegalArgumentException that names the value and lists the codes allowed
     */
    public static SelectableFailure parse(String name)
    {
        return forSpecName(name.toLowerCase(Locale.ROOT)).orElseThrow(() -> new IllegalArgumentException(
                "'" + name + "' is not a failure code that can be chosen; choose one of " + allowedNames()));
    }

    public static String allowedNames()
    {
        return Stream.of(values()).map(SelectableFailure::specName).collect(Collectors.joining(", "));
    }

    /** The message for this code, taking the HTLC's amount, its expiry and the height where the layout needs them. */
    public FailureMessage message(HtlcFacts htlc)
    {
        FailureMessage.Builder builder = FailureMessage.builder(failureCode);
        switch (this) {
            case TEMPORARY_NODE_FAILURE, REQUIRED_NODE_FEATURE_MISSING, PERMANENT_CHANNEL_FAILURE, UNKNOWN_NEXT_PEER, INVALID_ONION_PAYLOAD -> {
                // no data (invalid_onion_payload's type and offset are set by FailureChoice)
            }
            case INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS -> builder.number("htlc_msat", htlc.amountMsat()).number("height", htlc.blockHeight());
            case TEMPORARY_CHANNEL_FAILURE, EXPIRY_TOO_SOON -> builder.noChannelUpdate();
            case CHANNEL_DISABLED -> builder.number("disabled_flags", 0).noChannelUpdate();
            case AMOUNT_BELOW_MINIMUM, FEE_INSUFFICIENT -> builder.number("htlc_msat", htlc.amountMsat()).noChannelUpdate();
            case INCORRECT_CLTV_EXPIRY -> builder.number("cltv_expiry", htlc.cltvExpiry()).noChannelUpdate();
        }
        return builder.build();
    }
}
