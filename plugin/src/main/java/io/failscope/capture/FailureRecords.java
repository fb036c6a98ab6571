package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.node.ChannelContext;
import io.failscope.node.NodeContext;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureSource;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The record of a failed HTLC, joined with what its hook said and explained by the node's context:
 * pure, so that every dialect's failures become records the same way.
 */
public final class FailureRecords
{
    private FailureRecords() {}

    public static HtlcFailureRecord record(HtlcFailed failure, Optional<HtlcSeen> htlc, NodeContext context, NodeId node)
    {
        HtlcFailureRecord.Builder record = HtlcFailureRecord.builder()
                .nodeId(node)
                .type(failure.type())
                .source(failure.source())
                .receivedTime(failure.receivedTime());
        Optional<RecordedReason> reason = reason(failure, htlc, context);
        reason.ifPresent(record::reason);
        if (reason.isPresent() && !failure.failureData().isEmpty()) {
            record.failureData(failure.failureData());
        }
        failure.inChannel().ifPresent(record::inChannel);
        failure.inHtlcId().ifPresent(record::inHtlcId);
        failure.sendId().ifPresent(record::sendId);
        either(failure.inMsat(), htlc.map(value -> OptionalLong.of(value.amountMsat()))).ifPresent(record::inMsat);
        either(failure.cltvExpiry(), htlc.map(value -> OptionalLong.of(value.cltvExpiry()))).ifPresent(record::cltvExpiry);
        failure.inPeer().or(() -> htlc.flatMap(HtlcSeen::peerId)).ifPresent(record::inPeer);
        Optional<ShortChannelId> outChannel = failure.outChannel().or(() -> htlc.flatMap(HtlcSeen::requestedChannel));
        outChannel.ifPresent(record::outChannel);
        Classifier.requestedChannel(failure, htlc).ifPresent(record::requestedOutChannel);
        failure.outPeer().or(() -> outChannel.flatMap(context::channel).flatMap(ChannelContext::peerId)).ifPresent(record::outPeer);
        either(failure.outMsat(), htlc.map(HtlcSeen::forwardMsat)).ifPresent(record::outMsat);
        failure.feeMsat().ifPresent(record::feeMsat);
        failure.paymentHash().or(() -> htlc.flatMap(HtlcSeen::paymentHash)).ifPresent(record::paymentHash);
        failure.resolvedTime().ifPresent(record::resolvedTime);
        failure.rule().ifPresent(record::rule);
        return record.build();
    }

    /**
     * The reason as stated; or for a local failure, classified from its code; or the canonical one for a
     * downstream code. A local failure always names a code: without one, the canonical "temporary" code
     * is the honest reading.
     */
    private static Optional<RecordedReason> reason(HtlcFailed failure, Optional<HtlcSeen> htlc, NodeContext context)
    {
        if (failure.statedReason().isPresent()) {
            return failure.statedReason();
        }
        boolean local = failure.source() == FailureSource.LOCAL;
        if (failure.failcode().isPresent()) {
            int code = failure.failcode().getAsInt();
            return Optional.of(local ? Classifier.classify(code, failure, htlc, context) : RecordedReason.fromCode(code));
        }
        return local ? Optional.of(RecordedReason.fromCode(FailureCode.TEMPORARY_CHANNEL_FAILURE.code())) : Optional.empty();
    }

    private static OptionalLong either(OptionalLong first, Optional<OptionalLong> second)
    {
        return first.isPresent() ? first : second.orElse(OptionalLong.empty());
    }
}
