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
import java.util.TreeMap;
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
    private static final String COLUMNS = "type, source, failcode, reason, in_channel, in_htlc_id, out_channel, in_peer_key, out_peer_key, payment_hash_key, received_ns, amount_msat, missed_fee_msat, send_id, record";

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
    private final PreparedStatement sendIdentityStatement;
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
                "INSERT INTO htlc_failures (created_index, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        this.updateStatement = writeConnection.prepareStatement(
                "UPDATE htlc_failures SET updated_index = ?, type = ?, source = ?, failcode = ?, reason = ?, in_channel = ?, in_htlc_id = ?, out_channel = ?,"
                        + " in_peer_key = ?, out_peer_key = ?, payment_hash_key = ?, received_ns = ?, amount_msat = ?, missed_fee_msat = ?, send_id = ?, record = ? WHERE created_index = ?");
        this.identityStatement = writeConnection.prepareStatement(
                "SELECT created_index, updated_index, record FROM htlc_failures WHERE in_channel = ? AND in_htlc_id = ? AND type = ?");
        this.sendIdentityStatement = writeConnection.prepareStatement(
                "SELECT created_index, updated_index, record FROM htlc_failures WHERE send_id = ? AND type = ?");
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
            GroupChanges changes = new GroupChanges();
            for (Insert insert : group) {
                results.add(write(insert.record(), changes));
            }
            changes.save(connection);
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
                    GroupChanges changes = new GroupChanges();
                    WriteOutcome outcome = write(insert.record(), changes);
                    changes.save(connection);
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

    private WriteOutcome write(HtlcFailureRecord incoming, GroupChanges changes)
            throws SQLException
    {
        long createdIndex = lastCreated + 1;
        HtlcFailureRecord record = incoming.toBuilder().createdIndex(createdIndex).build();
        insertStatement.setLong(1, createdIndex);
        bindColumns(insertStatement, 2, record);
        if (insertStatement.executeUpdate() == 1) {
            lastCreated = createdIndex;
            changes.inserted(createdIndex, record);
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
        updateStatement.setLong(17, stored.createdIndex());
        updateStatement.executeUpdate();
        lastUpdated = updatedIndex;
        changes.totals.remove(stored.record());
        changes.totals.add(merged);
        return new WriteOutcome(WriteOutcome.Kind.UPDATED, stored.createdIndex());
    }

    /** What a group of writes changes besides the rows: daily totals and per-block latest received times. */
    private final class GroupChanges
    {
        private final DailyTotals totals = new DailyTotals();
        private final Map<Long, Long> maxReceivedByBlock = new LinkedHashMap<>();

        void inserted(long createdIndex, HtlcFailureRecord record)
        {
            totals.add(record);
            maxReceivedByBlock.merge(createdIndex >> Schema.BLOCK_SHIFT, Rows.receivedNanos(record), Math::max);
        }

        void save(Connection connection)
                throws SQLException
        {
            totals.save(connection);
            for (Map.Entry<Long, Long> block : maxReceivedByBlock.entrySet()) {
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
        Rows.setNullableLong(statement, i++, record.sendId());
        statement.setBytes(i, RecordCodec.encode(record).toArray());
    }

    /** The stored row of the same HTLC: by incoming channel and HTLC id, or for our own payments by send id. */
    private Optional<StoredFailure> findByIdentity(HtlcFailureRecord record)
            throws SQLException
    {
        PreparedStatement select;
        if (record.inChannel().isPresent() && record.inHtlcId().isPresent()) {
            select = identityStatement;
            select.setLong(1, record.inChannel().get().value());
            select.setLong(2, record.inHtlcId().getAsLong());
            select.setInt(3, record.type().code());
        }
        else if (record.sendId().isPresent()) {
            select = sendIdentityStatement;
            select.setLong(1, record.sendId().getAsLong());
            select.setInt(2, record.type().code());
        }
        else {
            return Optional.empty();
        }
        try (ResultSet row = select.executeQuery()) {
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
        Where where = Where.withoutPeer(filter);
        String order = page.index() == Page.Index.CREATED ? "created_index" : "updated_index";
        if (page.index() == Page.Index.UPDATED) {
            where.add("updated_index IS NOT NULL");
        }
        page.start().ifPresent(start -> where.add(order + " >= ?", start));
        return read(connection -> {
            if (page.index() == Page.Index.CREATED && filter.since().isPresent()) {
                where.add("created_index >= ?", firstCreatedIndexSince(connection, Rows.nanos(filter.since().get())));
            }
            if (filter.peer().isEmpty()) {
                return fetchPage(connection, where, filter, page, order);
            }
            // the peer may be on either side: one ordered scan per side, merged
            long key = Rows.peerKey(filter.peer().get());
            TreeMap<Long, StoredFailure> merged = new TreeMap<>();
            for (String column : List.of("in_peer_key", "out_peer_key")) {
                Where side = where.copy();
                side.add(column + " = ?", key);
                for (StoredFailure stored : fetchPage(connection, side, filter, page, order)) {
                    merged.put(page.index() == Page.Index.CREATED ? stored.createdIndex() : stored.updatedIndex().getAsLong(), stored);
                }
            }
            return merged.values().stream().limit(page.limit()).toList();
        });
    }

    /** Up to a page of rows matching {@code where} and, exactly, {@code filter}, in index order. */
    private static List<StoredFailure> fetchPage(Connection connection, Where where, FailureFilter filter, Page page, String order)
            throws SQLException
    {
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

    /**
     * Splittable groupings read whole days from {@code daily_totals} and the partial days at the edges
     * of the range from the rows; the others read the rows, and report as {@code unsplit} what the
     * totals hold beyond the rows over the whole days of the range (rows pruned by retention). Rows
     * pruned from a partial edge day are not counted.
     */
    @Override
    public FailureStats stats(FailureFilter filter, StatsGrouping grouping)
    {
        requireNonNull(filter, "filter is null");
        requireNonNull(grouping, "grouping is null");
        OptionalLong since = filter.since().map(time -> OptionalLong.of(Rows.nanos(time))).orElse(OptionalLong.empty());
        OptionalLong until = filter.until().map(time -> OptionalLong.of(Rows.nanos(time))).orElse(OptionalLong.empty());
        OptionalLong firstDay = since.isPresent() ? OptionalLong.of(ceilDay(since.getAsLong())) : OptionalLong.empty();
        OptionalLong endDay = until.isPresent() ? OptionalLong.of(until.getAsLong() - until.getAsLong() % DailyTotals.NANOS_PER_DAY) : OptionalLong.empty();
        boolean wholeDays = firstDay.isEmpty() || endDay.isEmpty() || firstDay.getAsLong() < endDay.getAsLong();
        return read(connection -> {
            Map<Object, FailureStats.Totals> groups = new LinkedHashMap<>();
            FailureStats.Totals unsplit = FailureStats.Totals.ZERO;
            Optional<String> totalsKey = grouping.rollupExpression();
            if (totalsKey.isPresent()) {
                if (wholeDays) {
                    groupTotals(connection, totalsKey.get(), firstDay, endDay, groups);
                    if (since.isPresent() && since.getAsLong() < firstDay.getAsLong()) {
                        groupRows(connection, grouping, since, firstDay, groups);
                    }
                    if (until.isPresent() && endDay.getAsLong() < until.getAsLong()) {
                        groupRows(connection, grouping, endDay, until, groups);
                    }
                }
                else {
                    groupRows(connection, grouping, since, until, groups);
                }
            }
            else {
                groupRows(connection, grouping, since, until, groups);
                if (wholeDays) {
                    Map<Object, FailureStats.Totals> stored = new LinkedHashMap<>();
                    groupTotals(connection, "NULL", firstDay, endDay, stored);
                    Map<Object, FailureStats.Totals> live = new LinkedHashMap<>();
                    groupRows(connection, StatsGrouping.NONE, firstDay, endDay, live);
                    FailureStats.Totals storedTotals = stored.values().stream().reduce(FailureStats.Totals.ZERO, FailureStats.Totals::plus);
                    FailureStats.Totals liveTotals = live.values().stream().reduce(FailureStats.Totals.ZERO, FailureStats.Totals::plus);
                    unsplit = storedTotals.minus(liveTotals);
                }
            }
            List<FailureStats.Group> result = new ArrayList<>();
            FailureStats.Totals total = unsplit;
            for (Map.Entry<Object, FailureStats.Totals> entry : groups.entrySet()) {
                if (entry.getValue().count() == 0) {
                    continue;
                }
                result.add(new FailureStats.Group(entry.getKey(), entry.getValue()));
                total = total.plus(entry.getValue());
            }
            result.sort(groupOrder(grouping));
            return new FailureStats(grouping, result, total, unsplit);
        });
    }

    private static long ceilDay(long nanos)
    {
        long floor = nanos - nanos % DailyTotals.NANOS_PER_DAY;
        return floor == nanos ? nanos : floor + DailyTotals.NANOS_PER_DAY;
    }

    private static void groupTotals(Connection connection, String key, OptionalLong firstDay, OptionalLong endDay, Map<Object, FailureStats.Totals> groups)
            throws SQLException
    {
        Where where = new Where();
        firstDay.ifPresent(day -> where.add("day >= ?", day));
        endDay.ifPresent(day -> where.add("day < ?", day));
        try (PreparedStatement statement = where.prepare(connection, "SELECT " + key + ", SUM(count), SUM(amount_msat), SUM(missed_fee_msat) FROM daily_totals", " GROUP BY 1")) {
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Object value = rows.getObject(1) == null ? null : rows.getLong(1);
                    // the totals store "none" as -1
                    groups.merge(value != null && (Long) value == -1 ? null : value, totals(rows), FailureStats.Totals::plus);
                }
            }
        }
    }

    private static void groupRows(Connection connection, StatsGrouping grouping, OptionalLong from, OptionalLong to, Map<Object, FailureStats.Totals> groups)
            throws SQLException
    {
        Where where = new Where();
        from.ifPresent(nanos -> where.add("received_ns >= ?", nanos));
        to.ifPresent(nanos -> where.add("received_ns < ?", nanos));
        String select = "SELECT " + grouping.liveExpression() + ", COUNT(*), SUM(amount_msat), SUM(missed_fee_msat), MIN(created_index) FROM htlc_failures";
        try (PreparedStatement statement = where.prepare(connection, select, " GROUP BY 1")) {
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
            long batch = onWriter(connection -> deleteBatch(connection, where, filter, retention.batchSize(), true));
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
            long batch = onWriter(connection -> deleteBatch(connection, where, FailureFilter.ALL, retention.batchSize(), false));
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

    /**
     * Deletes up to {@code limit} matching rows, oldest first. An operator's delete also takes the rows
     * out of the daily totals; retention's pruning leaves them there, so statistics keep counting them.
     */
    private static long deleteBatch(Connection connection, Where where, FailureFilter filter, int limit, boolean fromTotals)
            throws SQLException
    {
        DailyTotals totals = new DailyTotals();
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = where.prepare(connection, "SELECT created_index, updated_index, record FROM htlc_failures", " ORDER BY created_index LIMIT " + limit)) {
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    StoredFailure stored = storedFailure(rows);
                    if (filter.matchesExactly(stored.record())) {
                        ids.add(stored.createdIndex());
                        if (fromTotals) {
                            totals.remove(stored.record());
                        }
                    }
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        long deleted = 0;
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM htlc_failures WHERE created_index = ?")) {
            for (long id : ids) {
                delete.setLong(1, id);
                delete.addBatch();
            }
            for (int count : delete.executeBatch()) {
                deleted += count;
            }
        }
        totals.save(connection);
        return deleted;
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
