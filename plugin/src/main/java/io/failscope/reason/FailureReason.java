package io.failscope.reason;

import static java.util.Objects.requireNonNull;

/**
 * A local reason together with the wire code that went out for it. For most variants the code follows
 * from the variant; {@link LocalReason#carriesOwnCode()} variants keep the code they were given
 * (LDK's {@code UnknownFailureCode { code }}, and failscope's policy and operator failures).
 */
public record FailureReason(LocalReason reason, int wireCode)
{
    public FailureReason
    {
        requireNonNull(reason, "reason is null");
        if (wireCode < 0 || wireCode > 0xFFFF) {
            throw new IllegalArgumentException("wire code out of u16 range: " + wireCode);
        }
        reason.fixedCode().ifPresent(fixed -> {
            if (fixed.code() != wireCode) {
                throw new IllegalArgumentException("reason " + reason.snakeName() + " goes out as 0x" + FailureMessage.hex16(fixed.code()) + ", not 0x" + FailureMessage.hex16(wireCode));
            }
        });
    }

    /** A variant with a fixed wire code. */
    public static FailureReason of(LocalReason reason)
    {
        FailureCode code = reason.fixedCode().orElseThrow(() -> new IllegalArgumentException("reason " + reason.snakeName() + " needs its wire code: use of(reason, code)"));
        return new FailureReason(reason, code.code());
    }

    /** The canonical reason for a bare wire code ({@code local-failure-reasons.csv}, {@code canonical_for_code}). */
    public static FailureReason canonicalFor(int wireCode)
    {
        return new FailureReason(LocalReason.canonicalFor(wireCode), wireCode);
    }

    public int index()
    {
        return reason.index();
    }

    public String snakeName()
    {
        return reason.snakeName();
    }

    /** The name Core Lightning prints for the wire code, e.g. {@code WIRE_TEMPORARY_CHANNEL_FAILURE}. */
    public String wireName()
    {
        return FailureCode.wireName(wireCode);
    }
}
