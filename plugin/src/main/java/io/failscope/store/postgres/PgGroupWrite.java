package io.failscope.store.postgres;

import io.failscope.NodeId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.RecordMerge;
import io.failscope.store.WriteOutcome;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * One group of records written in one transaction, for {@link PgWriter}: each record's identity
 * looked up where it may be stored already (or, after a conflict with another writer, every one),
 * indexes taken, rows and totals written, the range taken out of {@code in_flight} as it commits.
 * It keeps, across groups, the highest HTLC id stored per node and channel (a new HTLC above it needs
 * no lookup) and the nodes this plugin has written records of; {@link #forget()} drops the former
 * after a failure, when what was committed is no longer known.
 */
final class PgGroupWrite
{
    private final DataSource dataSource;
    private final PgNodes nodes;
    /** The highest incoming HTLC id stored per node and channel: a new HTLC is above it and needs no lookup. */
    private final Map<Channel, Long> highestHtlcId = new HashMap<>();
    private final Set<Integer> writtenNodes = ConcurrentHashMap.newKeySet();

    /** An HTLC's identity at its node. */
    private record Identity(int node, boolean send, long channel, long id, int type) {}

    private record Channel(int node, long channel) {}

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
    static final class IdentityConflict
            extends Exception
    {
        private static final long serialVersionUID = 1L;
    }
    PgGroupWrite(DataSource dataSource, PgNodes nodes)
    {
        this.dataSource = dataSource;
        this.nodes = nodes;
    }

    /** The node numbers this plugin has written records of. */
    Set<Integer> writtenNodes()
    {
        return Set.copyOf(writtenNodes);
    }

    /** Forgets the highest HTLC ids seen: after a failed write, what was committed is not known. */
    void forget()
    {
        highestHtlcId.clear();
    }

    /** Writes one group: looks identities up, takes indexes, writes rows and totals, commits. */
    List<WriteOutcome> write(List<HtlcFailureRecord> records, boolean lookUpAll)
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

            long[] low = PgInFlight.allocate(connection, newRows, updates);
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
                PgInFlight.abandon(connection);
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
}
