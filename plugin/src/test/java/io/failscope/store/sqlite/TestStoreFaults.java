package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureFilter;
import io.failscope.store.Page;
import io.failscope.store.RetentionConfig;
import io.failscope.store.RetryBuffer;
import io.failscope.store.StoreException;
import io.failscope.store.StoreHealth;
import io.failscope.store.StoreSamples;
import io.failscope.store.WriteOutcome;
import io.failscope.testing.LogLines;
import io.failscope.testing.Mounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The SQLite store when the file system will not take a write (issue 12.4): the cause is named from
 * SQLite's result code, the first cause is the one reported, and the writer goes on once it is gone.
 */
final class TestStoreFaults
{
    private static final Clock CLOCK = Clock.fixed(StoreSamples.T0.plus(Duration.ofDays(10)), ZoneOffset.UTC);
    private static final String ENABLE = "run the tests as root where mount(8) is permitted to enable it";

    @TempDir
    Path directory;

    private final Mounts mounts = new Mounts();

    @AfterEach
    void unmount()
            throws Exception
    {
        mounts.close();
    }

    @Test
    void aReadOnlyDatabaseFileIsRefusedAtOpenNamingTheCause()
            throws Exception
    {
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, CLOCK)) {
            write(store, StoreSamples.records(10, 1));
        }
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        makeReadOnly(file);

        StoreException refused = (StoreException) catchThrowable(() -> SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, CLOCK));

        assertThat(refused).as("opening a read-only database must fail, not report healthy").isNotNull();
        assertThat(refused.fault()).isEqualTo(StoreException.Fault.READ_ONLY);
        assertThat(refused.getMessage()).startsWith("the database " + file + " cannot be written: " + StoreException.Fault.READ_ONLY.description());
    }

    @Test
    void aFullDatabaseNamesDiskFullAndTheWriterResumesWhenSpaceReturns()
            throws Exception
    {
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, CLOCK)) {
            List<HtlcFailureRecord> records = StoreSamples.records(3_000, 2);
            write(store, records.subList(0, 10));
            store.fillDisk(true);

            List<CompletableFuture<WriteOutcome>> failing = submit(store, records.subList(10, records.size()));
            for (CompletableFuture<WriteOutcome> future : failing) {
                Throwable failure = catchThrowable(future::join);
                assertThat(failure).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreException.class);
                StoreException cause = (StoreException) failure.getCause();
                assertThat(cause.fault()).isEqualTo(StoreException.Fault.DISK_FULL);
                assertThat(cause.getMessage()).startsWith("could not store the record: disk full").doesNotContain("no transaction is active");
            }
            assertThat(store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, OptionalLong.empty(), 10_000))).hasSize(10);

            store.fillDisk(false);
            write(store, records.subList(10, records.size()));

            assertThat(store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, OptionalLong.empty(), 10_000))).hasSize(records.size());
            assertThat(store.status().records()).isEqualTo(records.size());
        }
    }

    @Test
    void aFullFileSystemNamesDiskFullAndTheWriterResumesWhenSpaceIsFreed()
            throws Exception
    {
        Path small = Files.createDirectory(directory.resolve("small"));
        Optional<String> refused = mounts.tmpfs(small, 2048);
        Assumptions.assumeTrue(refused.isEmpty(), () -> "skipped: a 2 MB tmpfs cannot be mounted here (" + refused.orElse("") + "); " + ENABLE);
        try (SqliteFailureStore store = SqliteFailureStore.open(small, RetentionConfig.DEFAULT, CLOCK)) {
            // what is left of the 2 MB once the database exists, less 100 kB
            Path filler = small.resolve("filler");
            Files.write(filler, new byte[(int) Math.max(0, Files.getFileStore(small).getUsableSpace() - 100_000)]);
            List<HtlcFailureRecord> records = StoreSamples.records(5_000, 3);
            List<HtlcFailureRecord> failed = new ArrayList<>();
            StoreException firstFailure = null;
            for (int start = 0; start < records.size(); start += 500) {
                List<HtlcFailureRecord> chunk = records.subList(start, start + 500);
                List<CompletableFuture<WriteOutcome>> futures = submit(store, chunk);
                for (int i = 0; i < chunk.size(); i++) {
                    Throwable failure = catchThrowable(futures.get(i)::join);
                    if (failure != null) {
                        failed.add(chunk.get(i));
                        firstFailure = firstFailure == null ? (StoreException) failure.getCause() : firstFailure;
                    }
                }
            }
            assertThat(firstFailure).as("100 kB cannot take 5,000 records").isNotNull();
            assertThat(firstFailure.fault()).isEqualTo(StoreException.Fault.DISK_FULL);
            assertThat(firstFailure.getMessage()).startsWith("could not store the record: disk full").doesNotContain("no transaction is active");

            Files.delete(filler);
            write(store, failed);

            assertThat(store.status().records()).isEqualTo(records.size());
            assertThat(store.scan(FailureFilter.ALL, stored -> { })).isEqualTo(records.size());
        }
    }

    @Test
    void recordsWaitWhileTheDiskIsFullAndAreAllWrittenWhenSpaceReturnsWithOneLogLinePerCause()
            throws Exception
    {
        List<HtlcFailureRecord> records = StoreSamples.records(3_000, 5);
        try (LogLines log = new LogLines(); SqliteFailureStore sqlite = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, CLOCK);
                RetryBuffer buffer = new RetryBuffer(sqlite, 10_000, Clock.systemUTC(), Duration.ofMillis(20), Duration.ofMillis(100))) {
            sqlite.fillDisk(true);
            List<CompletableFuture<WriteOutcome>> futures = records.stream().map(buffer::submit).toList();
            // a few records may still fit in the pages the file has; the others wait
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (buffer.health().waiting() + buffer.health().written() < records.size() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            StoreHealth degraded = buffer.health();
            assertThat(degraded.health()).isEqualTo("degraded");
            assertThat(degraded.cause()).contains(StoreException.Fault.DISK_FULL);
            assertThat(degraded.waiting()).isGreaterThan(records.size() / 2);
            assertThat(degraded.waiting() + degraded.written()).isEqualTo(records.size());
            assertThat(futures.stream().filter(CompletableFuture::isDone).count()).as("only written records are acknowledged").isEqualTo(degraded.written());

            sqlite.fillDisk(false);
            futures.forEach(CompletableFuture::join);

            StoreHealth recovered = buffer.health();
            assertThat(recovered.health()).isEqualTo("ok");
            assertThat(recovered.cause()).isEmpty();
            assertThat(recovered.waiting()).isZero();
            assertThat(recovered.written()).isEqualTo(records.size());
            assertThat(recovered.dropped().values()).allMatch(count -> count == 0);
            assertThat(sqlite.status().records()).isEqualTo(records.size());
            // thousands of failed writes and dozens of retries within a minute: one line for the cause, no stack trace
            assertThat(log.warnings()).as("warnings: %s", log.warnings()).hasSize(1);
            assertThat(log.warnings().get(0)).startsWith("the store cannot write: disk full;");
            assertThat(log.stackTraces()).isZero();
        }
    }

    @Test
    void aStoreThatIsClosedSaysSo()
    {
        SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, CLOCK);
        store.close();
        assertThatThrownBy(() -> store.submit(StoreSamples.records(1, 4).get(0)).join())
                .hasCauseInstanceOf(StoreException.class)
                .cause().satisfies(cause -> assertThat(((StoreException) cause).fault()).isEqualTo(StoreException.Fault.CLOSED));
    }

    private void makeReadOnly(Path file)
            throws Exception
    {
        if (!"root".equals(System.getProperty("user.name"))) {
            assertThat(file.toFile().setWritable(false, false)).isTrue();
            return;
        }
        Optional<String> refused = mounts.readOnly(file);
        Assumptions.assumeTrue(refused.isEmpty(), () -> "skipped: root ignores file modes and a read-only bind mount is not permitted here (" + refused.orElse("") + "); " + ENABLE);
    }

    private static List<CompletableFuture<WriteOutcome>> submit(SqliteFailureStore store, List<HtlcFailureRecord> records)
    {
        return records.stream().map(store::submit).toList();
    }

    private static void write(SqliteFailureStore store, List<HtlcFailureRecord> records)
    {
        submit(store, records).forEach(CompletableFuture::join);
    }
}
