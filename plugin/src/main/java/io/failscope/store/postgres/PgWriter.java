package io.failscope.store.postgres;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.StoreException;
import io.failscope.store.WriteOutcome;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * This plugin's one writing thread: it takes every queued record and writes them in one transaction
 * (group commit), completing their futures after the commit. Other plugins of the fleet write to the
 * same tables at the same time, so:
 *
 * <ul>
 * <li>Identity is per node (node, incoming channel, HTLC id, type; or node, send id, type), kept by
 *     unique indexes: an insert that would repeat an HTLC inserts nothing ({@code ON CONFLICT DO
 *     NOTHING}), and the group is written again with every identity looked up. A transaction whose
 *     commit was lost in a network partition is written again the same way: it finds its rows and
 *     adds nothing, so no record is stored twice.</li>
 * <li>Created and updated indexes come from the {@code counters} rows in a short transaction of their
 *     own that also records the range in {@code in_flight} (with this connection's backend), and the
 *     record transaction removes that entry when it commits. Indexes are handed out in one order and
 *     committed in another; a reader pages only below the lowest index still in flight, so no page
 *     skips a record that commits later (see {@link PgQueries}). An entry whose backend has gone
 *     (its transaction can no longer commit) is swept away.</li>
 * <li>Totals are written as increments, in key order.</li>
 * </ul>
 *
 * <p>When the server cannot be reached (down, restarting, network), the group waits and is written
 * again with a growing pause, up to {@link #RETRY_FOR}; records keep queueing meanwhile, up to
 * {@link #MAX_WAITING}. The fault is kept for the status method and logged when it starts and ends.
 */
final class PgWriter
{
    private static final System.Logger LOG = System.getLogger(PgWriter.class.getName());
    private static final int MAX_GROUP = 4_096;
    private static final int NO_DELAY_GROUP = 512;
    /** Records that may wait for the server before new ones are refused. */
    static final int MAX_WAITING = 200_000;
    /** How long a group is written again while the server cannot be reached, before its records fail. */
    static final Duration RETRY_FOR = Duration.ofMinutes(10);
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 2_000;

    interface Job
    {
        long run(Connection connection)
                throws SQLException;
    }

    private sealed interface Task permits Insert, JobTask, Stop {}

    private record Insert(HtlcFailureRecord record, CompletableFuture<WriteOutcome> future) implements Task {}

    private record JobTask(Job job, CompletableFuture<Long> future) implements Task {}

    private record Stop() implements Task {}

    /** The fault the store is in now, and since when. */
    record CurrentFault(StoreException.Fault fault, String message, Instant since) {}

    private final DataSource dataSource;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final long commitDelayNanos;
    private final PgGroupWrite groups;
    private volatile CurrentFault fault;
    private volatile boolean closed;
    private volatile boolean stopping;

    PgWriter(DataSource dataSource, PgNodes nodes, Duration commitDelay)
    {
        this.dataSource = dataSource;
        this.groups = new PgGroupWrite(dataSource, nodes);
        this.commitDelayNanos = commitDelay.toNanos();
        this.thread = new Thread(this::loop, "failscope-store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
    {
        CompletableFuture<WriteOutcome> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            return future;
        }
        CurrentFault current = fault;
        if (current != null && queue.size() >= MAX_WAITING) {
            future.completeExceptionally(new StoreException(current.fault(), MAX_WAITING + " records are already waiting for the database: " + current.message(), null));
            return future;
        }
        queue.add(new Insert(record, future));
        return future;
    }

    /** Runs {@code job} on the writer thread, in its own transaction, and waits for it. */
    long run(Job job)
    {
        if (closed) {
            throw new StoreException(StoreException.Fault.CLOSED, "the store is closed", null);
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        queue.add(new JobTask(job, future));
        try {
            return future.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store", e);
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof StoreException storeException ? storeException : new StoreException(e.getCause().getMessage(), e.getCause());
        }
    }

    int queueDepth()
    {
        return queue.size();
    }

    long insertedSinceStart()
    {
        return inserted.get();
    }

    long updatedSinceStart()
    {
        return updated.get();
    }

    Optional<CurrentFault> fault()
    {
        return Optional.ofNullable(fault);
    }

    /** The node numbers this plugin has written records of: retention prunes theirs only. */
    Set<Integer> writtenNodes()
    {
        return groups.writtenNodes();
    }

    private void loop()
    {
        List<Task> tasks = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                tasks.add(queue.take());
                queue.drainTo(tasks, MAX_GROUP - tasks.size());
                gatherDuringDelay(tasks);
            }
            catch (InterruptedException e) {
                return;
            }
            List<Insert> group = new ArrayList<>();
            boolean stop = false;
            for (Task task : tasks) {
                if (task instanceof Insert insert) {
                    group.add(insert);
                    continue;
                }
                writeGroup(group);
                group.clear();
                if (task instanceof JobTask job) {
                    runJob(job);
                }
                else {
                    stop = true;
                }
            }
            writeGroup(group);
            tasks.clear();
            if (stop) {
                return;
            }
        }
    }

    private void gatherDuringDelay(List<Task> tasks)
            throws InterruptedException
    {
        if (commitDelayNanos == 0 || tasks.size() >= NO_DELAY_GROUP || !(tasks.get(tasks.size() - 1) instanceof Insert)) {
            return;
        }
        long deadline = System.nanoTime() + commitDelayNanos;
        while (tasks.size() < MAX_GROUP) {
            long left = deadline - System.nanoTime();
            Task next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            tasks.add(next);
            queue.drainTo(tasks, MAX_GROUP - tasks.size());
            if (!(tasks.get(tasks.size() - 1) instanceof Insert)) {
                return;
            }
        }
    }

    /**
     * Writes a group in one transaction; while the server cannot be reached, waits and writes it
     * again. A group that fails for another reason is written record by record, so one bad record
     * fails alone.
     */
    private void writeGroup(List<Insert> group)
    {
        if (group.isEmpty()) {
            return;
        }
        List<HtlcFailureRecord> batch = group.stream().map(Insert::record).toList();
        long started = System.nanoTime();
        long pause = FIRST_PAUSE_MILLIS;
        boolean lookUpAll = false;
        while (true) {
            try {
                complete(group, groups.write(batch, lookUpAll));
                recovered();
                return;
            }
            catch (PgGroupWrite.IdentityConflict e) {
                lookUpAll = true;
            }
            catch (SQLException e) {
                groups.forget();
                StoreException.Fault kind = PgFaults.fault(e);
                if (!kind.retryable()) {
                    LOG.log(Level.WARNING, "a group write failed, retrying its records one by one: " + PgFaults.message(e));
                    break;
                }
                failing(kind, PgFaults.message(e));
                if (stopping || System.nanoTime() - started > RETRY_FOR.toNanos()) {
                    StoreException failure = new StoreException(kind, "could not store the record: " + kind.description() + " (" + PgFaults.message(e) + ")", e);
                    group.forEach(insert -> insert.future().completeExceptionally(failure));
                    return;
                }
                try {
                    Thread.sleep(pause);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    StoreException failure = new StoreException(kind, "could not store the record before the store closed: " + PgFaults.message(e), e);
                    group.forEach(insert -> insert.future().completeExceptionally(failure));
                    return;
                }
                pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
            }
            catch (RuntimeException e) {
                groups.forget();
                LOG.log(Level.WARNING, "a group write failed, retrying its records one by one: " + e.getMessage());
                break;
            }
        }
        for (Insert insert : group) {
            try {
                complete(List.of(insert), groups.write(List.of(insert.record()), true));
            }
            catch (SQLException | PgGroupWrite.IdentityConflict | RuntimeException e) {
                groups.forget();
                LOG.log(Level.ERROR, "could not store an HTLC failure record: " + e.getMessage(), e);
                insert.future().completeExceptionally(e instanceof SQLException sql
                        ? PgFaults.storeException("could not store the record", sql)
                        : new StoreException("could not store the record: " + e.getMessage(), e));
            }
        }
    }

    private void failing(StoreException.Fault kind, String message)
    {
        CurrentFault current = fault;
        if (current == null || current.fault() != kind) {
            LOG.log(Level.WARNING, "PostgreSQL: " + kind.description() + " (" + message + "); " + (queue.size() + 1)
                    + "+ records wait in memory and are written when it is back (up to " + RETRY_FOR.toMinutes() + " minutes, " + MAX_WAITING + " records)");
            fault = new CurrentFault(kind, message, Instant.now());
        }
        else {
            fault = new CurrentFault(kind, message, current.since());
        }
    }

    private void recovered()
    {
        CurrentFault current = fault;
        if (current != null) {
            fault = null;
            LOG.log(Level.INFO, "PostgreSQL is back after " + Duration.between(current.since(), Instant.now()).toSeconds() + "s ("
                    + current.fault().description() + "); the records that waited are stored");
        }
    }

    private void complete(List<Insert> group, List<WriteOutcome> outcomes)
    {
        for (int i = 0; i < group.size(); i++) {
            WriteOutcome outcome = outcomes.get(i);
            switch (outcome.kind()) {
                case INSERTED -> inserted.incrementAndGet();
                case UPDATED -> updated.incrementAndGet();
                case UNCHANGED -> {
                    // a replay: nothing was written
                }
            }
            group.get(i).future().complete(outcome);
        }
    }

    private void runJob(JobTask task)
    {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long result = task.job().run(connection);
                connection.commit();
                task.future().complete(result);
            }
            catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            finally {
                connection.setAutoCommit(true);
            }
        }
        catch (SQLException e) {
            LOG.log(Level.WARNING, "a store job failed: " + PgFaults.message(e));
            task.future().completeExceptionally(PgFaults.storeException("the store job failed", e));
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, "a store job failed: " + e.getMessage(), e);
            task.future().completeExceptionally(e instanceof StoreException ? e : new StoreException(e.getMessage(), e));
        }
    }

    /** Stops taking writes, writes what was queued before (giving up on a server that stays away), and fails what came after. */
    void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(new Stop());
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                stopping = true;
                thread.interrupt();
                thread.join();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Task task : queue) {
            if (task instanceof Insert insert) {
                insert.future().completeExceptionally(new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            }
            else if (task instanceof JobTask job) {
                job.future().completeExceptionally(new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            }
        }
    }
}
