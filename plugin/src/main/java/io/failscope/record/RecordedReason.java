package io.failscope.record;

import io.failscope.reason.FailureReason;
import io.failscope.reason.ReasonSource;

import static java.util.Objects.requireNonNull;

/**
 * The local reason of a failure, where it came from, and the numbers it rests on. Evidence is only
 * carried by reasons the classifier inferred or the node reported.
 */
public record RecordedReason(FailureReason reason, ReasonSource source, Evidence evidence)
{
    public RecordedReason
    {
        requireNonNull(reason, "reason is null");
        requireNonNull(source, "source is null");
        requireNonNull(evidence, "evidence is null");
        if (source == ReasonSource.CODE && !evidence.isEmpty()) {
            throw new IllegalArgumentException("a reason taken from the wire code alone has no evidence: " + evidence);
        }
    }

    /** The canonical reason for a bare wire code, with provenance {@code code}. */
    public static RecordedReason fromCode(int wireCode)
    {
        return new RecordedReason(FailureReason.canonicalFor(wireCode), ReasonSource.CODE, Evidence.NONE);
    }

    public static RecordedReason inferred(FailureReason reason, Evidence evidence)
    {
        return new RecordedReason(reason, ReasonSource.INFERRED, evidence);
    }

    public static RecordedReason fromNode(FailureReason reason)
    {
        return new RecordedReason(reason, ReasonSource.NODE, Evidence.NONE);
    }

    public int wireCode()
    {
        return reason.wireCode();
    }
}
