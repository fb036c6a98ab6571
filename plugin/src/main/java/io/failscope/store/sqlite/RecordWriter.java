package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.RecordMerge;
import io.failscope.store.StoreException;
import io.failscope.store.WriteOutcome;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns records into rows on the writer's connection: a new HTLC becomes a row, a later event about
 * a stored one is merged into its row. Keeps what depends on the rows in step, saved in the same
 * transaction and forgotten when it rolls back: the dictionary, totals, block summaries and counters
 * (last created and updated index, records stored).
 */
final class RecordWriter
{
    private final Dictionary dictionary;
    private PreparedStatement insertStatement;
    private PreparedStatement updateStatement;
    private PreparedStatement identityStatement;
    private PreparedStatement sendIdentityStatement;
    private PreparedStatement rowStatement;
    private final Counters counters;
    private final Totals totals = new Totals();
    private final BlockSummaries blocks = new BlockSummaries();
    private Migration migration;
    /**
     * The highest incoming HTLC id stored per link, read from the identity index the first time a link
     * is written to. A channel's HTLC ids only grow, so a new HTLC is above it and needs no probe: only
     * replays and richer events (at or below it) look their row up.
     */
    private final Map<Integer, Long> highestHtlcId = new HashMap<>();
    private PreparedStatement highestHtlcIdStatement;

    /** A stored row found by identity. */
    record StoredRow(long createdIndex, OptionalLong updatedIndex, HtlcFailureRecord record, RowCodec.Keys keys) {}

    RecordWriter(Connection connection, Dictionary dictionary)
            throws SQLException
    {
        this.dictionary = dictionary;
        this.counters = new Counters(connection);
        prepare(connection);
    }

    private void prepare(Connection connection)
            throws SQLException
    {
        this.insertStatement = connection.prepareStatement("INSERT INTO failures (" + RowCodec.COLUMNS + ") VALUES (" + "?, ".repeat(RowCodec.BOUND + 1) + "?)");
        this.updateStatement = connection.prepareStatement("UPDATE failures SET updated_index = ?, node = ?, type = ?, source = ?, failcode = ?, reason = ?, reason_source = ?,"
                + " in_link = ?, in_htlc_id = ?, out_link = ?, in_msat = ?, out_msat = ?, fee_msat = ?, payment_hash = ?, received_ns = ?, send_id = ?, rest = ? WHERE created_index = ?");
        // the probes read two columns from the index: most find nothing, and a wide row costs even then
        this.identityStatement = connection.prepareStatement("SELECT created_index, node FROM failures INDEXED BY failures_identity WHERE in_link = ? AND in_htlc_id = ? AND type = ?");
        this.sendIdentityStatement = connection.prepareStatement("SELECT created_index, node FROM failures INDEXED BY failures_send WHERE send_id = ? AND type = ?");
        this.rowStatement = connection.prepareStatement("SELECT " + RowCodec.COLUMNS + " FROM failures WHERE created_index = ?");
        this.highestHtlcIdStatement = connection.prepareStatement("SELECT MAX(in_htlc_id) FROM failures INDEXED BY failures_identity WHERE in_link = ? AND in_htlc_id IS NOT NULL");
    }

    /**
     * After a failed transaction: sqlite-jdbc finalizes a statement whose step failed (to read the
     * precise result code), after which every use says "statement is not executing". The writer's
     * statements are prepared again, so that it can write once the cause (a full disk) is gone.
     */
    void prepareAgain(Connection connection)
            throws SQLException
    {
        for (PreparedStatement statement : List.of(insertStatement, updateStatement, identityStatement, sendIdentityStatement, rowStatement, highestHtlcIdStatement)) {
            statement.close();
        }
        prepare(connection);
        counters.prepareAgain(connection);
        dictionary.prepareAgain(connection);
    }

    /** Records of an older format still to be moved: identity lookups look there too. */
    void migrating(Migration migration)
    {
        this.migration = migration;
    }

    Counters counters()
    {
        return counters;
    }

    Totals totals()
    {
        return totals;
    }

    void begin()
    {
        counters.begin();
    }

