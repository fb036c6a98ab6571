package io.failscope.store;

import io.failscope.record.HtlcFailureRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Durable, queryable HTLC failure history: the contract every backend (the embedded SQLite store,
 * a PostgreSQL store for fleets) implements, and {@code FailureStoreContract} in the test sources
 * checks. A store may hold the records of several nodes; filters and statistics take node ids.
 */
public interface FailureStore
        extends AutoCloseable
{
    /** How many records {@link #scan} reads at a time. */
    int SCAN_BATCH = 1_000;

    /**
     * Queues a record for writing. The future completes once the record is durable (its transaction
     * committed with the configured sync), or fails if it could not be stored. Writes are idempotent on
     * the HTLC's identity at its node (incoming channel, HTLC id, failure type; for our own payments,
     * send id and type): a replay adds nothing, a richer event updates the stored record.
     */
    CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record);

    /** One page of the matching records, in the page's index order. */
    List<StoredFailure> list(FailureFilter filter, Page page);

    /**
     * Hands every matching record to {@code sink}, in created order, on the calling thread; returns
     * how many. Memory stays flat whatever the count: records are read a batch at a time, and no
     * transaction is held open while {@code sink} runs, so an export of millions of rows never holds
     * back the writer. Records written during the scan may or may not be seen; none is seen twice.
     */
    default long scan(FailureFilter filter, Consumer<? super StoredFailure> sink)
    {
        long count = 0;
        OptionalLong start = OptionalLong.empty();
        while (true) {
            List<StoredFailure> batch = list(filter, new Page(Page.Index.CREATED, start, SCAN_BATCH));
            batch.forEach(sink);
            count += batch.size();
            if (batch.size() < SCAN_BATCH) {
                return count;
            }
            start = OptionalLong.of(batch.get(batch.size() - 1).createdIndex() + 1);
        }
    }

    /**
     * Totals grouped as asked, over {@code filter}'s time range and nodes (its other parts are not
     * used). Records pruned by retention still count, from the daily totals.
     */
    FailureStats stats(FailureFilter filter, StatsGrouping grouping);

    /** Deletes the matching records in batches, and takes them out of the daily totals; returns how many went. */
    long delete(FailureFilter filter);

    /** Prunes what the retention limits allow at {@code now}, keeping daily totals; returns how many records went. */
    long enforceRetention(Instant now);

    /** Cheap figures about the store, read without scanning the records. */
    StoreStatus status();

    /** Which database holds the records: {@code sqlite} or {@code postgresql}. */
    default String backend()
    {
        return "sqlite";
    }

    /** What keeps the store from writing right now (the server is away, ...), with since when; empty when it writes. */
    default Optional<String> fault()
    {
        return Optional.empty();
    }

    /** Stops taking writes, writes what is already queued, and releases the database. */
    @Override
    void close();
}
