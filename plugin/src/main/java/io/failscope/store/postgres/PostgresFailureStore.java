package io.failscope.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The fleet store: several plugins, one per node, write to one PostgreSQL database and each can
 * answer for all of them. Assembles the pieces: a HikariCP pool (which reconnects by itself after
 * the server restarts), {@link PgSchema} applied under an advisory lock, the {@link PgWriter} thread,
 * {@link PgQueries} and {@link PgStatistics} on pooled connections, and a background thread for
 * retention, the sweep of abandoned index ranges and the status figures.
 *
 * <p>Retention applies per node: each plugin prunes the records of the nodes it has written since it
 * started (its own), by its own limits; another node's history is that node's plugin's to prune.
 */
public final class PostgresFailureStore
        implements FailureStore
{
    private static final System.Logger LOG = System.getLogger(PostgresFailureStore.class.getName());
    private static final int POOL_SIZE = 4;
    private static final long SWEEP_MILLIS = 2_000;
    private static final long FIGURES_MILLIS = 1_000;

    private final PostgresUrl url;
    private final HikariDataSource dataSource;
    private final PgNodes nodes = new PgNodes();
    private final PgWriter writer;
    private final PgDeletes deletes;
    private final RetentionConfig retention;
    private final Clock clock;
    private final ScheduledExecutorService background;
    private volatile long records;
    private volatile long databaseBytes;
    private volatile boolean closed;

    private PostgresFailureStore(PostgresUrl url, HikariDataSource dataSource, StoreConfig config, RetentionConfig retention, Clock clock)
    {
        this.url = url;
        this.dataSource = dataSource;
        this.retention = retention;
        this.clock = clock;
        this.writer = new PgWriter(dataSource, nodes, config.commitDelay());
        this.deletes = new PgDeletes(writer, nodes, retention);
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "failscope-store-background");
            thread.setDaemon(true);
            return thread;
        });
        background.scheduleWithFixedDelay(this::sweep, 0, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(this::readFigures, FIGURES_MILLIS, FIGURES_MILLIS, TimeUnit.MILLISECONDS);
        if (retention.enabled()) {
            long period = retention.interval().toMillis();
            background.scheduleWithFixedDelay(this::scheduledRetention, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Connects to {@code config.url()} and brings its schema up to date.
     *
     * @throws StoreException when the server cannot be reached, refuses the login, or holds a newer schema
     */
    public static PostgresFailureStore open(StoreConfig config, RetentionConfig retention, Clock clock)
    {
        requireNonNull(config, "config is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(clock, "clock is null");
        PostgresUrl url = config.url().orElseThrow(() -> new IllegalArgumentException("store.url is not set"));
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("failscope-store");
        pool.setJdbcUrl(url.jdbcUrl());
        pool.setUsername(url.user());
        if (config.passwordFile().isPresent()) {
            pool.setPassword(password(config.passwordFile().get()));
        }
        // otherwise the driver reads PGPASSFILE, or ~/.pgpass, as libpq does (pgjdbc 42.3 and later)
        url.parameters().forEach(pool::addDataSourceProperty);
        pool.addDataSourceProperty("ApplicationName", "failscope");
        // one multi-row INSERT per batch instead of one statement per row
        pool.addDataSourceProperty("reWriteBatchedInserts", "true");
        pool.setMaximumPoolSize(POOL_SIZE);
        pool.setMinimumIdle(1);
        // a query while the server is away fails after this, instead of hanging its caller
        pool.setConnectionTimeout(5_000);
        pool.setInitializationFailTimeout(10_000);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(pool);
        }
        catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            StoreException.Fault fault = cause instanceof SQLException sql ? PgFaults.fault(sql) : StoreException.Fault.UNREACHABLE;
            throw new StoreException(fault, "cannot connect to the database " + url + ": " + PgFaults.message(cause), e);
        }
        try (Connection connection = dataSource.getConnection()) {
            PgSchema.migrate(connection, url.toString());
        }
        catch (SQLException e) {
            dataSource.close();
            throw PgFaults.storeException("cannot open the database " + url, e);
        }
        catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        LOG.log(Level.INFO, "storing HTLC failures in PostgreSQL " + url);
        PostgresFailureStore store = new PostgresFailureStore(url, dataSource, config, retention, clock);
        store.readFigures();
        return store;
    }

    private static String password(Path file)
    {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty()) {
                throw new StoreException("store.password-file " + file + " is empty: its first line must be the password");
            }
            return lines.get(0);
        }
        catch (IOException e) {
            throw new StoreException("cannot read store.password-file " + file + ": " + e.getMessage(), e);
        }
    }

    public PostgresUrl url()
    {
        return url;
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
        return read("listing failures", connection -> PgQueries.list(connection, nodes, filter, page));
    }

    @Override
    public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(grouping, "grouping is null");
        return read("reading statistics", connection -> PgStatistics.stats(connection, nodes, filter, grouping));
    }

    @Override
    public long delete(FailureFilter filter)
    {
        requireNonNull(filter, "filter is null");
        long deleted = deletes.delete(filter);
        readFigures();
        return deleted;
    }

    /** Prunes, oldest first and a batch per job, the records of this plugin's nodes beyond the limits; daily totals stay. */
    @Override
    public long enforceRetention(Instant now)
    {
        requireNonNull(now, "now is null");
        return enforce(now, () -> closed);
    }

    private long enforce(Instant now, BooleanSupplier stop)
    {
        long pruned = deletes.prune(now, stop);
        if (pruned > 0) {
            readFigures();
        }
        return pruned;
    }

    @Override
    public StoreStatus status()
    {
        if (writer.fault().isEmpty() && !closed) {
            readFigures();
        }
        return new StoreStatus(Math.max(0, records), databaseBytes, writer.queueDepth(), writer.insertedSinceStart(), writer.updatedSinceStart());
    }

    @Override
    public String backend()
    {
        return "postgresql";
    }

    @Override
    public Optional<String> fault()
    {
        return writer.fault().map(current -> current.fault().description() + " since " + current.since() + ": " + current.message());
    }

    /** Reads the record count and database size; keeps the last ones while the server is away. */
    private void readFigures()
    {
        if (closed) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet row = statement.executeQuery("SELECT (SELECT COALESCE(SUM(records), 0) FROM node_records), pg_database_size(current_database())")) {
                row.next();
                records = row.getLong(1);
                databaseBytes = row.getLong(2);
            }
        }
        catch (SQLException | RuntimeException e) {
            // the writer reports the fault; the figures stay as last read
        }
    }

    /** Removes the index ranges of transactions whose backend has gone: they can never commit, and would hold every reader's horizon back. */
    private void sweep()
    {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            // another role's sessions may show no backend_start (without pg_read_all_stats): its pid alone then keeps the range
            int swept = statement.executeUpdate("DELETE FROM in_flight f WHERE NOT EXISTS"
                    + " (SELECT 1 FROM pg_stat_activity a WHERE a.pid = f.pid AND (a.backend_start = f.backend_start OR a.backend_start IS NULL))");
            if (swept > 0) {
                LOG.log(Level.INFO, "released " + swept + " index ranges of plugins that stopped mid-write");
            }
        }
        catch (SQLException | RuntimeException e) {
            // the server is away: the writer reports it
        }
    }

    private void scheduledRetention()
    {
        try {
            long pruned = enforce(clock.instant(), () -> closed);
            if (pruned > 0) {
                LOG.log(Level.INFO, "retention pruned " + pruned + " HTLC failure records");
            }
        }
        catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.WARNING, "retention failed, will try again: " + e.getMessage());
            }
        }
    }

    private interface Work<T>
    {
        T run(Connection connection)
                throws SQLException;
    }

    private <T> T read(String doing, Work<T> work)
    {
        if (closed) {
            throw new StoreException(StoreException.Fault.CLOSED, "the store is closed", null);
        }
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        }
        catch (SQLException e) {
            throw PgFaults.storeException(doing + " failed", e);
        }
    }

    /** Stops taking writes, writes everything already queued, and closes the pool. */
    @Override
    public void close()
    {
        if (closed) {
            return;
        }
        background.shutdown();
        try {
            background.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
        closed = true;
        dataSource.close();
    }
}
