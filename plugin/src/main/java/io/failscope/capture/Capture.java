package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.node.ChannelContext;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureSource;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.store.FailureStore;
import io.failscope.store.StoreException;
import io.failscope.store.WriteOutcome;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * Turns failed HTLCs into records, whichever node reported them. The HTLCs a hook let go on are kept
 * to join with their failure (the forwarded amount and outgoing CLTV are only in the hook); a local
 * failure whose reason the node did not state is classified against the node's context at that moment,
 * with a fresh view of the channels it concerns. Replays after a restart carry the same identity and
 * add no record (the store is idempotent).
 */
public final class Capture
{
    private static final System.Logger LOG = System.getLogger(Capture.class.getName());

    /** The genesis block's day: no HTLC failed before it. */
    static final Instant EARLIEST = Instant.parse("2009-01-03T00:00:00Z");
    /** How far ahead of our clock a node's time may be before it counts as impossible. */
    static final Duration CLOCK_SLACK = Duration.ofDays(1);

    private final FailureStore store;
    private final NodeContextCache nodeContext;
    private final SeenHtlcs seen;
    private final Clock clock;

    @Inject
    public Capture(FailureStore store, NodeContextCache nodeContext, SeenHtlcs seen, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.seen = requireNonNull(seen, "seen is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * On the hook path, once the verdict lets the HTLC go on: remembers it, nothing more. An HTLC the
     * hook fails (a rule, the operator, a hold deadline) gets no forward_event, so it is never kept.
     */
    public void htlcGoesOn(HtlcSeen htlc)
    {
        seen.put(htlc);
    }

    /** A settled HTLC will not fail: what its hook said is no longer needed. */
    public void htlcSettled(ShortChannelId inChannel, long htlcId)
    {
        seen.remove(inChannel, htlcId);
    }

    /**
     * Records a failed HTLC; the future completes once the record is durable. May wait on the node's
     * RPC (never call it on the hook path).
     *
     * @throws IllegalArgumentException when a time of the failure is impossible (before 2009, or more
     *         than a day ahead of our clock), naming the field and the value
     */
    public CompletableFuture<WriteOutcome> failed(HtlcFailed failure)
    {
        checkTime("received_time", failure.receivedTime());
        failure.resolvedTime().ifPresent(time -> checkTime("resolved_time", time));
        Optional<HtlcSeen> htlc = joined(failure);
        NodeContext context = nodeContext.currentOrRefreshed();
        Optional<NodeId> node = failure.nodeId().or(context::nodeId);
        if (node.isEmpty()) {
            LOG.log(Level.WARNING, "a failed HTLC arrived but the node's RPC does not say who the node is; it is not recorded");
            return CompletableFuture.failedFuture(new StoreException("the node's id is not known yet (its getinfo has not answered)"));
        }
        Set<ShortChannelId> channels = channelsToLookAt(failure, htlc);
        if (!channels.isEmpty()) {
            context = nodeContext.withFreshChannels(context, channels);
        }
        CompletableFuture<WriteOutcome> written = store.submit(record(failure, htlc, context, node.get()));
        htlc.ifPresent(value -> written.thenRun(() -> seen.remove(value.inChannel(), value.htlcId())));
        return written;
    }

    private Optional<HtlcSeen> joined(HtlcFailed failure)
    {
        if (failure.inChannel().isEmpty() || failure.inHtlcId().isEmpty()) {
            return Optional.empty();
        }
        return seen.get(failure.inChannel().get(), failure.inHtlcId().getAsLong());
    }

    private void checkTime(String name, Instant time)
    {
        Instant latest = clock.instant().plus(CLOCK_SLACK);
        if (time.isBefore(EARLIEST) || time.isAfter(latest)) {
            throw new IllegalArgumentException(name + " must be between " + EARLIEST + " and " + latest + ", got " + time);
        }
    }

    /**
     * The channels whose state explains a local failure the node gave no reason for: the channel it
     * tried, and the one the onion named when that is another.
     */
    private static Set<ShortChannelId> channelsToLookAt(HtlcFailed failure, Optional<HtlcSeen> htlc)
    {
        Set<ShortChannelId> channels = new LinkedHashSet<>();
        if (failure.source() == FailureSource.LOCAL && failure.statedReason().isEmpty() && failure.failcode().isPresent()) {
            failure.outChannel().or(() -> htlc.flatMap(HtlcSeen::requestedChannel)).ifPresent(channels::add);
            Classifier.requestedChannel(failure, htlc).ifPresent(channels::add);
        }
        return channels;
    }

    /** The record of {@code failure}, joined with what its hook said and explained by the node's context. Pure. */
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
