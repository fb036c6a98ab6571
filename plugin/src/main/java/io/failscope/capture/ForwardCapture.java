package io.failscope.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.node.ChannelContext;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureFlag;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.store.FailureStore;
import io.failscope.store.WriteOutcome;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * Turns Core Lightning's forwarding failures into records: {@code htlc_accepted} payloads are kept
 * to join with, and each {@code forward_event} of status {@code local_failed} or {@code failed}
 * becomes a record, its reason classified against the node context at that moment. Replays after a
 * restart carry the same identity (incoming channel, HTLC id, type) and add no record.
 */
public final class ForwardCapture
{
    private static final System.Logger LOG = System.getLogger(ForwardCapture.class.getName());

    private final FailureStore store;
    private final NodeContextCache nodeContext;
    private final AcceptedHtlcs accepted;

    @Inject
    public ForwardCapture(FailureStore store, NodeContextCache nodeContext, AcceptedHtlcs accepted)
    {
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.accepted = requireNonNull(accepted, "accepted is null");
    }

    /** On the hook path: remembers the HTLC, nothing more. */
    public void htlcAccepted(JsonNode params)
    {
        AcceptedHtlc.fromHook(params).ifPresent(accepted::put);
    }

    /** A forward_event; empty when it reports no failure or cannot be read. */
    public Optional<CompletableFuture<WriteOutcome>> forwardEvent(JsonNode params)
    {
        Optional<ForwardEvent> event = ForwardEvent.fromNotification(params);
        if (event.isEmpty()) {
            return Optional.empty();
        }
        NodeContext context = nodeContext.current();
        if (context.nodeId().isEmpty()) {
            LOG.log(Level.WARNING, "a failed forward arrived before the node said who it is; it is not recorded");
            return Optional.empty();
        }
        HtlcFailureRecord record = record(event.get(), accepted.get(event.get().inChannel(), event.get().inHtlcId()), context);
        return Optional.of(store.submit(record));
    }

    static HtlcFailureRecord record(ForwardEvent event, Optional<AcceptedHtlc> htlc, NodeContext context)
    {
        HtlcFailureRecord.Builder record = HtlcFailureRecord.builder()
                .nodeId(context.nodeId().orElseThrow())
                .type(type(event))
                .source(event.local() ? FailureSource.LOCAL : FailureSource.DOWNSTREAM)
                .inChannel(event.inChannel())
                .inHtlcId(event.inHtlcId())
                .receivedTime(event.receivedTime());
        if (event.failcode().isPresent()) {
            int code = event.failcode().getAsInt();
            record.reason(event.local() ? Classifier.classify(code, event, htlc, context) : RecordedReason.fromCode(code));
        }
        else if (event.local()) {
            // local_failed always names a code; without one the canonical "temporary" code is the honest reading
            record.reason(RecordedReason.fromCode(FailureCode.TEMPORARY_CHANNEL_FAILURE.code()));
        }
        (event.inMsat().isPresent() ? event.inMsat() : htlc.map(value -> OptionalLong.of(value.amountMsat())).orElse(OptionalLong.empty()))
                .ifPresent(record::inMsat);
        htlc.ifPresent(value -> record.cltvExpiry(value.cltvExpiry()));
        htlc.flatMap(AcceptedHtlc::peerId).ifPresent(record::inPeer);
        event.outChannel().or(() -> htlc.flatMap(AcceptedHtlc::requestedChannel)).ifPresent(scid -> {
            record.outChannel(scid);
            context.channel(scid).flatMap(ChannelContext::peerId).ifPresent(record::outPeer);
        });
        OptionalLong out = event.outMsat().isPresent() ? event.outMsat() : htlc.map(AcceptedHtlc::forwardMsat).orElse(OptionalLong.empty());
        out.ifPresent(record::outMsat);
        if (event.feeMsat().isPresent()) {
            record.feeMsat(event.feeMsat().getAsLong());
        }
        event.paymentHash().or(() -> htlc.flatMap(AcceptedHtlc::paymentHash)).ifPresent(record::paymentHash);
        event.resolvedTime().ifPresent(record::resolvedTime);
        return record.build();
    }

    /**
     * From the event alone, so that a replay gets the same identity: an onion that could not be read
     * is {@code invalid_onion}, an outgoing channel that could not be used {@code invalid_forward}.
     */
    static FailureType type(ForwardEvent event)
    {
        if (event.local() && event.failcode().isPresent()) {
            int code = event.failcode().getAsInt();
            if (FailureFlag.of(code).contains(FailureFlag.BADONION) && !event.styleKnown()) {
                return FailureType.INVALID_ONION;
            }
            if (code == FailureCode.UNKNOWN_NEXT_PEER.code()) {
                return FailureType.INVALID_FORWARD;
            }
        }
        return FailureType.FORWARD;
    }
}
