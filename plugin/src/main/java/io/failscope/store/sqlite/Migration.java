package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Moves the records of storage format 1 (table {@code htlc_failures}, one TLV blob a row) into format 2
 * ({@code failures}) in batches, each a writer job of its own transaction, so records keep being
 * written between batches and a crash loses at most the batch under way (it is moved again). Oldest
 * first; each moved record also moves out of the totals of format 1 (node 0) into its node's. A record
 * submitted again before its batch comes is moved at once, so identity holds throughout.
 *
 * <p>Until it is done, queries do not see the records still to move (about a minute per million).
 */
final class Migration
{
    static final int BATCH = 2_000;

    private final Dictionary dictionary;
    private final RecordWriter records;
    private volatile boolean done;

    private Migration(Dictionary dictionary, RecordWriter records)
    {
        this.dictionary = dictionary;
        this.records = records;
    }

    /** The migration still to do in this database, if any. */
    static Optional<Migration> pending(Connection connection, Dictionary dictionary, RecordWriter records)
            throws SQLException
    {
        try (Statement statement = connection.createStatement();
                ResultSet table = statement.executeQuery("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'htlc_failures'")) {
            return table.next() ? Optional.of(new Migration(dictionary, records)) : Optional.empty();
        }
    }

    boolean done()
    {
        return done;
    }

    /** Moves the next batch; returns how many records moved (0 once everything has). */
    long moveBatch(Connection connection)
            throws SQLException
    {
        long moved = 0;
        long last = 0;
        try (PreparedStatement select = connection.prepareStatement("SELECT created_index, updated_index, record FROM htlc_failures ORDER BY created_index LIMIT " + BATCH);
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                last = rows.getLong(1);
                long updated = rows.getLong(2);
                move(connection, last, rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated), Rows.decode(rows.getBytes(3), last));
                moved++;
            }
        }
        try (Statement statement = connection.createStatement()) {
            if (moved == 0) {
                statement.execute("DROP TABLE htlc_failures");
                statement.execute("DELETE FROM counters WHERE name IN ('migrate_through', 'migrated_through')");
                done = true;
                return 0;
            }
            statement.execute("DELETE FROM htlc_failures WHERE created_index <= " + last);
        }
        records.counters().write("migrated_through", last);
        return moved;
    }

    /** Moves the stored record of {@code record}'s HTLC now, if it is still to move; true when one moved. */
    boolean moveByIdentity(Connection connection, HtlcFailureRecord record)
            throws SQLException
    {
        if (done) {
            return false;
        }
        PreparedStatement select;
        if (record.inChannel().isPresent() && record.inHtlcId().isPresent()) {
            select = connection.prepareStatement("SELECT created_index, updated_index, record FROM htlc_failures WHERE in_channel = ? AND in_htlc_id = ? AND type = ?");
            select.setLong(1, record.inChannel().get().value());
            select.setLong(2, record.inHtlcId().getAsLong());
            select.setInt(3, record.type().code());
        }
        else if (record.sendId().isPresent()) {
            select = connection.prepareStatement("SELECT created_index, updated_index, record FROM htlc_failures WHERE send_id = ? AND type = ?");
            select.setLong(1, record.sendId().getAsLong());
            select.setInt(2, record.type().code());
        }
        else {
            return false;
        }
        try (select; ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                return false;
            }
            long createdIndex = row.getLong(1);
            long updated = row.getLong(2);
            move(connection, createdIndex, row.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated), Rows.decode(row.getBytes(3), createdIndex));
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM htlc_failures WHERE created_index = ?")) {
                delete.setLong(1, createdIndex);
                delete.executeUpdate();
            }
            return true;
        }
    }

    private void move(Connection connection, long createdIndex, OptionalLong updatedIndex, HtlcFailureRecord record)
            throws SQLException
    {
        RowCodec.Keys keys = RowCodec.keys(record, dictionary);
        records.insert(connection, createdIndex, updatedIndex, record, keys);
        // format 1 counted it under no node, its out channel as a link with no peer
        Optional<Integer> oldOutLink = dictionary.linkId(record.outChannel(), Optional.empty());
        RowCodec.Keys oldKeys = new RowCodec.Keys(0, OptionalLong.empty(), oldOutLink.isPresent() ? OptionalLong.of(oldOutLink.get()) : OptionalLong.empty());
        records.totals().change(record, oldKeys, Totals.FORMAT_1, -1);
    }
}
