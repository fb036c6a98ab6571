package io.failscope.store;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link FailureStore} backend must do, checked against a reference implementation of
 * the filters ({@link StoreSamples#matches}). A backend's test extends this class and opens its store
 * on a database that is new for each test; {@link #open} may be called again within a test and must
 * then open the same database (a restart).
 */
public abstract class FailureStoreContract
{
    protected static final Clock CLOCK = Clock.fixed(StoreSamples.T0.plus(Duration.ofDays(10)), ZoneOffset.UTC);
    protected static final RetentionConfig NO_RETENTION = RetentionConfig.DEFAULT;
    /** The most an amount may be: every bitcoin there will ever be, in msat. */
    private static final long ALL_BITCOIN_MSAT = 2_100_000_000_000_000_000L;

    /** Opens the store on this test's database, creating it on the first call. */
    protected abstract FailureStore open(RetentionConfig retention, Clock clock);

    @Test
    void aStoredRecordReadsBackWithItsCreatedIndex()
            throws Exception
    {
        HtlcFailureRecord record = StoreSamples.records(1, 1).get(0);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.submit(record).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.INSERTED, 1));
            List<StoredFailure> stored = store.list(FailureFilter.ALL, Page.first(10));
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).createdIndex()).isEqualTo(1);
            assertThat(stored.get(0).updatedIndex()).isEmpty();
            assertThat(stored.get(0).record()).isEqualTo(record.toBuilder().createdIndex(1).build());
        }
        // and after a restart
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.list(FailureFilter.ALL, Page.first(10))).extracting(StoredFailure::createdIndex).containsExactly(1L);
        }
    }

    @Test
    void replaysAddNoRowAndRicherEventsUpdateTheRowAndItsUpdatedIndex()
            throws Exception
    {
        HtlcFailureRecord offered = HtlcFailureRecord.builder()
                .nodeId(StoreSamples.PEERS.get(0))
                .type(FailureType.FORWARD)
                .source(FailureSource.LOCAL)
                .reason(RecordedReason.fromCode(0x1007))
                .inChannel(ShortChannelId.parse("101x1x0"))
                .inHtlcId(7)
                .inMsat(1_001_001)
                .receivedTime(StoreSamples.T0)
                .build();
        HtlcFailureRecord richer = offered.toBuilder()
                .reason(RecordedReason.inferred(FailureReason.of(LocalReason.PEER_OFFLINE), Evidence.builder().put("peer_connected", 0).build()))
                .outChannel(ShortChannelId.parse("103x1x0"))
                .outMsat(1_000_000)
                .build();
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.submit(offered).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.INSERTED, 1));
            assertThat(store.submit(offered).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.UNCHANGED, 1));
            assertThat(store.submit(richer).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.UPDATED, 1));
            // a replay with less context after a restart does not downgrade the inferred reason
            assertThat(store.submit(offered).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.UNCHANGED, 1));
            HtlcFailureRecord resolved = richer.toBuilder().resolvedTime(StoreSamples.T0.plusSeconds(3)).build();
            assertThat(store.submit(resolved).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.UPDATED, 1));

            List<StoredFailure> rows = store.list(FailureFilter.ALL, Page.first(10));
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).updatedIndex()).hasValue(2);
            assertThat(rows.get(0).record()).isEqualTo(resolved.toBuilder().createdIndex(1).build());
            assertThat(store.list(FailureFilter.ALL, new Page(Page.Index.UPDATED, OptionalLong.of(2), 10))).hasSize(1);
            assertThat(store.list(FailureFilter.ALL, new Page(Page.Index.UPDATED, OptionalLong.of(3), 10))).isEmpty();
            // the filters see the updated record
            assertThat(store.list(FailureFilter.builder().outChannel(ShortChannelId.parse("103x1x0")).build(), Page.first(10))).hasSize(1);
            assertThat(store.list(FailureFilter.builder().reasons(Set.of(LocalReason.PEER_OFFLINE)).build(), Page.first(10))).hasSize(1);

            // the same HTLC id on another channel, or with another failure type, is another HTLC
            assertThat(store.submit(offered.toBuilder().inChannel(ShortChannelId.parse("105x2x1")).build()).get().kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            assertThat(store.submit(offered.toBuilder().type(FailureType.INTERCEPTED).build()).get().kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            assertThat(store.status().records()).isEqualTo(3);
            assertThat(store.status().insertedSinceStart()).isEqualTo(3);
            assertThat(store.status().updatedSinceStart()).isEqualTo(2);
        }
    }

    @Test
    void ourOwnPaymentsAreIdempotentOnTheirSendId()
            throws Exception
    {
        HtlcFailureRecord send = HtlcFailureRecord.builder()
                .nodeId(StoreSamples.PEERS.get(0))
                .type(FailureType.SEND)
                .source(FailureSource.DOWNSTREAM)
                .reason(RecordedReason.fromCode(0x400F))
                .sendId(12)
                .outMsat(5_000_000)
                .receivedTime(StoreSamples.T0)
                .build();
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.submit(send).get().kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            assertThat(store.submit(send).get().kind()).isEqualTo(WriteOutcome.Kind.UNCHANGED);
            assertThat(store.submit(send.toBuilder().resolvedTime(StoreSamples.T0.plusSeconds(2)).build()).get().kind()).isEqualTo(WriteOutcome.Kind.UPDATED);
            assertThat(store.submit(send.toBuilder().sendId(13).build()).get().kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            assertThat(store.list(FailureFilter.builder().type(FailureType.SEND).build(), Page.first(10))).extracting(stored -> stored.record().sendId().getAsLong())
                    .containsExactly(12L, 13L);
        }
    }

    @Test
    void createdIndexesStrictlyIncreaseAndAreNeverReused()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(3, 2);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            store.submit(records.get(0)).get();
            WriteOutcome second = store.submit(records.get(1)).get();
            assertThat(second.createdIndex()).isEqualTo(2);
            assertThat(store.delete(FailureFilter.builder().inChannel(records.get(1).inChannel().orElseThrow()).build())).isPositive();
        }
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.submit(records.get(2)).get().createdIndex()).isEqualTo(3);
        }
    }

    @Test
    void everyFilterReturnsWhatTheReferenceFilterSelectsInIndexOrder()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(1500, 3);
        Random random = new Random(4);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            List<StoredFailure> all = store.list(FailureFilter.ALL, Page.first(Page.MAX_LIMIT));
            assertThat(all).hasSize(records.size());
            for (int i = 0; i < 300; i++) {
                FailureFilter filter = randomFilter(random);
                List<Long> expected = all.stream().filter(stored -> StoreSamples.matches(filter, stored.record())).map(StoredFailure::createdIndex).toList();
                List<Long> actual = store.list(filter, Page.first(Page.MAX_LIMIT)).stream().map(StoredFailure::createdIndex).toList();
                assertThat(actual).as("filter %s", filter).isEqualTo(expected);
                // and a page of it, from a start
                if (expected.size() > 3) {
                    long start = expected.get(2);
                    List<Long> page = store.list(filter, new Page(Page.Index.CREATED, OptionalLong.of(start), 2)).stream().map(StoredFailure::createdIndex).toList();
                    assertThat(page).containsExactly(expected.get(2), expected.get(3));
                }
            }
        }
    }

    @Test
    void aScanStreamsEveryMatchingRecordInCreatedOrderBatchByBatch()
    {
        int count = FailureStore.SCAN_BATCH * 2 + 345;
        List<HtlcFailureRecord> records = StoreSamples.records(count, 14);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            List<StoredFailure> scanned = new ArrayList<>();
            assertThat(store.scan(FailureFilter.ALL, scanned::add)).isEqualTo(count);
            assertThat(scanned).extracting(StoredFailure::createdIndex).isEqualTo(LongStream.rangeClosed(1, count).boxed().toList());
            assertThat(scanned.get(count - 1).record()).isEqualTo(records.get(count - 1).toBuilder().createdIndex(count).build());

            FailureFilter filter = FailureFilter.builder().outChannel(StoreSamples.CHANNELS.get(2)).source(FailureSource.LOCAL).build();
            List<Long> expected = scanned.stream().filter(stored -> StoreSamples.matches(filter, stored.record())).map(StoredFailure::createdIndex).toList();
            List<Long> matching = new ArrayList<>();
            assertThat(store.scan(filter, stored -> matching.add(stored.createdIndex()))).isEqualTo(expected.size());
            assertThat(matching).isEqualTo(expected);
        }
    }

    @Test
    void pagesHaveNoGapsOrDuplicatesWhileInsertsContinue()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(3000, 5);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            AtomicBoolean done = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < records.size(); i += 25) {
                    List<CompletableFuture<WriteOutcome>> futures = new ArrayList<>();
                    for (HtlcFailureRecord record : records.subList(i, Math.min(records.size(), i + 25))) {
                        futures.add(store.submit(record));
                    }
                    futures.forEach(CompletableFuture::join);
                }
                done.set(true);
            });
            writer.start();
            List<Long> seen = new ArrayList<>();
            long next = 1;
            while (true) {
                boolean finished = done.get();
                List<StoredFailure> page = store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, OptionalLong.of(next), 40));
                page.forEach(stored -> seen.add(stored.createdIndex()));
                if (!page.isEmpty()) {
                    next = page.get(page.size() - 1).createdIndex() + 1;
                }
                else if (finished) {
                    break;
                }
            }
            writer.join();
            assertThat(seen).hasSize(records.size()).doesNotHaveDuplicates().isSorted();
            assertThat(seen.get(seen.size() - 1)).isEqualTo(records.size());
        }
    }

    @Test
    void retentionPrunesInBatchesAndStatisticsStayTheSame()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(2000, 6);
        RetentionConfig retention = new RetentionConfig(Duration.ofDays(4), 0, Duration.ofHours(1), 37);
        try (FailureStore store = open(retention, CLOCK)) {
            submitAll(store, records);
            FailureFilter dayAligned = FailureFilter.builder().since(StoreSamples.T0.plus(Duration.ofDays(1))).until(StoreSamples.T0.plus(Duration.ofDays(8))).build();
            List<FailureStats> before = new ArrayList<>();
            for (StatsGrouping grouping : splittableGroupings()) {
                before.add(store.stats(FailureFilter.ALL, grouping));
                before.add(store.stats(dayAligned, grouping));
            }
            FailureStats inChannelBefore = store.stats(FailureFilter.ALL, StatsGrouping.IN_CHANNEL);

            long expectedPruned = records.stream().filter(record -> record.receivedTime().isBefore(CLOCK.instant().minus(Duration.ofDays(4)))).count();
            assertThat(expectedPruned).isBetween(500L, 1500L);
            assertThat(store.enforceRetention(CLOCK.instant())).isEqualTo(expectedPruned);
            assertThat(store.list(FailureFilter.ALL, Page.first(Page.MAX_LIMIT))).hasSize(records.size() - (int) expectedPruned);
            assertThat(store.status().records()).isEqualTo(records.size() - expectedPruned);
            assertThat(store.enforceRetention(CLOCK.instant())).isZero();

            List<FailureStats> after = new ArrayList<>();
            for (StatsGrouping grouping : splittableGroupings()) {
                after.add(store.stats(FailureFilter.ALL, grouping));
                after.add(store.stats(dayAligned, grouping));
            }
            assertThat(after).isEqualTo(before);
            // every grouping keeps its total; one the daily totals cannot split says how much it could not split
            FailureStats inChannelAfter = store.stats(FailureFilter.ALL, StatsGrouping.IN_CHANNEL);
            assertThat(inChannelAfter.total()).isEqualTo(inChannelBefore.total());
            assertThat(inChannelAfter.unsplit().count() + inChannelAfter.groups().stream().mapToLong(group -> group.totals().count()).sum()).isEqualTo(records.size());
        }
    }

    /** The groupings whose groups must survive pruning unchanged; a backend may keep more. */
    protected List<StatsGrouping> splittableGroupings()
    {
        return List.of(StatsGrouping.REASON, StatsGrouping.FAILCODE, StatsGrouping.TYPE, StatsGrouping.OUT_CHANNEL, StatsGrouping.DAY);
    }

    @Test
    void statisticsOverAnyTimeRangeMatchTheRecords()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(1200, 11);
        Random random = new Random(12);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            for (int i = 0; i < 60; i++) {
                FailureFilter.Builder range = FailureFilter.builder();
                if (random.nextInt(4) > 0) {
                    range.since(StoreSamples.T0.plusSeconds(random.nextInt(10 * 86_400)).plusNanos(random.nextInt(1_000_000_000)));
                }
                if (random.nextInt(4) > 0) {
                    range.until(StoreSamples.T0.plusSeconds(random.nextInt(11 * 86_400)));
                }
                if (random.nextInt(4) == 0) {
                    range.nodes(Set.of(StoreSamples.PEERS.get(random.nextInt(2))));
                }
                FailureFilter filter = range.build();
                List<HtlcFailureRecord> selected = records.stream().filter(record -> StoreSamples.matches(filter, record)).toList();
                for (StatsGrouping grouping : StatsGrouping.values()) {
                    FailureStats stats = store.stats(filter, grouping);
                    assertThat(stats.total().count()).as("%s %s", grouping, filter).isEqualTo(selected.size());
                    assertThat(stats.total().amountMsat()).isEqualTo(selected.stream().mapToLong(record -> record.inMsat().getAsLong()).sum());
                    assertThat(stats.total().missedFeeMsat()).isEqualTo(selected.stream().mapToLong(FailureAmounts::missedFeeMsat).sum());
                    assertThat(stats.unsplit()).isEqualTo(FailureStats.Totals.ZERO);
                }
                assertThat(countsByKey(store.stats(filter, StatsGrouping.REASON))).as("%s", filter)
                        .isEqualTo(countBy(selected, record -> record.reason().map(reason -> (GroupKey) new GroupKey.Reason(reason.reason().reason()))));
                assertThat(countsByKey(store.stats(filter, StatsGrouping.NODE)))
                        .isEqualTo(countBy(selected, record -> Optional.of(new GroupKey.Node(record.nodeId()))));
                assertThat(countsByKey(store.stats(filter, StatsGrouping.PEER_ID)))
                        .isEqualTo(countBy(selected, record -> record.outPeer().map(GroupKey.Node::new)));
                assertThat(countsByKey(store.stats(filter, StatsGrouping.IN_CHANNEL)))
                        .isEqualTo(countBy(selected, record -> record.inChannel().map(GroupKey.Channel::new)));
                assertThat(countsByKey(store.stats(filter, StatsGrouping.HOUR)))
                        .isEqualTo(countBy(selected, record -> Optional.of(new GroupKey.Time(Instant.ofEpochSecond(record.receivedTime().getEpochSecond() / 3600 * 3600)))));
            }
        }
    }

    @Test
    void sumsSaturateInsteadOfOverflowing()
    {
        List<HtlcFailureRecord> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HtlcFailureRecord sample = StoreSamples.records(1, 30 + i).get(0);
            records.add(sample.toBuilder().inHtlcId(i).receivedTime(StoreSamples.T0.plusSeconds(i)).inMsat(ALL_BITCOIN_MSAT).outMsat(1).feeMsat(ALL_BITCOIN_MSAT).type(FailureType.FORWARD).build());
        }
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            for (StatsGrouping grouping : StatsGrouping.values()) {
                for (FailureFilter filter : List.of(FailureFilter.ALL, FailureFilter.builder().since(StoreSamples.T0.plusSeconds(1)).until(StoreSamples.T0.plus(Duration.ofDays(2))).build())) {
                    FailureStats stats = store.stats(filter, grouping);
                    long count = filter == FailureFilter.ALL ? 6 : 5;
                    assertThat(stats.total()).as("%s %s", grouping, filter).isEqualTo(new FailureStats.Totals(count, Long.MAX_VALUE, Long.MAX_VALUE));
                }
            }
            // two records fit: their sums are exact
            FailureFilter two = FailureFilter.builder().until(StoreSamples.T0.plusSeconds(2)).build();
            assertThat(store.stats(two, StatsGrouping.DAY).total()).isEqualTo(new FailureStats.Totals(2, 2 * ALL_BITCOIN_MSAT, 2 * ALL_BITCOIN_MSAT));
            // and deleting some leaves exact sums behind
            assertThat(store.delete(FailureFilter.builder().since(StoreSamples.T0.plusSeconds(2)).build())).isEqualTo(4);
            for (StatsGrouping grouping : StatsGrouping.values()) {
                assertThat(store.stats(FailureFilter.ALL, grouping).total()).as("%s", grouping).isEqualTo(new FailureStats.Totals(2, 2 * ALL_BITCOIN_MSAT, 2 * ALL_BITCOIN_MSAT));
            }
        }
    }

    @Test
    void aRowCapKeepsTheNewestRows()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(100, 7);
        try (FailureStore store = open(new RetentionConfig(Duration.ZERO, 30, Duration.ofHours(1), 8), CLOCK)) {
            submitAll(store, records);
            FailureStats before = store.stats(FailureFilter.ALL, StatsGrouping.REASON);
            assertThat(store.enforceRetention(CLOCK.instant())).isEqualTo(70);
            assertThat(store.list(FailureFilter.ALL, Page.first(100))).extracting(StoredFailure::createdIndex).first().isEqualTo(71L);
            assertThat(store.stats(FailureFilter.ALL, StatsGrouping.REASON)).isEqualTo(before);
        }
    }

    @Test
    void retentionRunsOnItsOwnSchedule()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(40, 13);
        try (FailureStore store = open(new RetentionConfig(Duration.ZERO, 5, Duration.ofSeconds(1), 3), CLOCK)) {
            submitAll(store, records);
            // no call to enforceRetention: the store's own schedule prunes down to the cap
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (store.status().records() > 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(store.list(FailureFilter.ALL, Page.first(100))).extracting(StoredFailure::createdIndex).containsExactly(36L, 37L, 38L, 39L, 40L);
            assertThat(store.stats(FailureFilter.ALL, StatsGrouping.TYPE).total().count()).isEqualTo(40);
        }
    }

    @Test
    void deleteRemovesOnlyWhatMatchesAndTakesItOutOfTheTotals()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(500, 8);
        FailureFilter filter = FailureFilter.builder().outChannel(StoreSamples.CHANNELS.get(1)).until(StoreSamples.T0.plus(Duration.ofDays(5))).build();
        long matching = records.stream().filter(record -> StoreSamples.matches(filter, record)).count();
        try (FailureStore store = open(new RetentionConfig(Duration.ZERO, 0, Duration.ofHours(1), 9), CLOCK)) {
            submitAll(store, records);
            assertThat(store.delete(filter)).isEqualTo(matching);
            assertThat(store.list(filter, Page.first(Page.MAX_LIMIT))).isEmpty();
            assertThat(store.status().records()).isEqualTo(records.size() - matching);
            for (StatsGrouping grouping : StatsGrouping.values()) {
                assertThat(store.stats(FailureFilter.ALL, grouping).total().count()).isEqualTo(records.size() - matching);
            }
        }
    }

    @Test
    void theStatusCountsRecordsAndWritesAndKnowsTheSizeOnDisk()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(300, 15);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.status().records()).isZero();
            submitAll(store, records);
            submitAll(store, records.subList(0, 10));
            StoreStatus status = store.status();
            assertThat(status.records()).isEqualTo(300);
            assertThat(status.insertedSinceStart()).isEqualTo(300);
            assertThat(status.updatedSinceStart()).isZero();
            assertThat(status.queueDepth()).isZero();
            assertThat(status.databaseBytes()).isPositive();
        }
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            assertThat(store.status().records()).isEqualTo(300);
            assertThat(store.status().insertedSinceStart()).isZero();
        }
    }

    @Test
    void theNodesFilterSelectsTheRecordsOfThoseNodes()
    {
        List<HtlcFailureRecord> records = StoreSamples.records(400, 16);
        try (FailureStore store = open(NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            for (Set<NodeId> nodes : List.of(Set.of(StoreSamples.PEERS.get(1)), Set.of(StoreSamples.PEERS.get(0), StoreSamples.PEERS.get(1)), Set.of(StoreSamples.PEERS.get(2)))) {
                FailureFilter filter = FailureFilter.builder().nodes(nodes).build();
                long expected = records.stream().filter(record -> nodes.contains(record.nodeId())).count();
                assertThat(store.list(filter, Page.first(Page.MAX_LIMIT))).hasSize((int) expected).allMatch(stored -> nodes.contains(stored.record().nodeId()));
                assertThat(store.stats(filter, StatsGrouping.REASON).total().count()).isEqualTo(expected);
            }
        }
    }

    @Test
    void aClosedStoreRefusesWritesClearly()
    {
        FailureStore store = open(NO_RETENTION, CLOCK);
        store.close();
        assertThatThrownBy(() -> store.submit(StoreSamples.records(1, 10).get(0)).get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("the store is closed");
        assertThatThrownBy(() -> store.list(FailureFilter.ALL, Page.first(1)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the store is closed");
    }

    protected static void submitAll(FailureStore store, List<HtlcFailureRecord> records)
    {
        List<CompletableFuture<WriteOutcome>> futures = records.stream().map(store::submit).toList();
        futures.forEach(CompletableFuture::join);
    }

    private static Map<Optional<GroupKey>, Long> countsByKey(FailureStats stats)
    {
        Map<Optional<GroupKey>, Long> counts = new HashMap<>();
        stats.groups().forEach(group -> counts.put(group.key(), group.totals().count()));
        return counts;
    }

    private static Map<Optional<GroupKey>, Long> countBy(List<HtlcFailureRecord> records, Function<HtlcFailureRecord, Optional<GroupKey>> key)
    {
        return records.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    private static FailureFilter randomFilter(Random random)
    {
        FailureFilter.Builder filter = FailureFilter.builder();
        int parts = 1 + random.nextInt(3);
        for (int i = 0; i < parts; i++) {
            switch (random.nextInt(13)) {
                case 0 -> filter.reasons(new HashSet<>(List.of(StoreSamples.REASONS.get(random.nextInt(StoreSamples.REASONS.size())), StoreSamples.REASONS.get(random.nextInt(StoreSamples.REASONS.size())))));
                case 1 -> filter.failcode(random.nextBoolean() ? 0x1007 : 0x400A);
                case 2 -> filter.type(random.nextBoolean() ? FailureType.FORWARD : FailureType.INTERCEPTED);
                case 3 -> filter.source(random.nextBoolean() ? FailureSource.LOCAL : FailureSource.DOWNSTREAM);
                case 4 -> filter.inChannel(StoreSamples.CHANNELS.get(random.nextInt(StoreSamples.CHANNELS.size())));
                case 5 -> filter.outChannel(StoreSamples.CHANNELS.get(random.nextInt(StoreSamples.CHANNELS.size())));
                case 6 -> filter.peer(StoreSamples.PEERS.get(random.nextInt(StoreSamples.PEERS.size())));
                case 7 -> filter.paymentHash(StoreSamples.HASHES.get(random.nextInt(StoreSamples.HASHES.size())));
                case 8 -> filter.since(StoreSamples.T0.plusSeconds(random.nextInt(10 * 86_400)));
                case 9 -> filter.until(StoreSamples.T0.plusSeconds(random.nextInt(10 * 86_400)));
                case 10 -> filter.minMsat(random.nextInt(10_000_000));
                case 11 -> filter.nodes(Set.of(StoreSamples.PEERS.get(random.nextInt(2))));
                default -> filter.maxMsat(random.nextInt(10_000_000));
            }
        }
        return filter.build();
    }
}
