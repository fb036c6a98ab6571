package io.failscope.store;

import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestSqliteFailureStore
{
    private static final Clock CLOCK = Clock.fixed(StoreSamples.T0.plus(Duration.ofDays(10)), ZoneOffset.UTC);
    private static final RetentionConfig NO_RETENTION = RetentionConfig.DEFAULT;

    @TempDir
    Path directory;

    @Test
    void aStoredRecordReadsBackWithItsCreatedIndex()
            throws Exception
    {
        HtlcFailureRecord record = StoreSamples.records(1, 1).get(0);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            assertThat(store.submit(record).get()).isEqualTo(new WriteOutcome(WriteOutcome.Kind.INSERTED, 1));
            List<StoredFailure> stored = store.list(FailureFilter.ALL, Page.first(10));
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).createdIndex()).isEqualTo(1);
            assertThat(stored.get(0).updatedIndex()).isEmpty();
            assertThat(stored.get(0).record()).isEqualTo(record.toBuilder().createdIndex(1).build());
        }
        // and after a reopen
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
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
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
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
            assertThat(store.list(FailureFilter.ALL, new Page(Page.Index.UPDATED, java.util.OptionalLong.of(2), 10))).hasSize(1);
            assertThat(store.list(FailureFilter.ALL, new Page(Page.Index.UPDATED, java.util.OptionalLong.of(3), 10))).isEmpty();

            // the same HTLC id on another channel, or with another failure type, is another HTLC
            assertThat(store.submit(offered.toBuilder().inChannel(ShortChannelId.parse("105x2x1")).build()).get().kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            assertThat(store.submit(offered.toBuilder().type(FailureType.INTERCEPTED).build()).get().kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
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
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
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
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            store.submit(records.get(0)).get();
            WriteOutcome second = store.submit(records.get(1)).get();
            assertThat(second.createdIndex()).isEqualTo(2);
            assertThat(store.delete(FailureFilter.builder().inChannel(records.get(1).inChannel().orElseThrow()).build())).isPositive();
        }
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            assertThat(store.submit(records.get(2)).get().createdIndex()).isEqualTo(3);
        }
    }

    @Test
    void everyFilterReturnsWhatTheReferenceFilterSelectsInIndexOrder()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(1500, 3);
        Random random = new Random(4);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
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
                    List<Long> page = store.list(filter, new Page(Page.Index.CREATED, java.util.OptionalLong.of(start), 2)).stream().map(StoredFailure::createdIndex).toList();
                    assertThat(page).containsExactly(expected.get(2), expected.get(3));
                }
            }
        }
    }

    @Test
    void pagesHaveNoGapsOrDuplicatesWhileInsertsContinue()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(3000, 5);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
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
                List<StoredFailure> page = store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, java.util.OptionalLong.of(next), 40));
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
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(2000, 6);
        RetentionConfig retention = new RetentionConfig(Duration.ofDays(4), 0, Duration.ofHours(1), 37);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, retention, CLOCK)) {
            submitAll(store, records);
            FailureFilter dayAligned = FailureFilter.builder().since(StoreSamples.T0.plus(Duration.ofDays(1))).until(StoreSamples.T0.plus(Duration.ofDays(8))).build();
            List<StatsGrouping> splittable = List.of(StatsGrouping.REASON, StatsGrouping.FAILCODE, StatsGrouping.TYPE, StatsGrouping.OUT_CHANNEL, StatsGrouping.DAY);
            List<FailureStats> before = new ArrayList<>();
            for (StatsGrouping grouping : splittable) {
                before.add(store.stats(FailureFilter.ALL, grouping));
                before.add(store.stats(dayAligned, grouping));
            }
            FailureStats inChannelBefore = store.stats(FailureFilter.ALL, StatsGrouping.IN_CHANNEL);

            long expectedPruned = records.stream().filter(record -> record.receivedTime().isBefore(CLOCK.instant().minus(Duration.ofDays(4)))).count();
            assertThat(expectedPruned).isBetween(500L, 1500L);
            assertThat(store.enforceRetention(CLOCK.instant())).isEqualTo(expectedPruned);
            assertThat(store.list(FailureFilter.ALL, Page.first(Page.MAX_LIMIT))).hasSize(records.size() - (int) expectedPruned);
            assertThat(store.enforceRetention(CLOCK.instant())).isZero();

            List<FailureStats> after = new ArrayList<>();
            for (StatsGrouping grouping : splittable) {
                after.add(store.stats(FailureFilter.ALL, grouping));
                after.add(store.stats(dayAligned, grouping));
            }
            assertThat(after).isEqualTo(before);
            // a grouping rollups cannot split keeps its total and says how much it could not split
            FailureStats inChannelAfter = store.stats(FailureFilter.ALL, StatsGrouping.IN_CHANNEL);
            assertThat(inChannelAfter.total()).isEqualTo(inChannelBefore.total());
            assertThat(inChannelAfter.unsplit().count()).isEqualTo(expectedPruned);
        }
    }

    @Test
    void statisticsOverAnyTimeRangeMatchTheRecords()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(1200, 11);
        Random random = new Random(12);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            for (int i = 0; i < 60; i++) {
                FailureFilter.Builder range = FailureFilter.builder();
                if (random.nextInt(4) > 0) {
                    range.since(StoreSamples.T0.plusSeconds(random.nextInt(10 * 86_400)).plusNanos(random.nextInt(1_000_000_000)));
                }
                if (random.nextInt(4) > 0) {
                    range.until(StoreSamples.T0.plusSeconds(random.nextInt(11 * 86_400)));
                }
                FailureFilter filter = range.build();
                List<HtlcFailureRecord> selected = records.stream().filter(record -> StoreSamples.matches(filter, record)).toList();
                for (StatsGrouping grouping : List.of(StatsGrouping.REASON, StatsGrouping.OUT_CHANNEL, StatsGrouping.DAY, StatsGrouping.HOUR)) {
                    FailureStats stats = store.stats(filter, grouping);
                    assertThat(stats.total().count()).as("%s %s", grouping, filter).isEqualTo(selected.size());
                    assertThat(stats.total().amountMsat()).isEqualTo(selected.stream().mapToLong(record -> record.inMsat().getAsLong()).sum());
                    assertThat(stats.total().missedFeeMsat()).isEqualTo(selected.stream().mapToLong(Rows::missedFeeMsat).sum());
                    assertThat(stats.unsplit()).isEqualTo(FailureStats.Totals.ZERO);
                }
                Map<Object, Long> byReason = new HashMap<>();
                selected.forEach(record -> byReason.merge(record.reason().map(reason -> (Object) (long) reason.reason().reason().index()).orElse("none"), 1L, Long::sum));
                Map<Object, Long> actual = new HashMap<>();
                store.stats(filter, StatsGrouping.REASON).groups().forEach(group -> actual.put(group.key() == null ? "none" : group.key(), group.totals().count()));
                assertThat(actual).as("%s", filter).isEqualTo(byReason);
            }
        }
    }

    @Test
    void aRowCapKeepsTheNewestRows()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(100, 7);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, new RetentionConfig(Duration.ZERO, 30, Duration.ofHours(1), 8), CLOCK)) {
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
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, new RetentionConfig(Duration.ZERO, 5, Duration.ofSeconds(1), 3), CLOCK)) {
            submitAll(store, records);
            // no call to enforceRetention: the store's own schedule prunes down to the cap
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (store.list(FailureFilter.ALL, Page.first(100)).size() > 5 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(store.list(FailureFilter.ALL, Page.first(100))).extracting(StoredFailure::createdIndex).containsExactly(36L, 37L, 38L, 39L, 40L);
            assertThat(store.stats(FailureFilter.ALL, StatsGrouping.TYPE).total().count()).isEqualTo(40);
        }
    }

    @Test
    void deleteRemovesOnlyWhatMatchesAndLeavesNoRollup()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(500, 8);
        FailureFilter filter = FailureFilter.builder().outChannel(StoreSamples.CHANNELS.get(1)).until(StoreSamples.T0.plus(Duration.ofDays(5))).build();
        long matching = records.stream().filter(record -> StoreSamples.matches(filter, record)).count();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, new RetentionConfig(Duration.ZERO, 0, Duration.ofHours(1), 9), CLOCK)) {
            submitAll(store, records);
            assertThat(store.delete(filter)).isEqualTo(matching);
            assertThat(store.list(filter, Page.first(Page.MAX_LIMIT))).isEmpty();
            assertThat(store.stats(FailureFilter.ALL, StatsGrouping.REASON).total().count()).isEqualTo(records.size() - matching);
        }
    }

    @Test
    void opensAndMigratesACheckedInSchemaVersion1Database()
            throws Exception
    {
        try (InputStream in = getClass().getResourceAsStream("/databases/schema-v1.sqlite3")) {
            Files.copy(in, directory.resolve(SqliteFailureStore.FILE_NAME));
        }
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            List<StoredFailure> all = store.list(FailureFilter.ALL, Page.first(10));
            assertThat(all).extracting(StoredFailure::createdIndex).containsExactly(1L, 2L, 3L);
            assertThat(all.get(0).record().reason().orElseThrow().reason().reason()).isEqualTo(LocalReason.CHANNEL_BALANCE_OVERDRAWN);
            // the peer columns that version 2 added were filled from the records
            assertThat(store.list(FailureFilter.builder().peer(StoreSamples.PEERS.get(2)).build(), Page.first(10)))
                    .extracting(StoredFailure::createdIndex).containsExactly(1L, 2L);
            // and new records continue after the stored counter
            assertThat(store.submit(StoreSamples.records(1, 9).get(0)).get().createdIndex()).isEqualTo(4);
        }
        try (Connection connection = SqliteFailureStore.connect(directory.resolve(SqliteFailureStore.FILE_NAME))) {
            assertThat(Schema.version(connection)).isEqualTo(Schema.CURRENT_VERSION);
        }
    }

    @Test
    void everyRecordOfTheCheckedInSchemaVersion5DatabaseReadsBackEqualAndReencodesToItsBytes()
            throws Exception
    {
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        try (InputStream in = getClass().getResourceAsStream("/databases/schema-v5.sqlite3")) {
            Files.copy(in, file);
        }
        Map<Long, byte[]> blobs = new HashMap<>();
        try (Connection connection = SqliteFailureStore.connect(file); Statement statement = connection.createStatement();
                java.sql.ResultSet rows = statement.executeQuery("SELECT created_index, record FROM htlc_failures")) {
            while (rows.next()) {
                blobs.put(rows.getLong(1), rows.getBytes(2));
            }
        }
        assertThat(blobs).hasSizeGreaterThanOrEqualTo(10_000);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            int read = 0;
            long next = 1;
            List<StoredFailure> page;
            do {
                page = store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, java.util.OptionalLong.of(next), Page.MAX_LIMIT));
                for (StoredFailure stored : page) {
                    byte[] blob = blobs.get(stored.createdIndex());
                    assertThat(stored.record()).isEqualTo(io.failscope.record.RecordCodec.decode(blob).record());
                    assertThat(io.failscope.record.RecordCodec.encode(stored.record()).toArray()).isEqualTo(blob);
                    next = stored.createdIndex() + 1;
                    read++;
                }
            }
            while (!page.isEmpty());
            assertThat(read).isEqualTo(blobs.size());
        }
    }

    @Test
    void refusesADatabaseFromANewerVersionSayingWhichVersionIsNeeded()
    {
        SqliteFailureStore.open(directory, NO_RETENTION, CLOCK).close();
        try (Connection connection = SqliteFailureStore.connect(directory.resolve(SqliteFailureStore.FILE_NAME)); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA user_version = 7");
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> SqliteFailureStore.open(directory, NO_RETENTION, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("has schema version 7, written by a newer failscope; this version reads schema versions up to " + Schema.CURRENT_VERSION)
                .hasMessageContaining("supports schema version 7");
    }

    @Test
    void aClosedStoreRefusesWritesClearly()
    {
        SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK);
        store.close();
        assertThatThrownBy(() -> store.submit(StoreSamples.records(1, 10).get(0)).get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("the store is closed");
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsAClearError()
            throws Exception
    {
        Path file = directory.resolve("not-a-directory");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> SqliteFailureStore.open(file.resolve("data"), NO_RETENTION, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot create the data directory " + file.resolve("data"));
    }

    private static void submitAll(FailureStore store, List<HtlcFailureRecord> records)
    {
        List<CompletableFuture<WriteOutcome>> futures = records.stream().map(store::submit).toList();
        futures.forEach(CompletableFuture::join);
    }

    private static FailureFilter randomFilter(Random random)
    {
        FailureFilter.Builder filter = FailureFilter.builder();
        int parts = 1 + random.nextInt(3);
        for (int i = 0; i < parts; i++) {
            switch (random.nextInt(12)) {
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
                default -> filter.maxMsat(random.nextInt(10_000_000));
            }
        }
        return filter.build();
    }
}
