package io.failscope.store;

import io.failscope.reason.ReasonSource;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.tlv.Bytes;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Folds a later event about an HTLC into what is stored. Every field the new event knows replaces the
 * stored one; a field it does not know keeps its stored value. A reason is replaced only by one at
 * least as well founded (node over inferred over code), so a replay with less context after a restart
 * never downgrades an inferred reason to a bare code.
 */
public final class RecordMerge
{
    private RecordMerge() {}

    public static HtlcFailureRecord merge(HtlcFailureRecord stored, HtlcFailureRecord incoming)
    {
        Optional<RecordedReason> reason = mergedReason(stored.reason(), incoming.reason());
        HtlcFailureRecord.Builder merged = stored.toBuilder()
                .source(incoming.source())
                .reason(reason)
                .failureData(failureData(reason, stored, incoming));
        incoming.inMsat().ifPresent(merged::inMsat);
        incoming.cltvExpiry().ifPresent(merged::cltvExpiry);
        incoming.outChannel().ifPresent(merged::outChannel);
        incoming.requestedOutChannel().ifPresent(merged::requestedOutChannel);
        incoming.inPeer().ifPresent(merged::inPeer);
        incoming.outPeer().ifPresent(merged::outPeer);
        incoming.outMsat().ifPresent(merged::outMsat);
        incoming.feeMsat().ifPresent(merged::feeMsat);
        incoming.paymentHash().ifPresent(merged::paymentHash);
        incoming.resolvedTime().ifPresent(merged::resolvedTime);
        incoming.rule().ifPresent(merged::rule);
        if (!incoming.unknownFields().isEmpty()) {
            merged.unknownFields(incoming.unknownFields());
        }
        stored.createdIndex().ifPresent(merged::createdIndex);
        return merged.build();
    }

    /** The data that went on the wire belongs with its code: keep the data of whichever event has the merged code. */
    private static Bytes failureData(Optional<RecordedReason> reason, HtlcFailureRecord stored, HtlcFailureRecord incoming)
    {
        if (reason.isEmpty()) {
            return Bytes.EMPTY;
        }
        OptionalInt code = OptionalInt.of(reason.get().wireCode());
        if (incoming.wireCode().equals(code) && !incoming.failureData().isEmpty()) {
            return incoming.failureData();
        }
        return stored.wireCode().equals(code) ? stored.failureData() : Bytes.EMPTY;
    }

    private static Optional<RecordedReason> mergedReason(Optional<RecordedReason> stored, Optional<RecordedReason> incoming)
    {
        if (incoming.isEmpty()) {
            return stored;
        }
        if (stored.isEmpty() || rank(incoming.get().source()) >= rank(stored.get().source())) {
            return incoming;
        }
        return stored;
    }

    private static int rank(ReasonSource source)
    {
        return switch (source) {
            case CODE -> 0;
            case INFERRED -> 1;
            case NODE -> 2;
        };
    }
}
