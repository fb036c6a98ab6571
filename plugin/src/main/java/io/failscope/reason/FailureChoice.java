package io.failscope.reason;

import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A chosen failure: the code, plus for {@code invalid_onion_payload} the optional TLV type and byte
 * offset of the offending field (LDK's {@code InvalidOnionPayload(Option<(u64, u16)>)}).
 */
public record FailureChoice(SelectableFailure failure, OptionalLong payloadType, OptionalInt payloadOffset)
{
    public FailureChoice
    {
        requireNonNull(failure, "failure is null");
        requireNonNull(payloadType, "payloadType is null");
        requireNonNull(payloadOffset, "payloadOffset is null");
        if (payloadType.isPresent() != payloadOffset.isPresent()) {
            throw new IllegalArgumentException("invalid_onion_payload takes both type and offset, or neither");
        }
        if (payloadType.isPresent() && failure != SelectableFailure.INVALID_ONION_PAYLOAD) {
            throw new IllegalArgumentException("type and offset only go with invalid_onion_payload, not " + failure.specName());
        }
        if (payloadOffset.isPresent() && (payloadOffset.getAsInt() < 0 || payloadOffset.getAsInt() > 0xFFFF)) {
            throw new IllegalArgumentException("invalid_onion_payload offset out of u16 range: " + payloadOffset.getAsInt());
        }
    }

    public static FailureChoice of(SelectableFailure failure)
    {
        return new FailureChoice(failure, OptionalLong.empty(), OptionalInt.empty());
    }

    public static FailureChoice invalidOnionPayload(long type, int offset)
    {
        return new FailureChoice(SelectableFailure.INVALID_ONION_PAYLOAD, OptionalLong.of(type), OptionalInt.of(offset));
    }

    public FailureMessage message(HtlcFacts htlc)
    {
        if (payloadType.isEmpty()) {
            return failure.message(htlc);
        }
        return FailureMessage.builder(FailureCode.INVALID_ONION_PAYLOAD)
                .number("type", payloadType.getAsLong())
                .number("offset", payloadOffset.getAsInt())
                .build();
    }
}
