package io.failscope.store.postgres;

import io.failscope.NodeId;
import io.failscope.record.HtlcFailureRecord;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Deleting records from the fleet's database: the operator's deletes (any node's records, taken out
 * of the daily totals too) and retention's pruning (only the nodes this plugin has written, daily
 * totals kept), each in batches run as jobs of the writer, so that no batch holds it for long.
 */
final class PgDeletes
{
    private static final int DELETE_BATCH = 1_000;

    private final PgWriter writer;
    private final PgNodes nodes;
    private final RetentionConfig retention;

    PgDeletes(PgWriter writer, PgNodes nodes, RetentionConfig retention)
    {
        this.writer = writer;
        this.nodes = nodes;
        this.retention = retention;
    }

    /** Deletes the matching records of any node in batches, and takes them out of the daily totals. */
    long delete(FailureFilter filter)
    {
        long deleted = 0;
        long[] next = {1};
        while (true) {
            long batch = writer.run(connection -> {
                List<StoredFailure> matching = PgQueries.list(connection, nodes, filter, new Page(Page.Index.CREATED, OptionalLong.of(next[0]), DELETE_BATCH));
                if (matching.isEmpty()) {
                    return 0;
                }
                PgTotals totals = new PgTotals();
                Map<Integer, Long> perNode = new TreeMap<>();
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM failures WHERE created_index = ?")) {
                    for (StoredFailure stored : matching) {
                        PgRow row = PgRow.of(stored.record(), numbers(connection, stored.record()));
                        totals.change(stored.record(), row, -1);
                        perNode.merge(row.node(), 1L, Long::sum);
                        delete.setLong(1, stored.createdIndex());
                        delete.addBatch();
                        next[0] = stored.createdIndex() + 1;
                    }
                    delete.executeBatch();
                }
                totals.write(connection);
                takeFromNodeRecords(connection, perNode);
                return matching.size();
            });
            deleted += batch;
            if (batch == 0) {
                return deleted;
            }
        }
    }

    private Map<NodeId, Integer> numbers(Connection connection, HtlcFailureRecord record)
            throws SQLException
    {
        Map<NodeId, Integer> numbers = new HashMap<>();
        numbers.put(record.nodeId(), nodes.number(connection, record.nodeId()));
        if (record.inPeer().isPresent()) {
            numbers.put(record.inPeer().get(), nodes.number(connection, record.inPeer().get()));
        }
        if (record.outPeer().isPresent()) {
            numbers.put(record.outPeer().get(), nodes.number(connection, record.outPeer().get()));
        }
        return numbers;
    }

    private static void takeFromNodeRecords(Connection connection, Map<Integer, Long> perNode)
            throws SQLException
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE node_records SET records = records - ? WHERE node = ?")) {
            for (Map.Entry<Integer, Long> entry : perNode.entrySet()) {
                update.setLong(1, entry.getValue());
                update.setInt(2, entry.getKey());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /** Prunes, oldest first and a batch per job, the records of this plugin's nodes beyond the limits; daily totals stay. */
    long prune(Instant now, BooleanSupplier stop)
    {
        Set<Integer> owned = writer.writtenNodes();
        if (owned.isEmpty() || !retention.enabled()) {
            return 0;
        }
        String ownNodes = PgQueries.in("node", owned);
        long pruned = 0;
        if (!retention.maxAge().isZero()) {
            long cutoff = PgRow.nanos(now.minus(retention.maxAge()));
            long end = writer.run(connection -> PgQueries.endCreatedIndex(connection, FailureFilter.builder().until(PgRow.instant(cutoff)).build()));
            pruned += pruneWhile(ownNodes + " AND received_ns < " + cutoff + " AND created_index < " + end, () -> Long.MAX_VALUE, stop);
        }
        if (retention.maxRows() > 0) {
            pruned += pruneWhile(ownNodes, () -> writer.run(connection -> records(connection, ownNodes)) - retention.maxRows(), stop);
        }
        return pruned;
    }

    private interface Excess
    {
        long get();
    }

    private long pruneWhile(String condition, Excess excess, BooleanSupplier stop)
    {
        long pruned = 0;
        while (!stop.getAsBoolean()) {
            long limit = Math.min(retention.batchSize(), excess.get());
            if (limit <= 0) {
                break;
            }
            long batch = writer.run(connection -> {
                Map<Integer, Long> perNode = new TreeMap<>();
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM failures WHERE created_index IN"
                        + " (SELECT created_index FROM failures WHERE " + condition + " ORDER BY created_index LIMIT " + limit + ") RETURNING node");
                        ResultSet rows = delete.executeQuery()) {
                    while (rows.next()) {
                        perNode.merge(rows.getInt(1), 1L, Long::sum);
                    }
                }
                takeFromNodeRecords(connection, perNode);
                return perNode.values().stream().mapToLong(Long::longValue).sum();
            });
            pruned += batch;
            if (batch == 0) {
                break;
            }
        }
        return pruned;
    }

    private static long records(Connection connection, String condition)
            throws SQLException
    {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT COALESCE(SUM(records), 0) FROM node_records WHERE " + condition)) {
            row.next();
            return row.getLong(1);
        }
    }
}
