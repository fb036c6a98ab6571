package io.failscope.testing;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStats;
import io.failscope.store.FailureStore;
import io.failscope.store.Page;
import io.failscope.store.StatsGrouping;
import io.failscope.store.StoreException;
import io.failscope.store.StoreStatus;
import io.failscope.store.StoredFailure;
import io.failscope.store.WriteOutcome;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A store for tests of decisions only: it holds nothing, and a write fails as an unwritable store's would. */
public final class RefusingStore
        implements FailureStore
{
    @Override
    public CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
    {
        return CompletableFuture.failedFuture(new StoreException("this test stores nothing"));
    }

    @Override
    public List<StoredFailure> list(FailureFilter filter, Page page)
    {
        return List.of();
    }

    @Override
    public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
    {
        throw new StoreException("this test stores nothing");
    }

    @Override
    public long delete(FailureFilter filter)
    {
        return 0;
    }

    @Override
    public long enforceRetention(Instant now)
    {
        return 0;
    }

    @Override
    public StoreStatus status()
    {
        return new StoreStatus(0, 0, 0, 0, 0);
    }

    @Override
    public void close() {}
}
