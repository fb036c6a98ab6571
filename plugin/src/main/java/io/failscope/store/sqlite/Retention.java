package io.failscope.store.sqlite;

import io.failscope.store.FailureFilter;
import io.failscope.store.Page;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoredFailure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Deleting records: the operator's deletes and retention's pruning, each in batches run as writer
 * jobs, so that no batch holds the writer for long and records keep being written between them
 * (pruning sizes its batches by how long they take).
 * Pruning leaves the totals as they are (statistics keep counting pruned records); an operator's delete
 * takes the records out of them too. The space freed goes back to the file system a few megabytes at a
 * time, when the database was created with incremental vacuum.
 */
final class Retention
{
    /** Pages handed back to the file system per writer job: 2 MB. */
    private static final int VACUUM_PAGES = 512;
    /** How long one pruning job should hold the writer. */
    private static final long JOB_NANOS = 40_000_000;
    private static final int FIRST_BATCH = 500;
    private static final int MIN_BATCH = 50;

    private final RetentionConfig config;
    private final Writer writer;
    private final RecordWriter records;
    private final Dictionary dictionary;
    private final Database database;

    Retention(RetentionConfig config, Writer writer, RecordWriter records, Dictionary dictionary, Database database)
    {
        this.config = config;
        this.writer = writer;
        this.records = records;
        this.dictionary = dictionary;
        this.database = database;
    }

    long delete(FailureFilter filter)
    {
        long deleted = 0;
        long[] next = {1};
        while (true) {
            long batch = writer.run(connection -> {
                List<StoredFailure> matching = Queries.list(connection, dictionary, filter, new Page(Page.Index.CREATED, OptionalLong.of(next[0]), Math.min(config.batchSize(), Page.MAX_LIMIT)));
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM failures WHERE created_index = ?")) {
                    for (StoredFailure stored : matching) {
                        records.totals().remove(stored.record(), RowCodec.keys(stored.record(), dictionary));
                        delete.setLong(1, stored.createdIndex());
                        delete.addBatch();
                        next[0] = stored.createdIndex() + 1;
                    }
                    delete.executeBatch();
                }
                records.counters().deleted(matching.size());
                return matching.size();
            });
            deleted += batch;
            if (batch == 0) {
                vacuum();
                return deleted;
            }
        }
    }

    long enforce(Instant now, BooleanSupplier closed)
    {
        long pruned = 0;
        if (!config.maxAge().isZero()) {
            long cutoff = Rows.nanos(now.minus(config.maxAge()));
            long end = database.read(connection -> Queries.endCreatedIndex(connection, FailureFilter.builder().until(Rows.instant(cutoff)).build()));
            pruned += pruneWhile("received_ns < " + cutoff, end, () -> Long.MAX_VALUE, closed);
        }
        if (config.maxRows() > 0) {
            // the oldest rows beyond the cap, counted by the records counter: no scan to find where they end
            pruned += pruneWhile("1", Long.MAX_VALUE, () -> records.counters().liveRecords() - config.maxRows(), closed);
        }
        if (pruned > 0) {
            vacuum();
        }
        return pruned;
    }

    /**
     * Deletes, oldest first and a batch per job, the rows below created index {@code end} that
     * {@code condition} holds for. A batch is sized to take about {@link #JOB_NANOS} (what the last one
     * took tells how many rows that is, on this disk and under this load), at most
     * {@code retention.batch-size} rows: the writer is never held long, however slow deleting is.
     */
    private long pruneWhile(String condition, long end, LongSupplier excess, BooleanSupplier closed)
    {
        long pruned = 0;
        int batchSize = Math.min(config.batchSize(), FIRST_BATCH);
        while (!closed.getAsBoolean()) {
            int size = batchSize;
            long start = System.nanoTime();
            long batch = writer.run(connection -> {
                long limit = Math.min(size, excess.getAsLong());
                if (limit <= 0) {
                    return 0;
                }
                long deleted;
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM failures WHERE created_index IN"
                        + " (SELECT created_index FROM failures WHERE created_index < ? AND " + condition + " ORDER BY created_index LIMIT ?)")) {
                    delete.setLong(1, end);
                    delete.setLong(2, limit);
                    deleted = delete.executeUpdate();
                }
                records.counters().deleted(deleted);
                try (Statement statement = connection.createStatement()) {
                    // summaries of blocks no row is left in
                    statement.execute("DELETE FROM blocks WHERE block < (SELECT IFNULL(MIN(created_index), 9223372036854775807) FROM failures) >> " + Schema.BLOCK_SHIFT);
                }
                return deleted;
            });
            pruned += batch;
            if (batch == 0) {
                break;
            }
            // the round trip counts the wait for the writer too, so a busy writer makes batches smaller
            long took = Math.max(1, System.nanoTime() - start);
            batchSize = (int) Math.max(MIN_BATCH, Math.min(config.batchSize(), (long) size * JOB_NANOS / took));
        }
        return pruned;
    }

    /** Hands free pages back to the file system, a few megabytes per writer job, while there are any. */
    private void vacuum()
    {
        while (writer.run(Retention::vacuumStep) > 0) {
            // each step is its own job: records are written between them
        }
    }

    private static long vacuumStep(Connection connection)
            throws SQLException
    {
        try (Statement statement = connection.createStatement()) {
            try (ResultSet mode = statement.executeQuery("PRAGMA auto_vacuum")) {
                if (!mode.next() || mode.getInt(1) != 2) {
                    // a database from before incremental vacuum: freed pages are reused by new records
                    return 0;
                }
            }
            long free;
            try (ResultSet pages = statement.executeQuery("PRAGMA freelist_count")) {
                free = pages.next() ? pages.getLong(1) : 0;
            }
            if (free == 0) {
                return 0;
            }
            statement.execute("PRAGMA incremental_vacuum(" + VACUUM_PAGES + ")");
            return free;
        }
    }
}
