package io.failscope.capture;

import io.failscope.node.NodeJson;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.node.ChannelContext;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureFlag;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.store.FailureStore;
import io.failscope.store.WriteOutcome;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * Turns Core Lightning's failures into records. {@code htlc_accepted} payloads are kept to join with;
 * each {@code forward_event} of status {@code local_failed} or {@code failed} becomes a record, its
 * reason classified against the node context at that moment; each {@code sendpay_failure} becomes a
 * {@code send} record. Replays after a restart carry the same identity (incoming channel, HTLC id and
 * type; for sends, the sendpay id) and add no record.
 */
public final class ClnCapture
{
    private static final System.Logger LOG = System.getLogger(ClnCapture.class.getName());

    private final FailureStore store;
    private final NodeContextCache nodeContext;
    private final AcceptedHtlcs accepted;

    @Inject
    public ClnCapture(FailureStore store, NodeContextCache nodeContext, AcceptedHtlcs accepted)
    {
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.accepted = requireNonNull(accepted, "accepted is null");
    }

    /**
     * On the hook path, once the verdict lets the HTLC go on: remembers it, nothing more. An HTLC the
     * hook fails (a rule, the operator, a hold deadline) gets no forward_event, so it is never kept.
     */
    public void htlcGoesOn(AcceptedHtlc htlc)
    {
        accepted.put(htlc);
    }

    /** A forward_event; empty when it reports no failure or cannot be read. */
    public Optional<CompletableFuture<WriteOutcome>> forwardEvent(JsonNode params)
    {
        Optional<ForwardEvent> event = ForwardEvent.fromNotification(params);
        if (event.isEmpty()) {
            forgetSettled(params);
            return Optional.empty();
        }
        // the notification path may wait on the node (the hook path never does)
        NodeContext context = nodeContext.currentOrRefreshed();
        if (context.nodeId().isEmpty()) {
            LOG.log(Level.WARNING, "a failed forward arrived but the node's RPC does not say who the node is; it is not recorded");
            return Optional.empty();
        }
        Optional<AcceptedHtlc> htlc = accepted.get(event.get().inChannel(), event.get().inHtlcId());
        Optional<ShortChannelId> outChannel = event.get().outChannel().or(() -> htlc.flatMap(AcceptedHtlc::requestedChannel));
        if (event.get().local() && outChannel.isPresent()) {
            context = nodeContext.withFreshChannel(context, outChannel.get());
        }
        HtlcFailureRecord record = record(event.get(), htlc, context);
        CompletableFuture<WriteOutcome> written = store.submit(record);
        written.thenRun(() -> accepted.remove(event.get().inChannel(), event.get().inHtlcId()));
        return Optional.of(written);
    }

    /** A settled forward will not fail: its hook payload is no longer needed. */
    private void forgetSettled(JsonNode params)
    {
        JsonNode event = params == null ? null : params.path("forward_event");
        if (event != null && "settled".equals(event.path("status").asText())) {
            Optional<ShortChannelId> channel = NodeJson.scid(event.path("in_channel"));
            OptionalLong htlcId = NodeJson.number(event.path("in_htlc_id"));
            if (channel.isPresent() && htlcId.isPresent()) {
                accepted.remove(channel.get(), htlcId.getAsLong());
            }
        }
    }

    /** A sendpay_failure; empty when it cannot be read or the node's id is not known yet. */
    public Optional<CompletableFuture<WriteOutcome>> sendpayFailure(JsonNode params)
    {
        NodeContext context = nodeContext.currentOrRefreshed();
        if (context.nodeId().isEmpty()) {
            LOG.log(Level.WARNING, "a failed payment arrived but the node's RPC does not say who the node is; it is not recorded");
            return Optional.empty();
        }
        return sendRecord(params, context.nodeId().get()).map(store::submit);
    }

    /**
     * Our own payment part failed ({@code cln-plugin-protocol.md} §3.3). {@code erring_index} 0 means our
     * node failed it (source local), where channeld's own words in the message name the reason; a later
     * hop's code we decrypted as the sender. {@code out_channel} and {@code out_peer_id} are the erring
     * channel and node.
     */
    static Optional<HtlcFailureRecord> sendRecord(JsonNode params, NodeId node)
    {
        JsonNode failure = params == null ? null : params.path("sendpay_failure");
        JsonNode data = failure == null ? null : failure.path("data");
        if (data == null || !data.isObject()) {
            return Optional.empty();
        }
        OptionalLong sendId = NodeJson.number(data.path("id"));
        Optional<Instant> created = NodeJson.time(data.path("created_at"));
        if (sendId.isEmpty() || created.isEmpty()) {
            return Optional.empty();
        }
        boolean local = data.path("erring_index").canConvertToLong() && data.path("erring_index").longValue() == 0;
        HtlcFailureRecord.Builder record = HtlcFailureRecord.builder()
                .nodeId(node)
                .type(FailureType.SEND)
                .source(local ? FailureSource.LOCAL : FailureSource.DOWNSTREAM)
                .sendId(sendId.getAsLong())
                .receivedTime(created.get());
        OptionalLong failcode = NodeJson.number(data.path("failcode"));
        if (failcode.isPresent() && failcode.getAsLong() > 0 && failcode.getAsLong() <= 0xFFFF) {
            int code = (int) failcode.getAsLong();
            record.reason(local ? ownWords(code, failure.path("message").asText("")) : RecordedReason.fromCode(code));
        }
        else if (local) {
            return Optional.empty();
        }
        NodeJson.time(data.path("completed_at")).ifPresent(record::resolvedTime);
        NodeJson.paymentHash(data.path("payment_hash")).ifPresent(record::paymentHash);
        NodeJson.number(data.path("amount_sent_msat")).ifPresent(record::outMsat);
        NodeJson.scid(data.path("erring_channel")).ifPresent(record::outChannel);
        NodeJson.nodeId(data.path("erring_node")).ifPresent(record::outPeer);
        try {
            return Optional.of(record.build());
        }
        catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "a sendpay_failure could not be recorded: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** channeld's failure text, when it is one that names a reason and fits the code. */
    static RecordedReason ownWords(int code, String message)
    {
        String text = message.toLowerCase(java.util.Locale.ROOT);
        LocalReason named = null;
        if (text.contains("too many htlcs")) {
            named = LocalReason.TOO_MANY_HTLCS;
        }
        else if (text.contains("capacity exceeded")) {
            named = LocalReason.CHANNEL_BALANCE_OVERDRAWN;
        }
        else if (text.contains("too dusty")) {
            named = LocalReason.DUST_EXPOSURE;
        }
        else if (text.contains("maximum value exceeded")) {
            named = LocalReason.PEER_MAX_IN_FLIGHT_EXCEEDED;
        }
        if (named != null && named.fixedCode().orElseThrow().code() == code) {
            return RecordedReason.fromNode(FailureReason.of(named));
        }
        return RecordedReason.fromCode(code);
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