    /** Saves what the transaction's writes changed besides the rows. */
    void beforeCommit(Connection connection)
            throws SQLException
    {
        totals.save(connection);
        blocks.save(connection);
        counters.save();
    }

    void committed()
    {
        dictionary.committed();
        counters.committed();
    }

    void rolledBack()
    {
        dictionary.rolledBack();
        highestHtlcId.clear();
        totals.clear();
        blocks.clear();
        counters.rollBack();
    }

    List<WriteOutcome> write(Connection connection, List<HtlcFailureRecord> records)
            throws SQLException
    {
        List<WriteOutcome> outcomes = new ArrayList<>(records.size());
        for (HtlcFailureRecord record : records) {
            outcomes.add(write(connection, record));
        }
        return outcomes;
    }

    private WriteOutcome write(Connection connection, HtlcFailureRecord incoming)
            throws SQLException
    {
        RowCodec.Keys keys = RowCodec.keys(incoming, dictionary);
        Optional<StoredRow> stored = findByIdentity(connection, incoming, keys);
        if (stored.isEmpty()) {
            long createdIndex = counters.lastCreated() + 1;
            insert(connection, createdIndex, OptionalLong.empty(), incoming.toBuilder().createdIndex(createdIndex).build(), keys);
            counters.inserted(createdIndex);
            return new WriteOutcome(WriteOutcome.Kind.INSERTED, createdIndex);
        }
        // The HTLC is stored already: fold the new event in.
        StoredRow row = stored.get();
        HtlcFailureRecord merged = RecordMerge.merge(row.record(), incoming);
        if (merged.equals(row.record())) {
            return new WriteOutcome(WriteOutcome.Kind.UNCHANGED, row.createdIndex());
        }
        long updatedIndex = counters.updated();
        RowCodec.Keys mergedKeys = RowCodec.keys(merged, dictionary);
        updateStatement.setLong(1, updatedIndex);
        RowCodec.bind(updateStatement, 2, merged, mergedKeys, dictionary);
        updateStatement.setLong(2 + RowCodec.BOUND, row.createdIndex());
        updateStatement.executeUpdate();
        stored(merged, mergedKeys);
        totals.remove(row.record(), row.keys());
        totals.add(merged, mergedKeys);
        blocks.add(connection, row.createdIndex(), merged, mergedKeys.node());
        return new WriteOutcome(WriteOutcome.Kind.UPDATED, row.createdIndex());
    }

    /** Inserts a row with its indexes given (new records, and records moved from an older format). */
    void insert(Connection connection, long createdIndex, OptionalLong updatedIndex, HtlcFailureRecord record, RowCodec.Keys keys)
            throws SQLException
    {
        insertStatement.setLong(1, createdIndex);
        if (updatedIndex.isPresent()) {
            insertStatement.setLong(2, updatedIndex.getAsLong());
        }
        else {
            insertStatement.setNull(2, Types.INTEGER);
        }
        RowCodec.bind(insertStatement, 3, record, keys, dictionary);
        insertStatement.executeUpdate();
        stored(record, keys);
        totals.add(record, keys);
        blocks.add(connection, createdIndex, record, keys.node());
    }

    /**
     * The stored row of the same HTLC at the same node: by incoming channel, HTLC id and type, or for
     * our own payments by send id and type. The channel may have several links (peer known or not).
     */
    private Optional<StoredRow> findByIdentity(Connection connection, HtlcFailureRecord record, RowCodec.Keys keys)
            throws SQLException
    {
        if (migration != null && migration.moveByIdentity(connection, record)) {
            migration = migration.done() ? null : migration;
        }
        if (record.inChannel().isPresent() && record.inHtlcId().isPresent()) {
            for (int link : dictionary.linksOfChannel(record.inChannel().get())) {
                if (record.inHtlcId().getAsLong() > highestHtlcId(link)) {
                    continue;
                }
                identityStatement.setInt(1, link);
                identityStatement.setLong(2, record.inHtlcId().getAsLong());
                identityStatement.setInt(3, record.type().code());
                Optional<StoredRow> row = sameNode(identityStatement, keys.node());
                if (row.isPresent()) {
                    return row;
                }
            }
            return Optional.empty();
        }
        if (record.sendId().isPresent()) {
            sendIdentityStatement.setLong(1, record.sendId().getAsLong());
            sendIdentityStatement.setInt(2, record.type().code());
            return sameNode(sendIdentityStatement, keys.node());
        }
        return Optional.empty();
    }

