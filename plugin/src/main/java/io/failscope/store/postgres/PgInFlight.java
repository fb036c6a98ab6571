package io.failscope.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The created and updated indexes a writer takes for a group, and the {@code in_flight} entry that
 * says they are not committed yet: readers page only below the lowest index in flight, so that no page
 * skips a record committed later (see {@link PgQueries}).
 */
final class PgInFlight
{
    private PgInFlight() {}

    /** Rolls back and takes this connection's range out of {@code in_flight}, if the connection still works. */
    static void abandon(Connection connection)
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
    static long[] allocate(Connection connection, long created, long updatedCount)
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
}
