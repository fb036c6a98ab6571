package io.failscope.store.sqlite;

import io.failscope.Throttled;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStats;
import io.failscope.store.FailureStore;
import io.failscope.store.Page;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StatsGrouping;
import io.failscope.store.StoreConfig;
import io.failscope.store.StoreException;
import io.failscope.store.StoreStatus;
import io.failscope.store.StoredFailure;
import io.failscope.store.WriteOutcome;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The embedded store: one SQLite file in WAL mode. Assembles the pieces: the {@link Writer} thread
 * (group commit) with its {@link RecordWriter} and {@link Dictionary}, {@link Queries} and
 * {@link Statistics} on a pool of read connections, {@link Retention}, a background thread for
 * checkpoints and scheduled retention, and while an older storage format is being moved, a
 * {@link Migration} thread.
 */
public final class SqliteFailureStore
        implements FailureStore
{
    public static final String FILE_NAME = "failscope.sqlite3";

    private static final System.Logger LOG = System.getLogger(SqliteFailureStore.class.getName());
    private static final long CHECKPOINT_MILLIS = 1_000;
    private static final int WRITER_CHECKPOINT_PAGES = 16_384;

    private final Database database;
    private final Dictionary dictionary = new Dictionary();
    private final Connection writeConnection;
    private final RecordWriter records;
    private final Writer writer;
    private final Retention retention;
    private final Clock clock;
    private final Connection checkpointConnection;
    private final ScheduledExecutorService background;
    private final CountDownLatch migrated = new CountDownLatch(1);
    private final Throttled throttled;
    private volatile boolean closed;

    private SqliteFailureStore(Path file, StoreConfig config, RetentionConfig retentionConfig, Clock clock, Connection writeConnection)
            throws SQLException
    {
        this.clock = clock;
        this.throttled = new Throttled(LOG, Duration.ofMinutes(1), clock);
        this.writeConnection = writeConnection;
        // The background connection checkpoints every second without blocking the writer; the writer
        // itself finishes a checkpoint only when the WAL passes 64 MB, so that the WAL gets to restart
        // (while it keeps appending, a checkpoint from another connection never catches up).
        try (Statement statement = writeConnection.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint = " + WRITER_CHECKPOINT_PAGES);
        }
        this.database = new Database(file);
        dictionary.load(writeConnection);
        this.records = new RecordWriter(writeConnection, dictionary);
        Optional<Migration> migration = Migration.pending(writeConnection, dictionary, records);
        migration.ifPresent(records::migrating);
        this.writer = new Writer(writeConnection, records, config.commitDelay());
        this.retention = new Retention(retentionConfig, writer, records, dictionary, database);
        this.checkpointConnection = Database.connect(file);
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "failscope-store-background");
            thread.setDaemon(true);
            return thread;
        });
        background.scheduleWithFixedDelay(this::checkpoint, CHECKPOINT_MILLIS, CHECKPOINT_MILLIS, TimeUnit.MILLISECONDS);
        if (retentionConfig.enabled()) {
            long period = retentionConfig.interval().toMillis();
            background.scheduleWithFixedDelay(this::scheduledRetention, period, period, TimeUnit.MILLISECONDS);
        }
        if (migration.isPresent()) {
            Thread mover = new Thread(() -> migrate(migration.get()), "failscope-store-migration");
            mover.setDaemon(true);
            mover.start();
        }
        else {
            migrated.countDown();
        }
    }

    /** Moves the records of the older storage format, a batch per writer job, until none is left. */
    private void migrate(Migration migration)
    {
        try {
            long moved = 0;
            long batch;
            do {
                batch = writer.run(migration::moveBatch);
                moved += batch;
            }
            while (batch > 0 && !closed);
            if (migration.done()) {
                LOG.log(Level.INFO, "moved " + moved + " HTLC failure records to storage format 2");
            }
        }
        catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.ERROR, "moving records to storage format 2 stopped; it goes on at the next start: " + e.getMessage(), e);
            }
        }
        finally {
            migrated.countDown();
        }
    }

    /** Waits until records of an older storage format have all moved (until then, queries do not see them). */
    public boolean awaitMigration(Duration timeout)
            throws InterruptedException
    {
        return migrated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens (creating it if needed) the database in {@code dataDirectory}, migrating an older schema.
     *
     * @throws StoreException when the directory or database cannot be used, or was written by a newer failscope
     */
    public static SqliteFailureStore open(Path dataDirectory, RetentionConfig retention, Clock clock)
    {
        return open(dataDirectory, StoreConfig.DEFAULT, retention, clock);
    }

    /**
     * Opens (creating it if needed) the database in {@code dataDirectory}, migrating an older schema.
     *
     * @throws StoreException when the directory or database cannot be used, or was written by a newer failscope
     */
    public static SqliteFailureStore open(Path dataDirectory, StoreConfig config, RetentionConfig retention, Clock clock)
    {
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(config, "config is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(clock, "clock is null");
        Path file = dataDirectory.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDirectory);
        }
        catch (Exception e) {
            throw new StoreException("cannot create the data directory " + dataDirectory + ": " + e.getMessage(), e);
        }
        Connection connection = null;
        try {
            Database.createIfMissing(file);
            connection = Database.connect(file, config.synchronous());
            Schema.migrate(connection, file.toString());
            Database.checkWritable(connection, file);
            return new SqliteFailureStore(file, config, retention, clock, connection);
        }
        catch (SQLException | RuntimeException e) {
            Database.closeQuietly(connection);
            if (e instanceof StoreException storeException) {
                throw storeException;
            }
            throw Faults.exception("cannot open the database " + file, e);
        }
    }

    public Path file()
    {
        return database.file();
    }

    @Override
    public CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
    {
        requireNonNull(record, "record is null");
        return writer.submit(record);
    }

    @Override
    public List<StoredFailure> list(FailureFilter filter, Page page)
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(page, "page is null");
        return database.read(connection -> Queries.list(connection, dictionary, filter, page));
    }

    @Override
    public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(grouping, "grouping is null");
        return database.read(connection -> Statistics.stats(connection, dictionary, filter, grouping));
    }

    @Override
    public long delete(FailureFilter filter)
    {
        requireNonNull(filter, "filter is null");
        return retention.delete(filter);
    }

    @Override
    public long enforceRetention(Instant now)
    {
        requireNonNull(now, "now is null");
        return retention.enforce(now, () -> closed);
    }

    @Override
    public StoreStatus status()
    {
        return new StoreStatus(records.counters().records(), database.bytesOnDisk(), writer.queueDepth(), writer.insertedSinceStart(), writer.updatedSinceStart());
    }

    /**
     * For tests: caps the database at its current size ({@code PRAGMA max_page_count}) so that the
     * next write needing a new page fails as on a full disk (SQLITE_FULL), or lifts the cap again.
     */
    void fillDisk(boolean full)
    {
        writer.run(connection -> {
            try (Statement statement = connection.createStatement()) {
                // a cap below the current size is raised to it
                statement.execute("PRAGMA max_page_count = " + (full ? 1 : 0xfffffffeL));
            }
            return 0;
        });
    }

    /** Copies committed pages from the WAL into the database without blocking the writer (PASSIVE). */
    private void checkpoint()
    {
        try (Statement statement = checkpointConnection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
        }
        catch (SQLException e) {
            if (!closed) {
                StoreException failure = Faults.exception("WAL checkpoint failed, will try again", e);
                throttled.log(Level.WARNING, "checkpoint " + failure.fault().name(), failure::getMessage);
            }
        }
    }

    private void scheduledRetention()
    {
        try {
            long pruned = enforceRetention(clock.instant());
            if (pruned > 0) {
                LOG.log(Level.INFO, "retention pruned " + pruned + " HTLC failure records");
            }
        }
        catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.WARNING, "retention failed, will try again: " + e.getMessage(), e);
            }
        }
    }

    /** Stops taking writes, writes everything already queued, and closes the database. */
    @Override
    public void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdown();
        try {
            background.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
        Database.closeQuietly(checkpointConnection);
        Database.closeQuietly(writeConnection);
        database.close();
    }
}