    private void stored(HtlcFailureRecord record, RowCodec.Keys keys)
            throws SQLException
    {
        if (keys.inLink().isPresent() && record.inHtlcId().isPresent()) {
            int link = (int) keys.inLink().getAsLong();
            // read the stored highest first, so that the map never holds a value below it
            highestHtlcId.put(link, Math.max(highestHtlcId(link), record.inHtlcId().getAsLong()));
        }
    }

    private long highestHtlcId(int link)
            throws SQLException
    {
        Long known = highestHtlcId.get(link);
        if (known != null) {
            return known;
        }
        highestHtlcIdStatement.setInt(1, link);
        long highest;
        try (ResultSet row = highestHtlcIdStatement.executeQuery()) {
            row.next();
            highest = row.getLong(1);
            if (row.wasNull()) {
                highest = -1;
            }
        }
        highestHtlcId.put(link, highest);
        return highest;
    }

    private Optional<StoredRow> sameNode(PreparedStatement select, int node)
            throws SQLException
    {
        long createdIndex = -1;
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next() && createdIndex < 0) {
                if (rows.getInt(2) == node) {
                    createdIndex = rows.getLong(1);
                }
            }
        }
        if (createdIndex < 0) {
            return Optional.empty();
        }
        rowStatement.setLong(1, createdIndex);
        try (ResultSet row = rowStatement.executeQuery()) {
            row.next();
            HtlcFailureRecord record = RowCodec.read(row, dictionary);
            long updated = row.getLong(2);
            OptionalLong updatedIndex = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated);
            return Optional.of(new StoredRow(createdIndex, updatedIndex, record, RowCodec.keys(record, dictionary)));
        }
    }

    /** The store's counters, as the writer's transactions move them. */
    static final class Counters
    {
        private PreparedStatement select;
        private PreparedStatement update;
        private long lastCreated;
        private long lastUpdated;
        private long records;
        /** What a status read sees: the count as of the last commit. */
        private volatile long committedRecords;
        private long[] saved = new long[3];

        Counters(Connection connection)
                throws SQLException
        {
            prepareAgain(connection);
            lastCreated = read("created_index");
            lastUpdated = read("updated_index");
            records = read("records");
            committedRecords = records;
        }

        void prepareAgain(Connection connection)
                throws SQLException
        {
            if (select != null) {
                select.close();
                update.close();
            }
            this.select = connection.prepareStatement("SELECT value FROM counters WHERE name = ?");
            this.update = connection.prepareStatement("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
        }

        long read(String name)
                throws SQLException
        {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new StoreException("the database has no " + name + " counter");
                }
                return row.getLong(1);
            }
        }

        void write(String name, long value)
                throws SQLException
        {
            update.setString(1, name);
            update.setLong(2, value);
            update.executeUpdate();
        }

        long lastCreated()
        {
            return lastCreated;
        }

        long records()
        {
            return committedRecords;
        }

        /** The count in the writer's current transaction: only for the writer thread. */
        long liveRecords()
        {
            return records;
        }

        void inserted(long createdIndex)
        {
            lastCreated = createdIndex;
            records++;
        }

        long updated()
        {
            return ++lastUpdated;
        }

        void deleted(long count)
        {
            records -= count;
        }

        void begin()
        {
            saved = new long[] {lastCreated, lastUpdated, records};
        }

        void committed()
        {
            committedRecords = records;
        }

        void rollBack()
        {
            lastCreated = saved[0];
            lastUpdated = saved[1];
            records = saved[2];
        }

        void save()
                throws SQLException
        {
            saveIfChanged("created_index", lastCreated, saved[0]);
            saveIfChanged("updated_index", lastUpdated, saved[1]);
            saveIfChanged("records", records, saved[2]);
        }

        private void saveIfChanged(String name, long value, long before)
                throws SQLException
        {
            if (value != before) {
                write(name, value);
            }
        }
    }
}
