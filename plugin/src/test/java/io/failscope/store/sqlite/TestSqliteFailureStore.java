package io.failscope.store.sqlite;

import io.failscope.reason.LocalReason;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.record.RecordedReason;
import io.failscope.record.UnknownFields;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStats;
import io.failscope.store.FailureStore;
import io.failscope.store.FailureStoreContract;
import io.failscope.store.Page;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StatsGrouping;
import io.failscope.store.StoreException;
import io.failscope.store.StoreSamples;
import io.failscope.store.StoredFailure;
import io.failscope.testing.RandomRecords;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.TlvRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on SQLite, and what only SQLite has: its schema versions and its file. */
final class TestSqliteFailureStore
        extends FailureStoreContract
{
    @TempDir
    Path directory;

    @Override
    protected FailureStore open(RetentionConfig retention, Clock clock)
    {
        return SqliteFailureStore.open(directory, retention, clock);
    }

    /** SQLite keeps every grouping in its totals. */
    @Override
    protected List<StatsGrouping> splittableGroupings()
    {
        return List.of(StatsGrouping.values());
    }

    @Test
    void everyKindOfRecordReadsBackEqualAndReencodesToTheSameBytes()
            throws Exception
    {
        RandomRecords random = new RandomRecords(21);
        List<HtlcFailureRecord> records = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            HtlcFailureRecord record = random.next();
            // distinct identities, so that no record is merged into another
            if (record.inChannel().isPresent()) {
                records.add(record.toBuilder().inHtlcId(i).build());
            }
            else {
                records.add(record.sendId().isPresent() ? record.toBuilder().sendId(i).build() : record);
            }
        }
        // fields of a newer writer (the next free odd types, as a new record field takes them), in the record and in the reason
        records.add(StoreSamples.records(1, 22).get(0).toBuilder()
                .reason(RecordedReason.fromCode(0x1007))
                .unknownFields(new UnknownFields(List.of(new TlvRecord(1001, Bytes.fromHex("0102")), new TlvRecord(1003, Bytes.EMPTY)), List.of(new TlvRecord(1, Bytes.fromHex("ff")))))
                .build());
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            submitAll(store, records);
            List<StoredFailure> stored = new ArrayList<>();
            store.scan(FailureFilter.ALL, stored::add);
            assertThat(stored).hasSize(records.size());
            for (int i = 0; i < records.size(); i++) {
                HtlcFailureRecord expected = records.get(i).toBuilder().createdIndex(i + 1).build();
                assertThat(stored.get(i).record()).isEqualTo(expected);
                assertThat(RecordCodec.encode(stored.get(i).record())).isEqualTo(RecordCodec.encode(expected));
            }
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
            assertThat(store.awaitMigration(Duration.ofMinutes(1))).isTrue();
            List<StoredFailure> all = store.list(FailureFilter.ALL, Page.first(10));
            assertThat(all).extracting(StoredFailure::createdIndex).containsExactly(1L, 2L, 3L);
            assertThat(all.get(0).record().reason().orElseThrow().reason().reason()).isEqualTo(LocalReason.CHANNEL_BALANCE_OVERDRAWN);
            // the peer columns that version 2 added were filled from the records
            assertThat(store.list(FailureFilter.builder().peer(StoreSamples.PEERS.get(2)).build(), Page.first(10)))
                    .extracting(StoredFailure::createdIndex).containsExactly(1L, 2L);
            // and new records continue after the stored counter
            assertThat(store.submit(StoreSamples.records(1, 9).get(0)).get().createdIndex()).isEqualTo(4);
        }
        try (Connection connection = Database.connect(directory.resolve(SqliteFailureStore.FILE_NAME))) {
            assertThat(Schema.version(connection)).isEqualTo(Schema.CURRENT_VERSION);
        }
    }

    @Test
    void everyRecordOfTheCheckedInSchemaVersion5DatabaseReadsBackEqualAndReencodesToItsBytes()
            throws Exception
    {
        Map<Long, byte[]> blobs = V2EraDatabase.copyTo(directory);
        assertThat(blobs).hasSizeGreaterThanOrEqualTo(10_000);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            assertThat(store.awaitMigration(Duration.ofMinutes(1))).isTrue();
            int read = 0;
            long next = 1;
            List<StoredFailure> page;
            do {
                page = store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, OptionalLong.of(next), Page.MAX_LIMIT));
                for (StoredFailure stored : page) {
                    byte[] blob = blobs.get(stored.createdIndex());
                    assertThat(stored.record()).isEqualTo(RecordCodec.decode(blob).record());
                    assertThat(RecordCodec.encode(stored.record()).toArray()).isEqualTo(blob);
                    next = stored.createdIndex() + 1;
                    read++;
                }
            }
            while (!page.isEmpty());
            assertThat(read).isEqualTo(blobs.size());
            // the totals moved with the records: every grouping counts them all, and splits them all
            for (StatsGrouping grouping : StatsGrouping.values()) {
                FailureStats stats = store.stats(FailureFilter.ALL, grouping);
                assertThat(stats.total().count()).as("%s", grouping).isEqualTo(blobs.size());
                assertThat(stats.unsplit()).as("%s", grouping).isEqualTo(FailureStats.Totals.ZERO);
            }
            assertThat(store.status().records()).isEqualTo(blobs.size());
        }
    }

    @Test
    void readsTheGoldenDatabaseOfStorageFormat2RecordForRecord()
            throws Exception
    {
        try (InputStream in = getClass().getResourceAsStream("/databases/schema-v7.sqlite3")) {
            Files.copy(in, directory.resolve(SqliteFailureStore.FILE_NAME));
        }
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("/databases/schema-v7.records.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> actual = new ArrayList<>();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, NO_RETENTION, CLOCK)) {
            store.scan(FailureFilter.ALL, stored -> actual.add(stored.createdIndex() + " " + stored.updatedIndex().orElse(0) + " " + RecordCodec.encode(stored.record()).hex()));
        }
        assertThat(actual).hasSizeGreaterThan(300).isEqualTo(expected);
    }

    @Test
    void refusesADatabaseFromANewerVersionSayingWhichVersionIsNeeded()
    {
        SqliteFailureStore.open(directory, NO_RETENTION, CLOCK).close();
        try (Connection connection = Database.connect(directory.resolve(SqliteFailureStore.FILE_NAME)); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA user_version = 99");
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> SqliteFailureStore.open(directory, NO_RETENTION, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("has schema version 99, written by a newer failscope; this version reads schema versions up to " + Schema.CURRENT_VERSION)
                .hasMessageContaining("supports schema version 99");
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
}
