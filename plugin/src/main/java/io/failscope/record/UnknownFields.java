package io.failscope.record;

import io.failscope.tlv.TlvRecord;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Odd TLV records a reader did not understand, kept so that a read-modify-write (compaction,
 * migration, a richer update) writes them back byte for byte: the top-level ones, and those inside
 * the reason's own TLV tail.
 */
public record UnknownFields(List<TlvRecord> topLevel, List<TlvRecord> inReason)
{
    public static final UnknownFields NONE = new UnknownFields(List.of(), List.of());

    public UnknownFields
    {
        topLevel = List.copyOf(requireNonNull(topLevel, "topLevel is null"));
        inReason = List.copyOf(requireNonNull(inReason, "inReason is null"));
        check(topLevel, "record");
        check(inReason, "reason");
        for (TlvRecord record : topLevel) {
            if (RecordTypes.isKnown(record.type())) {
                throw new IllegalArgumentException("type " + record.typeName() + " is a known record field, not an unknown one");
            }
        }
    }

    public boolean isEmpty()
    {
        return topLevel.isEmpty() && inReason.isEmpty();
    }

    private static void check(List<TlvRecord> records, String where)
    {
        long previous = -1;
        boolean first = true;
        for (TlvRecord record : records) {
            if (!record.isOdd()) {
                throw new IllegalArgumentException("an unknown " + where + " field must have an odd type, got " + record.typeName());
            }
            if (!first && Long.compareUnsigned(record.type(), previous) <= 0) {
                throw new IllegalArgumentException("unknown " + where + " fields out of order: " + record.typeName() + " after " + Long.toUnsignedString(previous));
            }
            previous = record.type();
            first = false;
        }
    }
}
