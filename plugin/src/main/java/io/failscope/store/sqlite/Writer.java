package io.failscope.store.sqlite;

import io.failscope.Throttled;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.StoreException;
import io.failscope.store.WriteOutcome;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that writes: it takes every queued record, writes them in one transaction and
 * completes their futures after the commit (group commit: one sync for the whole group). Other writes
 * (deletes, pruning, migration batches) run on it as jobs, each in its own transaction between groups,
 * so they never race the records and each holds the writer only as long as its batch takes.
 *
 * <p>A commit costs the same for one record as for a hundred (the sync dominates), and failed HTLCs
 * arrive a few at a time even in a probing storm. So when the records waiting are few, the writer
 * waits up to the commit delay ({@code store.commit-delay}) for more before it commits: at 150
 * failures a second that turns 150 commits into 20. A job or a full group ends the wait at once; a
 * large group (the writer is behind) is committed without waiting.
 */
final class Writer
{
    private static final System.Logger LOG = System.getLogger(Writer.class.getName());
    private static final int MAX_GROUP = 16_384;
    /** A group at least this large is committed at once: records are arriving faster than the delay would help. */
    private static final int NO_DELAY_GROUP = 512;

    interface Job
    {
        long run(Connection connection)
                throws SQLException;
    }

    private sealed interface Task permits Insert, JobTask, Stop {}

    private record Insert(HtlcFailureRecord record, CompletableFuture<WriteOutcome> future) implements Task {}

    private record JobTask(Job job, CompletableFuture<Long> future) implements Task {}

    private record Stop() implements Task {}

    private final Connection connection;
    private final Statement control;
    private final RecordWriter records;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final long commitDelayNanos;
    private final Throttled throttled = new Throttled(LOG, Duration.ofMinutes(1), Clock.systemUTC());
    private volatile boolean closed;

    Writer(Connection connection, RecordWriter records, Duration commitDelay)
            throws SQLException
    {
        this.connection = connection;
        this.control = connection.createStatement();
        this.records = records;
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
            throw Faults.exception("a store job failed", e.getCause());
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

    private void loop()
    {
        List<Task> tasks = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                tasks.add(queue.take());
                queue.drainTo(tasks, MAX_GROUP - 1);
                gatherDuringDelay(tasks);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
                    // Stop: what was drained with it is still written; close() fails anything queued later
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

    /** Adds records that arrive within the commit delay to a small group of records, as long as no job comes. */
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
     * Writes a group in one transaction. When it fails for a cause that hits every record alike (disk
     * full, read-only, I/O error, locked) each record fails with that cause at once; otherwise each
     * record is written alone, so that one bad record fails alone. A failed record is not logged here:
     * its future says why, and the retry buffer logs each cause once a minute with counts.
     */
    private void writeGroup(List<Insert> group)
    {
        if (group.isEmpty()) {
            return;
        }
        List<HtlcFailureRecord> batch = group.stream().map(Insert::record).toList();
        StoreException groupFailure;
        try {
            complete(group, inTransaction(() -> records.write(connection, batch)));
            return;
        }
        catch (SQLException | RuntimeException e) {
            groupFailure = Faults.exception("could not store the record", e);
        }
        if (groupFailure.fault().retryable() || group.size() == 1) {
            group.forEach(insert -> insert.future().completeExceptionally(groupFailure));
            return;
        }
        for (Insert insert : group) {
            try {
                complete(List.of(insert), inTransaction(() -> records.write(connection, List.of(insert.record()))));
            }
            catch (SQLException | RuntimeException e) {
                insert.future().completeExceptionally(Faults.exception("could not store the record", e));
            }
        }
    }

    private void logFailure(StoreException failure)
    {
        throttled.log(Level.WARNING, failure.fault().name(), failure::getMessage);
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
        try {
            task.future().complete(inTransaction(() -> task.job().run(connection)));
        }
        catch (SQLException | RuntimeException e) {
            StoreException failure = Faults.exception("a store job failed", e);
            if (failure.fault() == StoreException.Fault.OTHER) {
                LOG.log(Level.ERROR, failure.getMessage(), e);
            }
            else {
                logFailure(failure);
            }
            task.future().completeExceptionally(failure);
        }
    }

    private interface Body<T>
    {
        T run()
                throws SQLException;
    }

    /**
     * Runs {@code body} in one transaction, begun and ended by SQL statements rather than the driver's
     * auto-commit switch: when SQLite has already rolled a transaction back itself (it may on
     * SQLITE_FULL or SQLITE_IOERR), the driver's switch back to auto-commit would fail with "cannot commit
     * - no transaction is active" and hide the first cause. Here the first cause is the one thrown, and
     * the connection is out of any transaction afterwards, so the next write can succeed once the cause
     * is gone.
     */
    private <T> T inTransaction(Body<T> body)
            throws SQLException
    {
        records.begin();
        try {
            control.execute("BEGIN");
            T result = body.run();
            records.beforeCommit(connection);
            control.execute("COMMIT");
            records.committed();
            return result;
        }
        catch (SQLException | RuntimeException e) {
            records.rolledBack();
            try {
                control.execute("ROLLBACK");
            }
            catch (SQLException rollbackFailure) {
                // SQLite may have rolled back already; if it did not, the next BEGIN says so with its own cause
                e.addSuppressed(rollbackFailure);
            }
            try {
                records.prepareAgain(connection);
            }
            catch (SQLException prepareFailure) {
                e.addSuppressed(prepareFailure);
            }
            throw e;
        }
    }

    /** Stops taking writes, writes what was queued before, and fails what came after. */
    void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(new Stop());
        try {
            thread.join();
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
