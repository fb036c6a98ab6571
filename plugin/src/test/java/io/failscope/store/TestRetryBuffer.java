package io.failscope.store;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.testing.LogLines;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The retry buffer over any backend: here a fake one whose outage the test switches on and off. */
final class TestRetryBuffer
{
    private static final Duration FAST = Duration.ofMillis(10);

    @Test
    void aDatabaseServerThatIsDownKeepsRecordsUpToTheBoundAndCountsEachOneBeyond()
            throws Exception
    {
        Outage backend = new Outage();
        backend.fault.set(StoreException.Fault.UNREACHABLE);
        List<HtlcFailureRecord> records = StoreSamples.records(150, 7);
        try (LogLines log = new LogLines(); RetryBuffer buffer = new RetryBuffer(backend, 100, Clock.systemUTC(), FAST, FAST)) {
            List<CompletableFuture<WriteOutcome>> futures = records.stream().map(buffer::submit).toList();

            assertThat(buffer.health().waiting()).isEqualTo(100);
            assertThat(buffer.health().dropped()).containsEntry(StoreException.Fault.UNREACHABLE, 50L);
            assertThat(buffer.health().cause()).contains(StoreException.Fault.UNREACHABLE);
            for (CompletableFuture<WriteOutcome> dropped : futures.subList(100, 150)) {
                assertThat(catchThrowable(dropped::join).getCause())
                        .hasMessage("dropped: 100 records already wait for the store to write again (the database server cannot be reached); raise store.retry-buffer to keep more");
            }

            backend.fault.set(null);
            futures.subList(0, 100).forEach(CompletableFuture::join);

            assertThat(backend.written).containsExactlyElementsOf(records.subList(0, 100));
            assertThat(buffer.health().health()).isEqualTo("ok");
            assertThat(buffer.health().written()).isEqualTo(100);
            assertThat(buffer.health().dropped()).containsEntry(StoreException.Fault.UNREACHABLE, 50L);
            // one line for the records that wait, one for those dropped: not 150
            assertThat(log.warnings()).as("%s", log.warnings()).hasSize(2);
            assertThat(log.stackTraces()).isZero();
        }
    }

    @Test
    void aRecordTheStoreRefusesForGoodIsDroppedAtOnceWithItsCause()
    {
        Outage backend = new Outage();
        backend.fault.set(StoreException.Fault.OTHER);
        try (RetryBuffer buffer = new RetryBuffer(backend, 100, Clock.systemUTC(), FAST, FAST)) {
            CompletableFuture<WriteOutcome> future = buffer.submit(StoreSamples.records(1, 8).get(0));

            assertThat(catchThrowable(future::join).getCause()).isInstanceOf(StoreException.class).hasMessage("refused: " + StoreException.Fault.OTHER.description());
            assertThat(buffer.health().waiting()).isZero();
            assertThat(buffer.health().dropped()).containsEntry(StoreException.Fault.OTHER, 1L);
            assertThat(buffer.health().health()).as("one bad record does not make the store unhealthy").isEqualTo("ok");
        }
    }

    @Test
    void closingTriesWhatWaitsOnceMoreAndCountsWhatIsLost()
    {
        Outage backend = new Outage();
        backend.fault.set(StoreException.Fault.DISK_FULL);
        RetryBuffer buffer = new RetryBuffer(backend, 100, Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(1));
        List<CompletableFuture<WriteOutcome>> futures = StoreSamples.records(10, 9).stream().map(buffer::submit).toList();
        assertThat(buffer.health().waiting()).isEqualTo(10);

        buffer.close();

        assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(buffer.health().waiting()).isZero();
        assertThat(buffer.health().dropped()).containsEntry(StoreException.Fault.DISK_FULL, 10L);
        assertThat(backend.closed).isTrue();
    }

    /** A backend that writes, or fails every write with the fault set. */
    private static final class Outage
            implements FailureStore
    {
        final AtomicReference<StoreException.Fault> fault = new AtomicReference<>();
        final List<HtlcFailureRecord> written = new ArrayList<>();
        boolean closed;

        @Override
        public synchronized CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
        {
            StoreException.Fault now = fault.get();
            if (now != null) {
                return CompletableFuture.failedFuture(new StoreException(now, "refused: " + now.description(), null));
            }
            written.add(record);
            return CompletableFuture.completedFuture(new WriteOutcome(WriteOutcome.Kind.INSERTED, written.size()));
        }

        @Override
        public List<StoredFailure> list(FailureFilter filter, Page page)
        {
            return List.of();
        }

        @Override
        public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
        {
            throw new UnsupportedOperationException();
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
            return new StoreStatus(written.size(), 0, 0, written.size(), 0);
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }
}
