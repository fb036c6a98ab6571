package io.failscope.store;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.tlv.DecodeException;
import org.sqlite.SQLiteConfig;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The SQLite store: one file in WAL mode, one writer thread that commits queued records in groups
 * (one sync per group), and a few read connections for queries.
 */
public final class SqliteFailureStore
        implements FailureStore
{
    public static final String FILE_NAME = "failscope.sqlite3";

    private static final System.Logger LOG = System.getLogger(SqliteFailureStore.class.getName());
    private static final int MAX_GROUP = 16_384;
    private static final long CHECKPOINT_MILLIS = 1_000;
    private static final int WRITER_CHECKPOINT_PAGES = 16_384;
    private static final int READERS = 2;
    private static final int CACHE_KIB = 32 * 1024;
    private static final String COLUMNS = "type, source, failcode, reason, in_channel, in_htlc_id, out_channel, in_peer_key, out_peer_key, payment_hash_key, received_ns, amount_msat, missed_fee_msat, record";

    private final Path file;
    private final RetentionConfig retention;
    private final Clock clock;
    private final Connection writeConnection;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final ScheduledExecutorService background;
    private final Connection checkpointConnection;
    private volatile boolean closed;

    private long lastCreated;
    private long lastUpdated;

    // Prepared once: the writer thread is their only user.
    private final PreparedStatement insertStatement;
    private final PreparedStatement updateStatement;
    private final PreparedStatement identityStatement;
    private final PreparedStatement counterStatement;
    private final PreparedStatement timeBlockStatement;

    private sealed interface Task permits Insert, Job, Stop {}

    private record Insert(HtlcFailureRecord record, CompletableFuture<WriteOutcome> future) implements Task {}

    private record Job(SqlWork work, CompletableFuture<Long> future) implements Task {}

    private record Stop() implements Task {}

    private interface SqlWork
    {
        long run(Connection connection)
                throws SQLException;
    }

    private SqliteFailureStore(Path file, RetentionConfig retention, Clock clock, Connection writeConnection)
            throws SQLException
    {
        this.file = file;
        this.retention = retention;
        this.clock = clock;
        this.writeConnection = writeConnection;
        this.lastCreated = counter("created_index");
        this.lastUpdated = counter("updated_index");
        this.insertStatement = writeConnection.prepareStatement(
                "INSERT INTO htlc_failures (created_index, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        this.updateStatement = writeConnection.prepareStatement(
                "UPDATE htlc_failures SET updated_index = ?, type = ?, source = ?, failcode = ?, reason = ?, in_channel = ?, in_htlc_id = ?, out_channel = ?,"
                        + " in_peer_key = ?, out_peer_key = ?, payment_hash_key = ?, received_ns = ?, amount_msat = ?, missed_fee_msat = ?, record = ? WHERE created_index = ?");
        this.identityStatement = writeConnection.prepareStatement(
                "SELECT created_index, updated_index, record FROM htlc_failures WHERE in_channel = ? AND in_htlc_id = ? AND type = ?");
        this.counterStatement = writeConnection.prepareStatement("UPDATE counters SET value = ? WHERE name = ?");
        this.timeBlockStatement = writeConnection.prepareStatement(
                "INSERT INTO time_blocks (block, max_received_ns) VALUES (?, ?) ON CONFLICT (block) DO UPDATE SET max_received_ns = MAX(max_received_ns, excluded.max_received_ns)");
        // The background connection checkpoints every second without blocking the writer; the writer
        // itself finishes a checkpoint only when the WAL passes 64 MB, so that the WAL gets to restart
        // (while it keeps appending, a checkpoint from another connection never catches up).
        try (Statement statement = writeConnection.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint = " + WRITER_CHECKPOINT_PAGES);
        }
        for (int i = 0; i < READERS; i++) {
            readers.add(connect(file));
        }
        this.writer = new Thread(this::writeLoop, "failscope-store-writer");
        this.writer.setDaemon(true);
        this.writer.start();
        this.checkpointConnection = connect(file);
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "failscope-store-background");
            thread.setDaemon(true);
            return thread;
        });
        background.scheduleWithFixedDelay(this::checkpoint, CHECKPOINT_MILLIS, CHECKPOINT_MILLIS, TimeUnit.MILLISECONDS);
        if (retention.enabled()) {
            long period = retention.interval().toMillis();
            background.scheduleWithFixedDelay(this::scheduledRetention, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens (creating it if needed) the database in {@code dataDirectory}, migrating an older schema.
     *
     * @throws StoreException when the directory or database cannot be used, or was written by a newer failscope
     */
    public static SqliteFailureStore open(Path dataDirectory, RetentionConfig retention, Clock clock)
    {
        requireNonNull(dataDirectory, "dataDirectory is null");
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
            connection = connect(file);
            Schema.migrate(connection, file.toString());
            return new SqliteFailureStore(file, retention, clock, connection);
        }
        catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            if (e instanceof StoreException storeException) {
                throw storeException;
            }
            throw new StoreException("cannot open the database " + file + ": " + e.getMessage(), e);
        }
    }

    static Connection connect(Path file)
            throws SQLException
    {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a commit is on disk before its futures complete, even across a power loss.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        // Ten indexes take inserts at random places: a page cache of 2 MB (SQLite's default) thrashes.
        config.setCacheSize(-CACHE_KIB);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    }

    public Path file()
    {
        return file;
    }

    @Override
    public CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
    {
        requireNonNull(record, "record is null");
        CompletableFuture<WriteOutcome> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new StoreException("the store is closed"));
            return future;
        }
        queue.add(new Insert(record, future));
        return future;
    }

    // ---- writing ------------------------------------------------------------------------------

    private void writeLoop()
    {
        List<Task> tasks = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                tasks.add(queue.take());
                queue.drainTo(tasks, MAX_GROUP - 1);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            List<Insert> group = new ArrayList<>();
            boolean stop = false;
            for (Task task : tasks) {
                if (task instanceof Insert insert) {
                    group.add(insert);
                    continue;
                }
                writeGroup(group);
                group.clear();
                if (task instanceof Job job) {
                    runJob(job);
                }
                else {
                    // Stop: what was drained with it is still written; close() fails anything queued later
                    stop = true;
                }
            }
            writeGroup(group);
            tasks.clear();
            if (stop) {
                return;
            }
        }
    }

    /** Writes a group in one transaction; if it fails, writes each record alone so one bad record fails alone. */
    private void writeGroup(List<Insert> group)
    {
        if (group.isEmpty()) {
            return;
        }
        List<WriteOutcome> outcomes = inTransaction(connection -> {
            List<WriteOutcome> results = new ArrayList<>(group.size());
            TimeBlocks blocks = new TimeBlocks();
            for (Insert insert : group) {
                WriteOutcome outcome = write(insert.record());
                results.add(outcome);
                blocks.add(outcome, insert.record());
            }
            blocks.save();
            return results;
        });
        if (outcomes != null) {
            for (int i = 0; i < group.size(); i++) {
                group.get(i).future().complete(outcomes.get(i));
            }
            return;
        }
        for (Insert insert : group) {
            try {
                List<WriteOutcome> single = inTransactionOrThrow(connection -> {
                    WriteOutcome outcome = write(insert.record());
                    TimeBlocks blocks = new TimeBlocks();
                    blocks.add(outcome, insert.record());
                    blocks.save();
                    return List.of(outcome);
                });
                insert.future().complete(single.get(0));
            }
            catch (SQLException | RuntimeException e) {
                LOG.log(Level.ERROR, "could not store an HTLC failure record: " + e.getMessage(), e);
                insert.future().completeExceptionally(new StoreException("could not store the record: " + e.getMessage(), e));
            }
        }
    }

    private WriteOutcome write(HtlcFailureRecord incoming)
            throws SQLException
    {
        long createdIndex = lastCreated + 1;
        HtlcFailureRecord record = incoming.toBuilder().createdIndex(createdIndex).build();
        insertStatement.setLong(1, createdIndex);
        bindColumns(insertStatement, 2, record);
        if (insertStatement.executeUpdate() == 1) {
            lastCreated = createdIndex;
            return new WriteOutcome(WriteOutcome.Kind.INSERTED, createdIndex);
        }
        // The HTLC is stored already: fold the new event in.
        StoredFailure stored = findByIdentity(incoming)
                .orElseThrow(() -> new SQLException("insert conflicted but no row has the identity of " + incoming.inChannel() + "/" + incoming.inHtlcId()));
        HtlcFailureRecord merged = RecordMerge.merge(stored.record(), incoming);
        if (merged.equals(stored.record())) {
            return new WriteOutcome(WriteOutcome.Kind.UNCHANGED, stored.createdIndex());
        }
        long updatedIndex = lastUpdated + 1;
        updateStatement.setLong(1, updatedIndex);
        bindColumns(updateStatement, 2, merged);
        updateStatement.setLong(16, stored.createdIndex());
        updateStatement.executeUpdate();
        lastUpdated = updatedIndex;
        return new WriteOutcome(WriteOutcome.Kind.UPDATED, stored.createdIndex());
    }

    /** The latest received time per block of created indexes, gathered over a group and saved with it. */
    private final class TimeBlocks
    {
        private final Map<Long, Long> maxReceived = new LinkedHashMap<>();

        void add(WriteOutcome outcome, HtlcFailureRecord record)
        {
            if (outcome.kind() == WriteOutcome.Kind.INSERTED) {
                maxReceived.merge(outcome.createdIndex() >> Schema.BLOCK_SHIFT, Rows.receivedNanos(record), Math::max);
            }
        }

        void save()
                throws SQLException
        {
            for (Map.Entry<Long, Long> block : maxReceived.entrySet()) {
                timeBlockStatement.setLong(1, block.getKey());
                timeBlockStatement.setLong(2, block.getValue());
                timeBlockStatement.executeUpdate();
            }
        }
    }

    private static void bindColumns(PreparedStatement statement, int first, HtlcFailureRecord record)
            throws SQLException
    {
        int i = first;
        statement.setInt(i++, record.type().code());
        statement.setInt(i++, record.source().code());
        Rows.setNullableInt(statement, i++, record.wireCode());
        Rows.setNullableInt(statement, i++, Rows.reasonIndex(record));
        Rows.setNullableLong(statement, i++, record.inChannel().map(ShortChannelId::value));
        Rows.setNullableLong(statement, i++, record.inHtlcId());
        Rows.setNullableLong(statement, i++, record.outChannel().map(ShortChannelId::value));
        Rows.setNullableLong(statement, i++, record.inPeer().map(Rows::peerKey));
        Rows.setNullableLong(statement, i++, record.outPeer().map(Rows::peerKey));
        Rows.setNullableLong(statement, i++, record.paymentHash().map(Rows::paymentHashKey));
        statement.setLong(i++, Rows.receivedNanos(record));
        Rows.setNullableLong(statement, i++, Rows.amountMsat(record));
        statement.setLong(i++, Rows.missedFeeMsat(record));
        statement.setBytes(i, RecordCodec.encode(record).toArray());
    }

    private Optional<StoredFailure> findByIdentity(HtlcFailureRecord record)
            throws SQLException
    {
        if (record.inChannel().isEmpty() || record.inHtlcId().isEmpty()) {
            return Optional.empty();
        }
        identityStatement.setLong(1, record.inChannel().get().value());
        identityStatement.setLong(2, record.inHtlcId().getAsLong());
        identityStatement.setInt(3, record.type().code());
        try (ResultSet row = identityStatement.executeQuery()) {
            return row.next() ? Optional.of(storedFailure(row)) : Optional.empty();
        }
    }

    private void runJob(Job job)
    {
        try {
            List<Long> result = inTransactionOrThrow(connection -> List.of(job.work().run(connection)));
            job.future().complete(result.get(0));
        }
        catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "a store job failed: " + e.getMessage(), e);
            job.future().completeExceptionally(new StoreException(e.getMessage(), e));
        }
    }

    private interface TransactionBody<T>
    {
        List<T> run(Connection connection)
                throws SQLException;
    }

    /** Runs {@code body} in a transaction; null when it failed (and was rolled back). */
    private <T> List<T> inTransaction(TransactionBody<T> body)
    {
        try {
            return inTransactionOrThrow(body);
        }
        catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "a group write failed, retrying its records one by one: " + e.getMessage());
            return null;
        }
    }

    private <T> List<T> inTransactionOrThrow(TransactionBody<T> body)
            throws SQLException
    {
        long createdBefore = lastCreated;
        long updatedBefore = lastUpdated;
        writeConnection.setAutoCommit(false);
        try {
            List<T> result = body.run(writeConnection);
            saveCounter("created_index", lastCreated, createdBefore);
            saveCounter("updated_index", lastUpdated, updatedBefore);
            writeConnection.commit();
            return result;
        }
        catch (SQLException | RuntimeException e) {
            lastCreated = createdBefore;
            lastUpdated = updatedBefore;
            try {
                writeConnection.rollback();
            }
            catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        finally {
            writeConnection.setAutoCommit(true);
        }
    }

    private void saveCounter(String name, long value, long before)
            throws SQLException
    {
        if (value == before) {
            return;
        }
        counterStatement.setLong(1, value);
        counterStatement.setString(2, name);
        counterStatement.executeUpdate();
    }

    private long counter(String name)
            throws SQLException
    {
        try (PreparedStatement select = writeConnection.prepareStatement("SELECT value FROM counters WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new StoreException("database " + file + " has no " + name + " counter");
                }
                return row.getLong(1);
            }
        }
    }

    /** Runs {@code work} on the writer thread, in its own transaction, and waits for it. */
    private long onWriter(SqlWork work)
    {
        if (closed) {
            throw new StoreException("the store is closed");
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        queue.add(new Job(work, future));
        try {
            return future.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store", e);
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof StoreException storeException ? storeException : new StoreException(e.getCause().getMessage(), e.getCause());
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    private interface ReadWork<T>
    {
        T run(Connection connection)
                throws SQLException;
    }

    private <T> T read(ReadWork<T> work)
    {
        if (closed) {
            throw new StoreException("the store is closed");
        }
        Connection connection;
        try {
            connection = readers.take();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a database connection", e);
        }
        try {
            return work.run(connection);
        }
        catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
        finally {
            readers.add(connection);
        }
    }

    @Override
    public List<StoredFailure> list(FailureFilter filter, Page page)
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(page, "page is null");
        Where where = Where.of(filter);
        String order = page.index() == Page.Index.CREATED ? "created_index" : "updated_index";
        if (page.index() == Page.Index.UPDATED) {
            where.add("updated_index IS NOT NULL");
        }
        page.start().ifPresent(start -> where.add(order + " >= ?", start));
        return read(connection -> {
            if (page.index() == Page.Index.CREATED && filter.since().isPresent()) {
                where.add("created_index >= ?", firstCreatedIndexSince(connection, Rows.nanos(filter.since().get())));
            }
            List<StoredFailure> result = new ArrayList<>();
            // Rows matched by a key prefix but not exactly are dropped; fetch on until the page is full.
            OptionalLong resume = OptionalLong.empty();
            while (result.size() < page.limit()) {
                Where slice = where.copy();
                if (resume.isPresent()) {
                    slice.add(order + " > ?", resume.getAsLong());
                }
                int wanted = page.limit() - result.size();
                int fetched = 0;
                try (PreparedStatement select = slice.prepare(connection, "SELECT created_index, updated_index, record FROM htlc_failures", " ORDER BY " + order + " LIMIT " + wanted)) {
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            fetched++;
                            StoredFailure stored = storedFailure(rows);
                            resume = OptionalLong.of(page.index() == Page.Index.CREATED ? stored.createdIndex() : stored.updatedIndex().getAsLong());
                            if (filter.matchesExactly(stored.record())) {
                                result.add(stored);
                            }
                        }
                    }
                }
                if (fetched < wanted) {
                    break;
                }
            }
            return result;
        });
    }

    /**
     * A lower bound on the created index of any row received at or after {@code sinceNanos}: the start
     * of the first block whose latest received time reaches it. Exact, since every such row lies in such
     * a block; deletes can only leave a block's maximum too high, which loosens the bound.
     */
    private static long firstCreatedIndexSince(Connection connection, long sinceNanos)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement("SELECT MIN(block) FROM time_blocks WHERE max_received_ns >= ?")) {
            select.setLong(1, sinceNanos);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long block = row.getLong(1);
                // no block reaches the time: no row does either
                return row.wasNull() ? Long.MAX_VALUE : block << Schema.BLOCK_SHIFT;
            }
        }
    }

    @Override
    public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(grouping, "grouping is null");
        return read(connection -> {
            Map<Object, FailureStats.Totals> groups = new LinkedHashMap<>();
            Where live = Where.timeRange(filter);
            String select = "SELECT " + grouping.liveExpression() + ", COUNT(*), SUM(amount_msat), SUM(missed_fee_msat), MIN(created_index) FROM htlc_failures";
            try (PreparedStatement statement = live.prepare(connection, select, " GROUP BY 1")) {
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Object key = rows.getObject(1) == null ? null : rows.getLong(1);
                        if (grouping == StatsGrouping.PEER_ID && key != null) {
                            key = outPeerOf(connection, rows.getLong(5));
                        }
                        groups.merge(key, totals(rows), FailureStats.Totals::plus);
                    }
                }
            }
            FailureStats.Totals unsplit = FailureStats.Totals.ZERO;
            Where rollup = Where.dayRange(filter);
            Optional<String> rollupKey = grouping.rollupExpression();
            String rollupSelect = "SELECT " + rollupKey.orElse("NULL") + ", SUM(count), SUM(amount_msat), SUM(missed_fee_msat) FROM daily_rollups";
            try (PreparedStatement statement = rollup.prepare(connection, rollupSelect, " GROUP BY 1")) {
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        FailureStats.Totals totals = totals(rows);
                        if (rollupKey.isEmpty()) {
                            unsplit = unsplit.plus(totals);
                        }
                        else {
                            long key = rows.getLong(1);
                            // rollups store "none" as -1
                            groups.merge(key == -1 ? null : key, totals, FailureStats.Totals::plus);
                        }
                    }
                }
            }
            List<FailureStats.Group> result = new ArrayList<>();
            FailureStats.Totals total = unsplit;
            for (Map.Entry<Object, FailureStats.Totals> entry : groups.entrySet()) {
                result.add(new FailureStats.Group(entry.getKey(), entry.getValue()));
                total = total.plus(entry.getValue());
            }
            result.sort(groupOrder(grouping));
            return new FailureStats(grouping, result, total, unsplit);
        });
    }

    private static Comparator<FailureStats.Group> groupOrder(StatsGrouping grouping)
    {
        Comparator<FailureStats.Group> byKey = Comparator.comparing(group -> group.key() == null ? "" : String.valueOf(group.key()));
        if (grouping == StatsGrouping.HOUR || grouping == StatsGrouping.DAY) {
            return Comparator.comparing(group -> group.key() == null ? Long.MIN_VALUE : (Long) group.key());
        }
        return Comparator.<FailureStats.Group>comparingLong(group -> -group.totals().count()).thenComparing(byKey);
    }

    private static FailureStats.Totals totals(ResultSet rows)
            throws SQLException
    {
        return new FailureStats.Totals(rows.getLong(2), rows.getLong(3), rows.getLong(4));
    }

    private static Object outPeerOf(Connection connection, long createdIndex)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement("SELECT record FROM htlc_failures WHERE created_index = ?")) {
            select.setLong(1, createdIndex);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    return decode(row.getBytes(1), createdIndex).outPeer().map(NodeId::toString).orElse(null);
                }
                return null;
            }
        }
    }

    // ---- deleting and pruning -----------------------------------------------------------------

    @Override
    public long delete(FailureFilter filter)
    {
        requireNonNull(filter, "filter is null");
        Where where = Where.of(filter);
        long deleted = 0;
        while (true) {
            long batch = onWriter(connection -> deleteBatch(connection, where, filter, retention.batchSize(), false));
            deleted += batch;
            if (batch == 0) {
                return deleted;
            }
        }
    }

    @Override
    public long enforceRetention(Instant now)
    {
        long pruned = 0;
        if (!retention.maxAge().isZero()) {
            Where old = new Where();
            old.add("received_ns < ?", Rows.nanos(now.minus(retention.maxAge())));
            pruned += pruneWhile(old);
        }
        if (retention.maxRows() > 0) {
            OptionalLong boundary = read(connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT created_index FROM htlc_failures ORDER BY created_index DESC LIMIT 1 OFFSET ?")) {
                    select.setLong(1, retention.maxRows());
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
                    }
                }
            });
            if (boundary.isPresent()) {
                Where excess = new Where();
                excess.add("created_index <= ?", boundary.getAsLong());
                pruned += pruneWhile(excess);
            }
        }
        return pruned;
    }

    private long pruneWhile(Where where)
    {
        long pruned = 0;
        while (!closed) {
            long batch = onWriter(connection -> deleteBatch(connection, where, FailureFilter.ALL, retention.batchSize(), true));
            pruned += batch;
            if (batch == 0) {
                break;
            }
        }
        return pruned;
    }

    /** Copies committed pages from the WAL into the database without blocking the writer (PASSIVE). */
    private void checkpoint()
    {
        try (Statement statement = checkpointConnection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
        }
        catch (SQLException e) {
            if (!closed) {
                LOG.log(Level.WARNING, "WAL checkpoint failed, will try again: " + e.getMessage());
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

    /** Deletes up to {@code limit} matching rows, oldest first, rolling them up first when pruning. */
    private static long deleteBatch(Connection connection, Where where, FailureFilter filter, int limit, boolean rollUp)
            throws SQLException
    {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = where.prepare(connection, "SELECT created_index, updated_index, record FROM htlc_failures", " ORDER BY created_index LIMIT " + limit)) {
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    StoredFailure stored = storedFailure(rows);
                    if (filter.matchesExactly(stored.record())) {
                        ids.add(stored.createdIndex());
                    }
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMP TABLE IF NOT EXISTS doomed (created_index INTEGER PRIMARY KEY)");
            statement.execute("DELETE FROM doomed");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO doomed (created_index) VALUES (?)")) {
            for (long id : ids) {
                insert.setLong(1, id);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (Statement statement = connection.createStatement()) {
            if (rollUp) {
                statement.execute("""
                        INSERT INTO daily_rollups (day, out_channel, reason, failcode, type, source, count, amount_msat, missed_fee_msat)
                        SELECT received_ns - received_ns % 86400000000000, IFNULL(out_channel, -1), IFNULL(reason, -1), IFNULL(failcode, -1), type, source,
                               COUNT(*), SUM(IFNULL(amount_msat, 0)), SUM(missed_fee_msat)
                        FROM htlc_failures WHERE created_index IN (SELECT created_index FROM doomed)
                        GROUP BY 1, 2, 3, 4, 5, 6
                        ON CONFLICT (day, out_channel, reason, failcode, type, source) DO UPDATE SET
                            count = count + excluded.count,
                            amount_msat = amount_msat + excluded.amount_msat,
                            missed_fee_msat = missed_fee_msat + excluded.missed_fee_msat
                        """);
            }
            return statement.executeUpdate("DELETE FROM htlc_failures WHERE created_index IN (SELECT created_index FROM doomed)");
        }
    }

    // ---- rows ---------------------------------------------------------------------------------

    private static StoredFailure storedFailure(ResultSet row)
            throws SQLException
    {
        long createdIndex = row.getLong(1);
        long updated = row.getLong(2);
        OptionalLong updatedIndex = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated);
        return new StoredFailure(createdIndex, updatedIndex, decode(row.getBytes(3), createdIndex));
    }

    private static HtlcFailureRecord decode(byte[] blob, long createdIndex)
    {
        try {
            return RecordCodec.decode(blob).record();
        }
        catch (DecodeException e) {
            throw new StoreException("record " + createdIndex + " in the database cannot be read: " + e.getMessage(), e);
        }
    }

    // ---- closing ------------------------------------------------------------------------------

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
        queue.add(new Stop());
        try {
            writer.join();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Task task : queue) {
            if (task instanceof Insert insert) {
                insert.future().completeExceptionally(new StoreException("the store is closed"));
            }
            else if (task instanceof Job job) {
                job.future().completeExceptionally(new StoreException("the store is closed"));
            }
        }
        closeQuietly(checkpointConnection);
        closeQuietly(writeConnection);
        for (Connection reader : readers) {
            closeQuietly(reader);
        }
    }

    private static void closeQuietly(Connection connection)
    {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        }
        catch (SQLException e) {
            LOG.log(Level.WARNING, "closing a database connection failed: " + e.getMessage());
        }
    }
}
