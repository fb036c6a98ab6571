package io.failscope.store;

import io.failscope.Throttled;
import io.failscope.record.HtlcFailureRecord;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Any backend, made patient: a record whose write failed for a cause that can pass (disk full,
 * read-only file, I/O error, database unreachable or locked) waits here and is written again, in
 * order, once the store can write, after 1 s, then 2, 4, ... up to 30 s between tries. Up to the
 * bound ({@code store.retry-buffer}) no record is lost; beyond it each is dropped and counted by its
 * cause. Memory stays bounded by the bound. The log says each cause once a minute with counts, never
 * once per record; {@link #health()} says the same to {@code failscope-status}.
 *
 * <p>While records wait, new ones queue behind them rather than trying the store first: a failing
 * store is probed by one batch per backoff, not by every record, and the order of events about one
 * HTLC is kept.
 */
public final class RetryBuffer
        implements FailureStore
{
    private static final System.Logger LOG = System.getLogger(RetryBuffer.class.getName());
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** Records tried again at once: one group commit's worth. */
    private static final int RETRY_BATCH = 1_000;

    private record Pending(HtlcFailureRecord record, CompletableFuture<WriteOutcome> future) {}

    private final FailureStore store;
    private final int capacity;
    private final Clock clock;
    private final Throttled throttled;
    private final ScheduledExecutorService retrier;
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private final AtomicLong written = new AtomicLong();
    private final Map<StoreException.Fault, AtomicLong> dropped = new EnumMap<>(StoreException.Fault.class);
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    /** Guarded by {@code waiting}: the cause of the last failed write while the store is degraded, else null. */
    private StoreException.Fault degradedBy;
    private Instant degradedSince;
    private Duration backoff;
    /** Guarded by {@code waiting}: records taken out of it for a retry now; they count against the bound. */
    private int retrying;
    private boolean retryScheduled;
    private volatile boolean closed;

    /** {@code capacity}: records that may wait; {@code 0} drops (and counts) every record the store fails. */
    public RetryBuffer(FailureStore store, int capacity, Clock clock)
    {
        this(store, capacity, clock, FIRST_BACKOFF, MAX_BACKOFF);
    }

    /** With other backoffs than 1 s doubling to 30 s (tests). */
    public RetryBuffer(FailureStore store, int capacity, Clock clock, Duration firstBackoff, Duration maxBackoff)
    {
        this.store = requireNonNull(store, "store is null");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.clock = requireNonNull(clock, "clock is null");
        this.firstBackoff = requireNonNull(firstBackoff, "firstBackoff is null");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff is null");
        this.backoff = firstBackoff;
        this.throttled = new Throttled(LOG, Duration.ofMinutes(1), clock);
        for (StoreException.Fault fault : StoreException.Fault.values()) {
            dropped.put(fault, new AtomicLong());
        }
        this.retrier = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "failscope-store-retry");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The backend this buffer writes to. */
    public FailureStore store()
    {
        return store;
    }

    /**
     * Hands the record to the store; the future completes once it is durable, which may be after it
     * waited here for the store to recover, or fails when it was dropped (its cause not one that passes,
     * or the buffer full).
     */
    @Override
    public CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
    {
        requireNonNull(record, "record is null");
        CompletableFuture<WriteOutcome> future = new CompletableFuture<>();
        Pending pending = new Pending(record, future);
        if (closed) {
            drop(pending, new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            return future;
        }
        synchronized (waiting) {
            if (!waiting.isEmpty() || retrying > 0) {
                // records wait only after a failure set the cause; the fallback only guards a race with recovery
                wait(pending, degradedBy == null ? StoreException.Fault.OTHER : degradedBy);
                return future;
            }
        }
        store.submit(record).whenComplete((outcome, problem) -> {
            if (problem == null) {
                written(pending, outcome);
            }
            else {
                failed(pending, storeException(problem));
            }
        });
        return future;
    }

    private void written(Pending pending, WriteOutcome outcome)
    {
        written.incrementAndGet();
        synchronized (waiting) {
            if (waiting.isEmpty() && retrying == 0 && !retryScheduled) {
                recovered();
            }
        }
        pending.future().complete(outcome);
    }

    private void failed(Pending pending, StoreException problem)
    {
        if (problem.fault().retryable() && !closed) {
            synchronized (waiting) {
                degraded(problem.fault());
                wait(pending, problem.fault());
            }
            return;
        }
        if (problem.fault() != StoreException.Fault.OTHER && problem.fault() != StoreException.Fault.CLOSED) {
            synchronized (waiting) {
                degraded(problem.fault());
            }
        }
        drop(pending, problem);
    }

    /** Holds {@code waiting}: keeps the record for a retry, or drops it when the buffer is full. */
    private void wait(Pending pending, StoreException.Fault fault)
    {
        if (waiting.size() + retrying >= capacity) {
            drop(pending, new StoreException(fault, "dropped: " + capacity + " records already wait for the store to write again (" + fault.description()
                    + "); raise store.retry-buffer to keep more", null));
            return;
        }
        waiting.addLast(pending);
        throttled.log(Level.WARNING, "waiting " + fault.name(), () -> "the store cannot write: " + fault.description() + "; " + waitingCount()
                + " records wait to be written again (at most " + capacity + "), " + droppedCount() + " dropped since start; see failscope-status");
        scheduleRetry();
    }

    private void drop(Pending pending, StoreException problem)
    {
        dropped.get(problem.fault()).incrementAndGet();
        if (problem.fault() != StoreException.Fault.CLOSED) {
            throttled.log(Level.WARNING, "dropped " + problem.fault().name(), () -> "an HTLC failure record was dropped (" + problem.getMessage() + "); "
                    + dropped.get(problem.fault()).get() + " dropped for this cause since start");
        }
        pending.future().completeExceptionally(problem);
    }

    /** Holds {@code waiting}. */
    private void degraded(StoreException.Fault fault)
    {
        if (degradedBy == null) {
            degradedSince = clock.instant();
        }
        degradedBy = fault;
    }

    /** Holds {@code waiting}. */
    private void recovered()
    {
        if (degradedBy != null) {
            LOG.log(Level.INFO, "the store writes again after " + Duration.between(degradedSince, clock.instant()).toSeconds() + " s of " + degradedBy.description());
        }
        degradedBy = null;
        degradedSince = null;
        backoff = firstBackoff;
    }

    /** Holds {@code waiting}. */
    private void scheduleRetry()
    {
        if (retryScheduled || closed) {
            return;
        }
        retryScheduled = true;
        try {
            retrier.schedule(this::retry, backoff.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException e) {
            // closing: close() tries what waits one last time
            retryScheduled = false;
        }
    }

    /** On the retry thread: writes the oldest waiting records; on success goes on at once, else backs off. */
    private void retry()
    {
        List<Pending> batch = new ArrayList<>(RETRY_BATCH);
        synchronized (waiting) {
            while (batch.size() < RETRY_BATCH && !waiting.isEmpty()) {
                batch.add(waiting.pollFirst());
            }
            retrying = batch.size();
        }
        List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            writes.add(store.submit(pending.record()));
        }
        List<Pending> again = new ArrayList<>();
        StoreException.Fault stillFailing = null;
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            try {
                WriteOutcome outcome = writes.get(i).get();
                written.incrementAndGet();
                pending.future().complete(outcome);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                again.addAll(batch.subList(i, batch.size()));
                break;
            }
            catch (ExecutionException e) {
                StoreException problem = storeException(e.getCause());
                if (problem.fault().retryable() && !closed) {
                    again.add(pending);
                    stillFailing = problem.fault();
                }
                else {
                    drop(pending, problem);
                }
            }
        }
        synchronized (waiting) {
            retryScheduled = false;
            retrying = 0;
            for (int i = again.size() - 1; i >= 0; i--) {
                waiting.addFirst(again.get(i));
            }
            if (stillFailing != null) {
                degraded(stillFailing);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                StoreException.Fault cause = stillFailing;
                throttled.log(Level.WARNING, "waiting " + cause.name(), () -> "the store still cannot write: " + cause.description() + "; " + waiting.size()
                        + " records wait to be written again; next try in " + backoff.toSeconds() + " s");
                scheduleRetry();
            }
            else if (!waiting.isEmpty() && !closed) {
                retryScheduled = true;
                retrier.execute(this::retry);
            }
            else {
                recovered();
            }
        }
    }

    private static StoreException storeException(Throwable problem)
    {
        Throwable cause = problem instanceof CompletionException && problem.getCause() != null ? problem.getCause() : problem;
        return cause instanceof StoreException storeException ? storeException : new StoreException("could not store the record: " + cause, cause);
    }

    /** Holds {@code waiting}. */
    private long waitingCount()
    {
        return waiting.size() + retrying;
    }

    private long droppedCount()
    {
        return dropped.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** How the store is doing: whether it writes, why not, and what waits and was dropped. */
    public StoreHealth health()
    {
        Optional<StoreException.Fault> cause;
        int waitingNow;
        synchronized (waiting) {
            cause = Optional.ofNullable(degradedBy);
            waitingNow = waiting.size() + retrying;
        }
        Map<StoreException.Fault, Long> droppedByCause = new EnumMap<>(StoreException.Fault.class);
        dropped.forEach((fault, count) -> droppedByCause.put(fault, count.get()));
        return new StoreHealth(cause, written.get(), waitingNow, capacity, droppedByCause);
    }

    @Override
    public List<StoredFailure> list(FailureFilter filter, Page page)
    {
        return store.list(filter, page);
    }

    @Override
    public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
    {
        return store.stats(filter, grouping);
    }

    @Override
    public long delete(FailureFilter filter)
    {
        return store.delete(filter);
    }

    @Override
    public long enforceRetention(Instant now)
    {
        return store.enforceRetention(now);
    }

    @Override
    public StoreStatus status()
    {
        return store.status();
    }

    @Override
    public String backend()
    {
        return store.backend();
    }

    @Override
    public Optional<String> fault()
    {
        return store.fault();
    }

    /**
     * Tries once more to write what waits, then closes the store; what still cannot be written is
     * dropped, counted by its cause and logged in one line.
     */
    @Override
    public void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        retrier.shutdown();
        try {
            retrier.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long droppedBefore = droppedCount();
        while (!Thread.currentThread().isInterrupted()) {
            synchronized (waiting) {
                if (waiting.isEmpty()) {
                    break;
                }
            }
            // closed: a record that still fails is dropped and counted, not kept
            retry();
        }
        long lost = droppedCount() - droppedBefore;
        if (lost > 0) {
            LOG.log(Level.ERROR, lost + " HTLC failure records were still waiting for the store when failscope stopped, and are lost (failscope-status counted them)");
        }
        store.close();
    }
}
