package io.failscope.store;

import io.failscope.record.HtlcFailureRecord;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Durable, queryable HTLC failure history. */
public interface FailureStore
        extends AutoCloseable
{
    /**
     * Queues a record for writing. The future completes once the record is durable (its transaction
     * committed with a full sync), or fails if it could not be stored. Writes are idempotent on the
     * HTLC's identity (incoming channel, HTLC id, failure type; for our own payments, send id and type).
     */
    CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record);

    List<StoredFailure> list(FailureFilter filter, Page page);

    /** Totals grouped as asked, over {@code filter}'s time range (its other parts are not used). */
    FailureStats stats(FailureFilter filter, StatsGrouping grouping);

    /** Deletes the matching records in batches, without rollups; returns how many were deleted. */
    long delete(FailureFilter filter);

    /** Prunes what the retention limits allow at {@code now}, keeping daily rollups; returns how many rows went. */
    long enforceRetention(Instant now);

    @Override
    void close();
}
