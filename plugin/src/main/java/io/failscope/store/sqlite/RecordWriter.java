package io.failscope.store.sqlite;

import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.store.FailureAmounts;
import io.failscope.store.RecordMerge;
import io.failscope.store.StoreException;
import io.failscope.store.StoredFailure;
import io.failscope.store.WriteOutcome;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns records into rows on the writer's connection: a new HTLC becomes a row, a later event about
 * a stored one is merged into its row. Keeps the counters (last created and updated index, records
 * stored) in step with the rows, saved in the same transaction and restored when it rolls back.
 */
final class RecordWriter
{
    private static final String COLUMNS = "type, source, failcode, reason, in_channel, in_htlc_id, out_channel, in_peer_key, out_peer_key, payment_hash_key, received_ns, amount_msat, missed_fee_msat, send_id, node_key, record";

    private final PreparedStatement insertStatement;
    private final PreparedStatement updateStatement;
    private final PreparedStatement identityStatement;
    private final PreparedStatement sendIdentityStatement;
    private final PreparedStatement timeBlockStatement;
    private final Counters counters;
    private final DailyTotals totals = new DailyTotals();
    private final Map<Long, Long> maxReceivedByBlock = new LinkedHashMap<>();

    RecordWriter(Connection connection)
            throws SQLException
    {
        this.counters = new Counters(connection);
        this.insertStatement = connection.prepareStatement(
                "INSERT INTO htlc_failures (created_index, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        this.updateStatement = connection.prepareStatement(
                "UPDATE htlc_failures SET updated_index = ?, type = ?, source = ?, failcode = ?, reason = ?, in_channel = ?, in_htlc_id = ?, out_channel = ?,"
                        + " in_peer_key = ?, out_peer_key = ?, payment_hash_key = ?, received_ns = ?, amount_msat = ?, missed_fee_msat = ?, send_id = ?, node_key = ?, record = ? WHERE created_index = ?");
        this.identityStatement = connection.prepareStatement(
                "SELECT created_index, updated_index, record FROM htlc_failures WHERE in_channel = ? AND in_htlc_id = ? AND type = ?");
        this.sendIdentityStatement = connection.prepareStatement(
                "SELECT created_index, updated_index, record FROM htlc_failures WHERE send_id = ? AND type = ?");
        this.timeBlockStatement = connection.prepareStatement(
                "INSERT INTO time_blocks (block, max_received_ns) VALUES (?, ?) ON CONFLICT (block) DO UPDATE SET max_received_ns = MAX(max_received_ns, excluded.max_received_ns)");
    }

    Counters counters()
    {
        return counters;
    }

    void begin()
    {
        counters.begin();
    }

    /** Saves what the transaction's writes changed besides the rows: totals, time blocks, counters. */
    void beforeCommit(Connection connection)
            throws SQLException
    {
        totals.save(connection);
        for (Map.Entry<Long, Long> block : maxReceivedByBlock.entrySet()) {
            timeBlockStatement.setLong(1, block.getKey());
            timeBlockStatement.setLong(2, block.getValue());
            timeBlockStatement.executeUpdate();
        }
        maxReceivedByBlock.clear();
        counters.save();
    }

    void committed()
    {
        counters.committed();
    }

    void rolledBack()
    {
        totals.clear();
        maxReceivedByBlock.clear();
        counters.rollBack();
    }

    /** Totals a job (a delete) changes, saved with its transaction. */
    DailyTotals totals()
    {
        return totals;
    }

    List<WriteOutcome> write(Connection connection, List<HtlcFailureRecord> records)
            throws SQLException
    {
        List<WriteOutcome> outcomes = new ArrayList<>(records.size());
        for (HtlcFailureRecord record : records) {
            outcomes.add(write(record));
        }
        return outcomes;
    }

    private WriteOutcome write(HtlcFailureRecord incoming)
            throws SQLException
    {
        long createdIndex = counters.lastCreated() + 1;
        HtlcFailureRecord record = incoming.toBuilder().createdIndex(createdIndex).build();
        insertStatement.setLong(1, createdIndex);
        bindColumns(insertStatement, 2, record);
        if (insertStatement.executeUpdate() == 1) {
            counters.inserted(createdIndex);
            totals.add(record);
            maxReceivedByBlock.merge(createdIndex >> Schema.BLOCK_SHIFT, Rows.receivedNanos(record), Math::max);
            return new WriteOutcome(WriteOutcome.Kind.INSERTED, createdIndex);
        }
        // The HTLC is stored already: fold the new event in.
        StoredFailure stored = findByIdentity(incoming)
                .orElseThrow(() -> new SQLException("insert conflicted but no row has the identity of " + incoming.inChannel() + "/" + incoming.inHtlcId()));
        HtlcFailureRecord merged = RecordMerge.merge(stored.record(), incoming);
        if (merged.equals(stored.record())) {
            return new WriteOutcome(WriteOutcome.Kind.UNCHANGED, stored.createdIndex());
        }
        long updatedIndex = counters.updated();
        updateStatement.setLong(1, updatedIndex);
        bindColumns(updateStatement, 2, merged);
        updateStatement.setLong(18, stored.createdIndex());
        updateStatement.executeUpdate();
        totals.remove(stored.record());
        totals.add(merged);
        return new WriteOutcome(WriteOutcome.Kind.UPDATED, stored.createdIndex());
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
        Rows.setNullableLong(statement, i++, FailureAmounts.amountMsat(record));
        statement.setLong(i++, FailureAmounts.missedFeeMsat(record));
        Rows.setNullableLong(statement, i++, record.sendId());
        statement.setLong(i++, Rows.peerKey(record.nodeId()));
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
            return row.next() ? Optional.of(Rows.storedFailure(row)) : Optional.empty();
        }
    }

    /** The store's counters, as the writer's transactions move them. */
    static final class Counters
    {
        private final PreparedStatement select;
        private final PreparedStatement update;
        private long lastCreated;
        private long lastUpdated;
        private long records;
        /** What a status read sees: the count as of the last commit. */
        private volatile long committedRecords;
        private long[] saved = new long[3];

        Counters(Connection connection)
                throws SQLException
        {
            this.select = connection.prepareStatement("SELECT value FROM counters WHERE name = ?");
            this.update = connection.prepareStatement("UPDATE counters SET value = ? WHERE name = ?");
            lastCreated = read("created_index");
            lastUpdated = read("updated_index");
            records = read("records");
            committedRecords = records;
        }

        private long read(String name)
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

        long lastCreated()
        {
            return lastCreated;
        }

        long records()
        {
            return committedRecords;
        }

        void committed()
        {
            committedRecords = records;
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
            if (value == before) {
                return;
            }
            update.setLong(1, value);
            update.setString(2, name);
            update.executeUpdate();
        }
    }
}
