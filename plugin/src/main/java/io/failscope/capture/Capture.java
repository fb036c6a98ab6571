package io.failscope.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.HtlcSeen;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.Throttled;
import io.failscope.json.Json;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureSource;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.status.StatusSection;
import io.failscope.store.FailureStore;
import io.failscope.store.StoreException;
import io.failscope.store.WriteOutcome;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Turns failed HTLCs into records, whichever node reported them. A reported failure waits in a bounded
 * queue (the node never waits for it), and a worker joins it with what its hook said, takes the node's
 * context with a fresh view of the channels it concerns, classifies a local reason the node did not
 * state, and hands the record to the store. When the queue is full a failure is dropped and counted,
 * never silently. A failure that comes before the node has said who it is waits until it has, and is
 * then recorded with the reason its code gives: its context was not known when it failed.
 */
public final class Capture
        implements StatusSection, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Capture.class.getName());

    /** Failures that may wait to be recorded: enough for minutes of a probing storm, a few tens of MB at most. */
    public static final int DEFAULT_CAPACITY = 50_000;

    /** The genesis block's day: no HTLC failed before it. */
    static final Instant EARLIEST = Instant.parse("2009-01-03T00:00:00Z");
    /** How far ahead of our clock a node's time may be before it counts as impossible. */
    static final Duration CLOCK_SLACK = Duration.ofDays(1);

    /** Most failures taken from the queue at once: they share the node's context and its look-ups. */
    static final int BATCH = 256;
    /**
     * A failure whose reason depends on the channel's fees, CLTV delta, limits or state (which change
     * only when the operator or a channel event changes them) may be judged on a view this old; one
     * that depends on the channel's balance or HTLCs in flight needs a view taken after it arrived.
     */
    static final Duration SETTINGS_VIEW_MAX_AGE = Duration.ofSeconds(5);

    private record Waiting(HtlcFailed failure, Instant arrived, CompletableFuture<WriteOutcome> written) {}

    private final FailureStore store;
    private final NodeContextCache nodeContext;
    private final SeenHtlcs seen;
    private final Clock clock;
    private final int capacity;
    private final BlockingQueue<Waiting> queue;
    private final Deque<Waiting> awaitingNodeId = new ArrayDeque<>();
    private final Thread worker;
    private final Set<RecordListener> listeners;
    private final Throttled throttled;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong droppedStoreFailed = new AtomicLong();
    private final StoreException queueFull;
    private volatile boolean closed;

    /** {@code capacity}: failures that may wait to be recorded before new ones are dropped. */
    public Capture(FailureStore store, NodeContextCache nodeContext, SeenHtlcs seen, Clock clock, int capacity)
    {
        this(store, nodeContext, seen, clock, capacity, Set.of());
    }

    /** {@code listeners} hear each record once it is durably written for the first time. */
    public Capture(FailureStore store, NodeContextCache nodeContext, SeenHtlcs seen, Clock clock, int capacity, Set<RecordListener> listeners)
    {
        this.listeners = Set.copyOf(requireNonNull(listeners, "listeners is null"));
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.seen = requireNonNull(seen, "seen is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.queueFull = new StoreException("dropped: " + capacity + " failed HTLCs are waiting to be recorded");
        this.throttled = new Throttled(LOG, Duration.ofMinutes(1), clock);
        this.worker = new Thread(this::work, "failscope-capture");
        this.worker.setDaemon(true);
        this.worker.start();
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
     * Queues a failed HTLC to be recorded; never waits. The future completes once the record is durable,
     * or fails when the failure was dropped (the queue full, the store unable to write).
     *
     * @throws IllegalArgumentException when a time of the failure is impossible (before 2009, or more
     *         than a day ahead of our clock), naming the field and the value
     */
    public CompletableFuture<WriteOutcome> failed(HtlcFailed failure)
    {
        checkTime("received_time", failure.receivedTime());
        failure.resolvedTime().ifPresent(time -> checkTime("resolved_time", time));
        received.incrementAndGet();
        CompletableFuture<WriteOutcome> written = new CompletableFuture<>();
        if (closed || !queue.offer(new Waiting(failure, clock.instant(), written))) {
            droppedQueueFull.incrementAndGet();
            throttled.log(Level.WARNING, "queue full", () -> "a failed HTLC was dropped: " + capacity + " are waiting to be recorded (failscope-status counts them)");
            // one exception for every drop: under overload, a stack trace each would cost more than the drop saves
            written.completeExceptionally(queueFull);
        }
        return written;
    }

    private void work()
    {
        List<Waiting> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Waiting first = queue.poll(1, TimeUnit.SECONDS);
                retryAwaitingNodeId();
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    record(batch);
                }
            }
            catch (InterruptedException e) {
                return;
            }
            catch (RuntimeException | Error e) {
                // the worker keeps going whatever one batch did
                LOG.log(Level.ERROR, "recording failed HTLCs failed", e);
            }
            finally {
                batch.clear();
            }
        }
    }

    /** A batch of failures, judged against one context with one look-up per channel they concern. */
    private void record(List<Waiting> batch)
    {
        NodeContext context = nodeContext.currentOrRefreshed();
        List<Optional<HtlcSeen>> joined = new ArrayList<>(batch.size());
        Map<ShortChannelId, Instant> views = new HashMap<>();
        for (Waiting waiting : batch) {
            Optional<HtlcSeen> htlc = joined(waiting.failure());
            joined.add(htlc);
            viewsNeeded(waiting, htlc).forEach((scid, since) -> views.merge(scid, since, (a, b) -> a.isAfter(b) ? a : b));
        }
        if (!views.isEmpty()) {
            context = nodeContext.withChannelsViewedSince(context, views);
        }
        for (int i = 0; i < batch.size(); i++) {
            record(batch.get(i), joined.get(i), context, false);
        }
    }

    private void record(Waiting waiting, Optional<HtlcSeen> htlc, NodeContext context, boolean contextMissed)
    {
        HtlcFailed failure = waiting.failure();
        Optional<NodeId> node = failure.nodeId().or(context::nodeId);
        if (node.isEmpty()) {
            synchronized (awaitingNodeId) {
                if (awaitingNodeId.size() < capacity) {
                    awaitingNodeId.add(waiting);
                    return;
                }
            }
            droppedQueueFull.incrementAndGet();
            waiting.written().completeExceptionally(new StoreException("dropped: the node's id is still not known"));
            return;
        }
        NodeContext judged = context;
        if (contextMissed) {
            // what the node's channels were like when it failed is not known: the reason is the code's
            judged = new NodeContext(context.nodeId(), context.blockHeight(), Map.of(), Map.of(), context.refreshedAt());
        }
        HtlcFailureRecord record = FailureRecords.record(failure, htlc, judged, node.get());
        long submitted = System.nanoTime();
        store.submit(record).whenComplete((outcome, problem) -> {
            if (problem == null) {
                recorded.incrementAndGet();
                written(Duration.ofNanos(System.nanoTime() - submitted));
                if (outcome.kind() == WriteOutcome.Kind.INSERTED) {
                    published(record.toBuilder().createdIndex(outcome.createdIndex()).build());
                }
                htlc.ifPresent(value -> seen.remove(value.inChannel(), value.htlcId()));
                waiting.written().complete(outcome);
            }
            else {
                droppedStoreFailed.incrementAndGet();
                waiting.written().completeExceptionally(problem);
            }
        });
    }

    private void published(HtlcFailureRecord record)
    {
        for (RecordListener listener : listeners) {
            try {
                listener.recorded(record);
            }
            catch (RuntimeException e) {
                LOG.log(Level.ERROR, "a record listener failed", e);
            }
        }
    }

    private void written(Duration latency)
    {
        for (RecordListener listener : listeners) {
            try {
                listener.written(latency);
            }
            catch (RuntimeException e) {
                LOG.log(Level.ERROR, "a record listener failed", e);
            }
        }
    }

    /** Once the node has said who it is, the failures that waited for it are recorded. */
    private void retryAwaitingNodeId()
    {
        Deque<Waiting> ready;
        synchronized (awaitingNodeId) {
            if (awaitingNodeId.isEmpty() || nodeContext.current().nodeId().isEmpty()) {
                return;
            }
            ready = new ArrayDeque<>(awaitingNodeId);
            awaitingNodeId.clear();
        }
        LOG.log(Level.INFO, "the node's RPC says who it is: recording the " + ready.size() + " failed HTLCs that came before");
        NodeContext context = nodeContext.current();
        ready.forEach(waiting -> record(waiting, joined(waiting.failure()), context, true));
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
     * The channels whose state explains a local failure the node gave no reason for (the channel it
     * tried, and the one the onion named when that is another), each with the oldest view that may judge
     * it: taken after the failure arrived when its code depends on the channel's balance or HTLCs in
     * flight, a few seconds old at most when it depends on the channel's settings.
     */
    private Map<ShortChannelId, Instant> viewsNeeded(Waiting waiting, Optional<HtlcSeen> htlc)
    {
        HtlcFailed failure = waiting.failure();
        if (failure.source() != FailureSource.LOCAL || failure.statedReason().isPresent() || failure.failcode().isEmpty()) {
            return Map.of();
        }
        int code = failure.failcode().getAsInt();
        Instant since = code == FailureCode.TEMPORARY_CHANNEL_FAILURE.code() || code == FailureCode.REQUIRED_NODE_FEATURE_MISSING.code()
                ? waiting.arrived()
                : clock.instant().minus(SETTINGS_VIEW_MAX_AGE);
        Map<ShortChannelId, Instant> channels = new HashMap<>();
        failure.outChannel().or(() -> htlc.flatMap(HtlcSeen::requestedChannel)).ifPresent(scid -> channels.put(scid, since));
        Classifier.requestedChannel(failure, htlc).ifPresent(scid -> channels.put(scid, since));
        return channels;
    }

    @Override
    public String name()
    {
        return "capture";
    }

    /**
     * Capture's figures now, read without a lock on the hot path (metrics, {@code failscope-status}).
     *
     * @param waiting failures received and not yet recorded or dropped (waiting for the node's id included)
     */
    public record Counts(long received, long recorded, long waiting, long waitingForNodeId, long droppedQueueFull, long droppedStoreFailed, int capacity) {}

    public Counts counts()
    {
        int waitingForNodeId;
        synchronized (awaitingNodeId) {
            waitingForNodeId = awaitingNodeId.size();
        }
        // read in this order, so that a failure is never counted as both waiting and done
        long recordedNow = recorded.get();
        long queueFullNow = droppedQueueFull.get();
        long storeFailedNow = droppedStoreFailed.get();
        long all = received.get();
        long waiting = Math.max(0, all - recordedNow - queueFullNow - storeFailedNow);
        return new Counts(all, recordedNow, waiting, waitingForNodeId, queueFullNow, storeFailedNow, capacity);
    }

    @Override
    public ObjectNode report()
    {
        Counts counts = counts();
        ObjectNode report = Json.object()
                .put("received", counts.received())
                .put("recorded", counts.recorded())
                .put("waiting", Math.max(0, counts.waiting() - counts.waitingForNodeId()))
                .put("waiting_for_node_id", counts.waitingForNodeId())
                .put("capacity", counts.capacity());
        report.putObject("dropped")
                .put("queue_full", counts.droppedQueueFull())
                .put("store_failed", counts.droppedStoreFailed());
        return report;
    }

    /** Records what is queued (within a few seconds), then stops. */
    @Override
    public void close()
    {
        closed = true;
        try {
            worker.join(3_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
    }
}
