package io.failscope.store.sqlite;

import io.failscope.store.FailureFilter;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoredFailure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * Deleting records: the operator's deletes and retention's pruning, each in batches run as writer
 * jobs, so that no batch holds the writer for long and records keep being written between them.
 */
final class Retention
{
    private final RetentionConfig config;
    private final Writer writer;
    private final RecordWriter records;
    private final Database database;

    Retention(RetentionConfig config, Writer writer, RecordWriter records, Database database)
    {
        this.config = config;
        this.writer = writer;
        this.records = records;
        this.database = database;
    }

    /** An operator's delete also takes the records out of the daily totals. */
    long delete(FailureFilter filter)
    {
        Where where = Where.of(filter);
        long deleted = 0;
        while (true) {
            long batch = writer.run(connection -> deleteBatch(connection, where, filter, true));
            deleted += batch;
            if (batch == 0) {
                return deleted;
            }
        }
    }

    long enforce(Instant now, BooleanSupplier closed)
    {
        long pruned = 0;
        if (!config.maxAge().isZero()) {
            Where old = new Where();
            old.add("received_ns < ?", Rows.nanos(now.minus(config.maxAge())));
            pruned += pruneWhile(old, closed);
        }
        if (config.maxRows() > 0) {
            OptionalLong boundary = database.read(connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT created_index FROM htlc_failures ORDER BY created_index DESC LIMIT 1 OFFSET ?")) {
                    select.setLong(1, config.maxRows());
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
                    }
                }
            });
            if (boundary.isPresent()) {
                Where excess = new Where();
                excess.add("created_index <= ?", boundary.getAsLong());
                pruned += pruneWhile(excess, closed);
            }
        }
        return pruned;
    }

    /** Retention's pruning leaves the daily totals as they are, so statistics keep counting the records. */
    private long pruneWhile(Where where, BooleanSupplier closed)
    {
        long pruned = 0;
        while (!closed.getAsBoolean()) {
            long batch = writer.run(connection -> deleteBatch(connection, where, FailureFilter.ALL, false));
            pruned += batch;
            if (batch == 0) {
                break;
            }
        }
        return pruned;
    }

    /** Deletes up to a batch of matching rows, oldest first. */
    private long deleteBatch(Connection connection, Where where, FailureFilter filter, boolean fromTotals)
            throws SQLException
    {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = where.prepare(connection, "SELECT created_index, updated_index, record FROM htlc_failures", " ORDER BY created_index LIMIT " + config.batchSize());
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                StoredFailure stored = Rows.storedFailure(rows);
                if (Where.matchesExactly(filter, stored.record())) {
                    ids.add(stored.createdIndex());
                    if (fromTotals) {
                        records.totals().remove(stored.record());
                    }
                }
            }
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
        records.counters().deleted(deleted);
        return deleted;
    }
}
