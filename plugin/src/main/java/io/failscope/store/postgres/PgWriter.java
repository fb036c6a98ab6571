package io.failscope.store.postgres;

import io.failscope.NodeId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.RecordMerge;
import io.failscope.store.StoreException;
import io.failscope.store.WriteOutcome;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * This plugin's one writing thread: it takes every queued record and writes them in one transaction
 * (group commit), completing their futures after the commit. Other plugins of the fleet write to the
 * same tables at the same time, so:
 *
 * <ul>
 * <li>Identity is per node (node, incoming channel, HTLC id, type; or node, send id, type), kept by
 *     unique indexes: an insert that would repeat an HTLC inserts nothing ({@code ON CONFLICT DO
 *     NOTHING}), and the group is written again with every identity looked up. A transaction whose
 *     commit was lost in a network partition is written again the same way: it finds its rows and
 *     adds nothing, so no record is stored twice.</li>
 * <li>Created and updated indexes come from the {@code counters} rows in a short transaction of their
 *     own that also records the range in {@code in_flight} (with this connection's backend), and the
 *     record transaction removes that entry when it commits. Indexes are handed out in one order and
 *     committed in another; a reader pages only below the lowest index still in flight, so no page
 *     skips a record that commits later (see {@link PgQueries}). An entry whose backend has gone
 *     (its transaction can no longer commit) is swept away.</li>
 * <li>Totals are written as increments, in key order.</li>
 * </ul>
 *
 * <p>When the server cannot be reached (down, restarting, network), the group waits and is written
 * again with a growing pause, up to {@link #RETRY_FOR}; records keep queueing meanwhile, up to
 * {@link #MAX_WAITING}. The fault is kept for the status method and logged when it starts and ends.
 */
final class PgWriter
{
    private static final System.Logger LOG = System.getLogger(PgWriter.class.getName());
    private static final int MAX_GROUP = 4_096;
    private static final int NO_DELAY_GROUP = 512;
    /** Records that may wait for the server before new ones are refused. */
    static final int MAX_WAITING = 200_000;
    /** How long a group is written again while the server cannot be reached, before its records fail. */
    static final Duration RETRY_FOR = Duration.ofMinutes(10);
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 2_000;

    interface Job
    {
        long run(Connection connection)
                throws SQLException;
    }

    private sealed interface Task permits Insert, JobTask, Stop {}

    private record Insert(HtlcFailureRecord record, CompletableFuture<WriteOutcome> future) implements Task {}

    private record JobTask(Job job, CompletableFuture<Long> future) implements Task {}

    private record Stop() implements Task {}

    /** An HTLC's identity at its node. */
    private record Identity(int node, boolean send, long channel, long id, int type) {}

    private record Channel(int node, long channel) {}

    /** The fault the store is in now, and since when. */
    record CurrentFault(StoreException.Fault fault, String message, Instant since) {}

    /** A row the group writes: new, or stored already (with its record as stored). */
    private static final class Pending
    {
        final Optional<StoredRow> stored;
        HtlcFailureRecord current;
        long createdIndex;
        long updatedIndex = -1;
        boolean changed;

        Pending(Optional<StoredRow> stored, HtlcFailureRecord current)
        {
            this.stored = stored;
            this.current = current;
        }
    }

    private record StoredRow(long createdIndex, OptionalLong updatedIndex, HtlcFailureRecord record) {}

    /** Two writers stored one identity at once: the group is written again with every identity looked up. */
    private static final class IdentityConflict
            extends Exception
    {
        private static final long serialVersionUID = 1L;
    }

    private final DataSource dataSource;
    private final PgNodes nodes;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final long commitDelayNanos;
    /** The highest incoming HTLC id stored per node and channel: a new HTLC is above it and needs no lookup. */
    private final Map<Channel, Long> highestHtlcId = new HashMap<>();
    private final Set<Integer> writtenNodes = ConcurrentHashMap.newKeySet();
    private volatile CurrentFault fault;
    private volatile boolean closed;
    private volatile boolean stopping;

    PgWriter(DataSource dataSource, PgNodes nodes, Duration commitDelay)
    {
        this.dataSource = dataSource;
        this.nodes = nodes;
        this.commitDelayNanos = commitDelay.toNanos();
        this.thread = new Thread(this::loop, "failscope-store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<WriteOutcome> submit(HtlcFailureRecord record)
    {
        CompletableFuture<WriteOutcome> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            return future;
        }
        CurrentFault current = fault;
        if (current != null && queue.size() >= MAX_WAITING) {
            future.completeExceptionally(new StoreException(current.fault(), MAX_WAITING + " records are already waiting for the database: " + current.message(), null));
            return future;
        }
        queue.add(new Insert(record, future));
        return future;
    }

    /** Runs {@code job} on the writer thread, in its own transaction, and waits for it. */
    long run(Job job)
    {
        if (closed) {
            throw new StoreException(StoreException.Fault.CLOSED, "the store is closed", null);
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        queue.add(new JobTask(job, future));
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

    int queueDepth()
    {
        return queue.size();
    }

    long insertedSinceStart()
    {
        return inserted.get();
    }

    long updatedSinceStart()
    {
        return updated.get();
    }

    Optional<CurrentFault> fault()
    {
        return Optional.ofNullable(fault);
    }

    /** The node numbers this plugin has written records of: retention prunes theirs only. */
    Set<Integer> writtenNodes()
    {
        return Set.copyOf(writtenNodes);
    }

    private void loop()
    {
        List<Task> tasks = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                tasks.add(queue.take());
                queue.drainTo(tasks, MAX_GROUP - tasks.size());
                gatherDuringDelay(tasks);
            }
            catch (InterruptedException e) {
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
                if (task instanceof JobTask job) {
                    runJob(job);
                }
                else {
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

    private void gatherDuringDelay(List<Task> tasks)
            throws InterruptedException
    {
        if (commitDelayNanos == 0 || tasks.size() >= NO_DELAY_GROUP || !(tasks.get(tasks.size() - 1) instanceof Insert)) {
            return;
        }
        long deadline = System.nanoTime() + commitDelayNanos;
        while (tasks.size() < MAX_GROUP) {
            long left = deadline - System.nanoTime();
            Task next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            tasks.add(next);
            queue.drainTo(tasks, MAX_GROUP - tasks.size());
            if (!(tasks.get(tasks.size() - 1) instanceof Insert)) {
                return;
            }
        }
    }

    /**
     * Writes a group in one transaction; while the server cannot be reached, waits and writes it
     * again. A group that fails for another reason is written record by record, so one bad record
     * fails alone.
     */
    private void writeGroup(List<Insert> group)
    {
        if (group.isEmpty()) {
            return;
        }
        List<HtlcFailureRecord> batch = group.stream().map(Insert::record).toList();
        long started = System.nanoTime();
        long pause = FIRST_PAUSE_MILLIS;
        boolean lookUpAll = false;
        while (true) {
            try {
                complete(group, write(batch, lookUpAll));
                recovered();
                return;
            }
            catch (IdentityConflict e) {
                lookUpAll = true;
            }
            catch (SQLException e) {
                highestHtlcId.clear();
                StoreException.Fault kind = PgFaults.fault(e);
                if (!kind.retryable()) {
                    LOG.log(Level.WARNING, "a group write failed, retrying its records one by one: " + PgFaults.message(e));
                    break;
                }
                failing(kind, PgFaults.message(e));
                if (stopping || System.nanoTime() - started > RETRY_FOR.toNanos()) {
                    StoreException failure = new StoreException(kind, "could not store the record: " + kind.description() + " (" + PgFaults.message(e) + ")", e);
                    group.forEach(insert -> insert.future().completeExceptionally(failure));
                    return;
                }
                try {
                    Thread.sleep(pause);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    StoreException failure = new StoreException(kind, "could not store the record before the store closed: " + PgFaults.message(e), e);
                    group.forEach(insert -> insert.future().completeExceptionally(failure));
                    return;
                }
                pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
            }
            catch (RuntimeException e) {
                highestHtlcId.clear();
                LOG.log(Level.WARNING, "a group write failed, retrying its records one by one: " + e.getMessage());
                break;
            }
        }
        for (Insert insert : group) {
            try {
                complete(List.of(insert), write(List.of(insert.record()), true));
            }
            catch (SQLException | IdentityConflict | RuntimeException e) {
                highestHtlcId.clear();
                LOG.log(Level.ERROR, "could not store an HTLC failure record: " + e.getMessage(), e);
                insert.future().completeExceptionally(e instanceof SQLException sql
                        ? PgFaults.storeException("could not store the record", sql)
                        : new StoreException("could not store the record: " + e.getMessage(), e));
            }
        }
    }

    private void failing(StoreException.Fault kind, String message)
    {
        CurrentFault current = fault;
        if (current == null || current.fault() != kind) {
            LOG.log(Level.WARNING, "PostgreSQL: " + kind.description() + " (" + message + "); " + (queue.size() + 1)
                    + "+ records wait in memory and are written when it is back (up to " + RETRY_FOR.toMinutes() + " minutes, " + MAX_WAITING + " records)");
            fault = new CurrentFault(kind, message, Instant.now());
        }
        else {
            fault = new CurrentFault(kind, message, current.since());
        }
    }

    private void recovered()
    {
        CurrentFault current = fault;
        if (current != null) {
            fault = null;
            LOG.log(Level.INFO, "PostgreSQL is back after " + Duration.between(current.since(), Instant.now()).toSeconds() + "s ("
                    + current.fault().description() + "); the records that waited are stored");
        }
    }

    private void complete(List<Insert> group, List<WriteOutcome> outcomes)
    {
        for (int i = 0; i < group.size(); i++) {
            WriteOutcome outcome = outcomes.get(i);
            switch (outcome.kind()) {
                case INSERTED -> inserted.incrementAndGet();
                case UPDATED -> updated.incrementAndGet();
                case UNCHANGED -> {
                    // a replay: nothing was written
                }
            }
            group.get(i).future().complete(outcome);
        }
    }

    private void runJob(JobTask task)
    {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long result = task.job().run(connection);
                connection.commit();
                task.future().complete(result);
            }
            catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            finally {
                connection.setAutoCommit(true);
            }
        }
        catch (SQLException e) {
            LOG.log(Level.WARNING, "a store job failed: " + PgFaults.message(e));
            task.future().completeExceptionally(PgFaults.storeException("the store job failed", e));
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, "a store job failed: " + e.getMessage(), e);
            task.future().completeExceptionally(e instanceof StoreException ? e : new StoreException(e.getMessage(), e));
        }
    }

    /** Writes one group: looks identities up, takes indexes, writes rows and totals, commits. */
    private List<WriteOutcome> write(List<HtlcFailureRecord> records, boolean lookUpAll)
            throws SQLException, IdentityConflict
    {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            Map<NodeId, Integer> numbers = new HashMap<>();
            for (HtlcFailureRecord record : records) {
                number(connection, numbers, record.nodeId());
                record.inPeer().ifPresent(peer -> numbers.put(peer, -1));
                record.outPeer().ifPresent(peer -> numbers.put(peer, -1));
            }
            for (Map.Entry<NodeId, Integer> entry : numbers.entrySet()) {
                if (entry.getValue() < 0) {
                    entry.setValue(nodes.number(connection, entry.getKey()));
                }
            }

            // what each record does, worked out before any index is taken
            Map<Identity, Pending> byIdentity = new HashMap<>();
            List<Pending> rows = new ArrayList<>();
            List<Pending> perRecord = new ArrayList<>(records.size());
            List<WriteOutcome.Kind> kinds = new ArrayList<>(records.size());
            Map<Channel, Long> highest = new HashMap<>();
            for (HtlcFailureRecord record : records) {
                int node = numbers.get(record.nodeId());
                Optional<Identity> identity = identity(record, node);
                Pending pending = identity.isPresent() ? byIdentity.get(identity.get()) : null;
                if (pending == null && identity.isPresent() && (lookUpAll || mayBeStored(connection, identity.get()))) {
                    Optional<StoredRow> stored = find(connection, identity.get());
                    if (stored.isPresent()) {
                        pending = new Pending(stored, stored.get().record());
                        pending.createdIndex = stored.get().createdIndex();
                        byIdentity.put(identity.get(), pending);
                        rows.add(pending);
                    }
                }
                if (pending == null) {
                    pending = new Pending(Optional.empty(), record);
                    pending.changed = true;
                    if (identity.isPresent()) {
                        byIdentity.put(identity.get(), pending);
                    }
                    rows.add(pending);
                    kinds.add(WriteOutcome.Kind.INSERTED);
                }
                else {
                    HtlcFailureRecord merged = RecordMerge.merge(pending.current, record);
                    if (merged.equals(pending.current)) {
                        kinds.add(WriteOutcome.Kind.UNCHANGED);
                    }
                    else {
                        pending.current = merged;
                        pending.changed = true;
                        kinds.add(WriteOutcome.Kind.UPDATED);
                    }
                }
                perRecord.add(pending);
                if (identity.isPresent() && !identity.get().send()) {
                    highest.merge(new Channel(node, identity.get().channel()), identity.get().id(), Math::max);
                }
            }
            long newRows = rows.stream().filter(pending -> pending.stored.isEmpty()).count();
            long updates = kinds.stream().filter(kind -> kind == WriteOutcome.Kind.UPDATED).count();
            List<WriteOutcome> outcomes = new ArrayList<>(records.size());
            if (newRows == 0 && updates == 0) {
                for (int i = 0; i < records.size(); i++) {
                    outcomes.add(new WriteOutcome(WriteOutcome.Kind.UNCHANGED, perRecord.get(i).createdIndex));
                }
                return outcomes;
            }

            long[] low = allocate(connection, newRows, updates);
            try {
                long nextCreated = low[0];
                for (Pending pending : rows) {
                    if (pending.stored.isEmpty()) {
                        pending.createdIndex = nextCreated++;
                        pending.current = pending.current.toBuilder().createdIndex(pending.createdIndex).build();
                    }
                    else {
                        pending.createdIndex = pending.stored.get().createdIndex();
                    }
                }
                long nextUpdated = low[1];
                for (int i = 0; i < records.size(); i++) {
                    Pending pending = perRecord.get(i);
                    if (kinds.get(i) == WriteOutcome.Kind.UPDATED) {
                        pending.updatedIndex = nextUpdated++;
                    }
                    outcomes.add(new WriteOutcome(kinds.get(i), pending.createdIndex));
                }
                connection.setAutoCommit(false);
                writeRows(connection, rows, numbers);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("DELETE FROM in_flight WHERE pid = pg_backend_pid()");
                }
                connection.commit();
            }
            catch (SQLException | IdentityConflict | RuntimeException e) {
                abandon(connection);
                throw e;
            }
            finally {
                connection.setAutoCommit(true);
            }
            for (Map.Entry<Channel, Long> entry : highest.entrySet()) {
                highestHtlcId.merge(entry.getKey(), entry.getValue(), Math::max);
            }
            for (Pending pending : rows) {
                writtenNodes.add(numbers.get(pending.current.nodeId()));
            }
            return outcomes;
        }
    }

    private void number(Connection connection, Map<NodeId, Integer> numbers, NodeId node)
            throws SQLException
    {
        if (!numbers.containsKey(node) || numbers.get(node) < 0) {
            numbers.put(node, nodes.number(connection, node));
        }
    }

    /** Rolls back and takes this connection's range out of {@code in_flight}, if the connection still works. */
    private static void abandon(Connection connection)
    {
        try {
            connection.rollback();
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("DELETE FROM in_flight WHERE pid = pg_backend_pid()");
            }
        }
        catch (SQLException ignored) {
            // the connection is gone, and its backend with it: the sweep removes its entry
        }
    }

    /**
     * Takes {@code created} created indexes and {@code updatedCount} updated indexes and records them
     * as in flight for this connection's backend, in a transaction of its own (committed without
     * waiting for the disk: if it is lost in a crash, so is every row that would have used it,
     * since their later commit would have flushed it). Returns the first of each.
     */
    private static long[] allocate(Connection connection, long created, long updatedCount)
            throws SQLException
    {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL synchronous_commit = off");
            long createdLast = bump(connection, "created_index", created);
            long updatedLast = bump(connection, "updated_index", updatedCount);
            long[] low = {createdLast - created + 1, updatedLast - updatedCount + 1};
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO in_flight (pid, backend_start, created_low, updated_low)"
                    + " SELECT pg_backend_pid(), backend_start, ?, ? FROM pg_stat_activity WHERE pid = pg_backend_pid()"
                    + " ON CONFLICT (pid, backend_start) DO UPDATE SET created_low = excluded.created_low, updated_low = excluded.updated_low")) {
                insert.setLong(1, low[0]);
                insert.setLong(2, low[1]);
                if (insert.executeUpdate() != 1) {
                    throw new SQLException("this connection's backend is not in pg_stat_activity");
                }
            }
            connection.commit();
            return low;
        }
        catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
        finally {
            connection.setAutoCommit(true);
        }
    }

    private static long bump(Connection connection, String name, long count)
            throws SQLException
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE counters SET value = value + ? WHERE name = ? RETURNING value")) {
            update.setLong(1, count);
            update.setString(2, name);
            try (ResultSet row = update.executeQuery()) {
                if (!row.next()) {
                    throw new SQLException("the counters table has no " + name + " row");
                }
                return row.getLong(1);
            }
        }
    }

    private void writeRows(Connection connection, List<Pending> rows, Map<NodeId, Integer> numbers)
            throws SQLException, IdentityConflict
    {
        PgTotals totals = new PgTotals();
        Map<Integer, Long> newPerNode = new TreeMap<>();
        Map<List<Long>, long[]> blocks = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0)) ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        List<Pending> inserts = new ArrayList<>();
        List<Pending> updates = new ArrayList<>();
        for (Pending pending : rows) {
            if (pending.stored.isEmpty()) {
                inserts.add(pending);
            }
            else if (pending.changed) {
                updates.add(pending);
            }
        }
        if (!inserts.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO failures (created_index, updated_index, " + PgRow.COLUMNS + ", record) VALUES ("
                    + "?, ".repeat(PgRow.COUNT + 2) + "?) ON CONFLICT DO NOTHING")) {
                for (Pending pending : inserts) {
                    PgRow row = PgRow.of(pending.current, numbers);
                    insert.setLong(1, pending.createdIndex);
                    if (pending.updatedIndex >= 0) {
                        insert.setLong(2, pending.updatedIndex);
                    }
                    else {
                        insert.setNull(2, Types.BIGINT);
                    }
                    row.bind(insert, 3);
                    insert.setBytes(3 + PgRow.COUNT, PgRow.encode(pending.current));
                    insert.addBatch();
                    totals.change(pending.current, row, 1);
                    newPerNode.merge(row.node(), 1L, Long::sum);
                    long[] block = blocks.computeIfAbsent(List.of((long) row.node(), pending.createdIndex >> PgSchema.BLOCK_SHIFT), ignored -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                    block[0] = Math.min(block[0], row.receivedNanos());
                    block[1] = Math.max(block[1], row.receivedNanos());
                }
                for (int count : insert.executeBatch()) {
                    if (count == 0) {
                        throw new IdentityConflict();
                    }
                }
            }
        }
        if (!updates.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement("UPDATE failures SET updated_index = ?, (" + PgRow.COLUMNS + ", record) = ("
                    + "?, ".repeat(PgRow.COUNT) + "?) WHERE created_index = ? AND updated_index IS NOT DISTINCT FROM ?")) {
                for (Pending pending : updates) {
                    StoredRow stored = pending.stored.get();
                    PgRow row = PgRow.of(pending.current, numbers);
                    update.setLong(1, pending.updatedIndex);
                    row.bind(update, 2);
                    update.setBytes(2 + PgRow.COUNT, PgRow.encode(pending.current));
                    update.setLong(3 + PgRow.COUNT, stored.createdIndex());
                    if (stored.updatedIndex().isPresent()) {
                        update.setLong(4 + PgRow.COUNT, stored.updatedIndex().getAsLong());
                    }
                    else {
                        update.setNull(4 + PgRow.COUNT, Types.BIGINT);
                    }
                    update.addBatch();
                    totals.change(stored.record(), PgRow.of(stored.record(), numbers), -1);
                    totals.change(pending.current, row, 1);
                }
                for (int count : update.executeBatch()) {
                    if (count == 0) {
                        // another writer changed the row since it was read
                        throw new IdentityConflict();
                    }
                }
            }
        }
        totals.write(connection);
        if (!newPerNode.isEmpty()) {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO node_records (node, records) VALUES (?, ?)"
                    + " ON CONFLICT (node) DO UPDATE SET records = node_records.records + excluded.records")) {
                for (Map.Entry<Integer, Long> entry : newPerNode.entrySet()) {
                    upsert.setInt(1, entry.getKey());
                    upsert.setLong(2, entry.getValue());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
        }
        if (!blocks.isEmpty()) {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO time_blocks (node, block, min_received_ns, max_received_ns) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (node, block) DO UPDATE SET min_received_ns = LEAST(time_blocks.min_received_ns, excluded.min_received_ns),"
                    + " max_received_ns = GREATEST(time_blocks.max_received_ns, excluded.max_received_ns)")) {
                for (Map.Entry<List<Long>, long[]> entry : blocks.entrySet()) {
                    upsert.setInt(1, entry.getKey().get(0).intValue());
                    upsert.setLong(2, entry.getKey().get(1));
                    upsert.setLong(3, entry.getValue()[0]);
                    upsert.setLong(4, entry.getValue()[1]);
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
        }
    }

    private static Optional<Identity> identity(HtlcFailureRecord record, int node)
    {
        if (record.inChannel().isPresent() && record.inHtlcId().isPresent()) {
            return Optional.of(new Identity(node, false, record.inChannel().get().value(), record.inHtlcId().getAsLong(), record.type().code()));
        }
        if (record.sendId().isPresent()) {
            return Optional.of(new Identity(node, true, 0, record.sendId().getAsLong(), record.type().code()));
        }
        return Optional.empty();
    }

    /** False when the HTLC id is above every one stored for its node and channel: a channel's HTLC ids only grow. */
    private boolean mayBeStored(Connection connection, Identity identity)
            throws SQLException
    {
        if (identity.send()) {
            return true;
        }
        Channel channel = new Channel(identity.node(), identity.channel());
        Long known = highestHtlcId.get(channel);
        if (known == null) {
            try (PreparedStatement select = connection.prepareStatement("SELECT MAX(in_htlc_id) FROM failures WHERE node = ? AND in_channel = ? AND in_htlc_id IS NOT NULL")) {
                select.setInt(1, identity.node());
                select.setLong(2, identity.channel());
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    long value = row.getLong(1);
                    known = row.wasNull() ? -1 : value;
                }
            }
            highestHtlcId.put(channel, known);
        }
        return identity.id() <= known;
    }

    private static Optional<StoredRow> find(Connection connection, Identity identity)
            throws SQLException
    {
        String sql = identity.send()
                ? "SELECT " + PgRow.READ + " FROM failures WHERE node = ? AND send_id = ? AND type = ?"
                : "SELECT " + PgRow.READ + " FROM failures WHERE node = ? AND in_channel = ? AND in_htlc_id = ? AND type = ? AND in_channel IS NOT NULL AND in_htlc_id IS NOT NULL";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            int i = 1;
            select.setInt(i++, identity.node());
            if (!identity.send()) {
                select.setLong(i++, identity.channel());
            }
            select.setLong(i++, identity.id());
            select.setShort(i, (short) identity.type());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                long createdIndex = row.getLong(1);
                long updatedIndex = row.getLong(2);
                OptionalLong updatedIndexValue = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(updatedIndex);
                return Optional.of(new StoredRow(createdIndex, updatedIndexValue, PgRow.decode(row.getBytes(3), createdIndex)));
            }
        }
    }

    /** Stops taking writes, writes what was queued before (giving up on a server that stays away), and fails what came after. */
    void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(new Stop());
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                stopping = true;
                thread.interrupt();
                thread.join();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Task task : queue) {
            if (task instanceof Insert insert) {
                insert.future().completeExceptionally(new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            }
            else if (task instanceof JobTask job) {
                job.future().completeExceptionally(new StoreException(StoreException.Fault.CLOSED, "the store is closed", null));
            }
        }
    }
}
