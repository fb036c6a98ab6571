package io.failscope.store.postgres;

import io.failscope.NodeId;
import io.failscope.store.StoreException;
import io.failscope.tlv.Bytes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node ids (of the fleet's nodes and of their peers) as the small numbers rows hold, from table
 * {@code nodes}. Every plugin of the fleet adds to it, so a number this plugin has not seen yet is
 * looked up; a number, once given, never changes, so what is cached stays true.
 */
final class PgNodes
{
    private final Map<Bytes, Integer> numbers = new ConcurrentHashMap<>();
    private final Map<Integer, NodeId> nodes = new ConcurrentHashMap<>();

    /** The number of {@code node}, adding it (committed at once, outside any transaction of records) if it is new. */
    int number(Connection connection, NodeId node)
            throws SQLException
    {
        Integer known = numbers.get(node.key());
        if (known != null) {
            return known;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO nodes (key) VALUES (?) ON CONFLICT (key) DO NOTHING")) {
            insert.setBytes(1, node.key().toArray());
            insert.executeUpdate();
        }
        Optional<Integer> number = knownNumber(connection, node);
        if (number.isEmpty()) {
            throw new StoreException("node " + node + " was added to the nodes table but cannot be read back");
        }
        return number.get();
    }

    /** The number of {@code node} if any plugin has stored it. */
    Optional<Integer> knownNumber(Connection connection, NodeId node)
            throws SQLException
    {
        Integer known = numbers.get(node.key());
        if (known != null) {
            return Optional.of(known);
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT id FROM nodes WHERE key = ?")) {
            select.setBytes(1, node.key().toArray());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                put(row.getInt(1), node);
                return Optional.of(row.getInt(1));
            }
        }
    }

    /** The node id of {@code number}, which a stored row holds. */
    NodeId node(Connection connection, int number)
            throws SQLException
    {
        NodeId known = nodes.get(number);
        if (known != null) {
            return known;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT id, key FROM nodes")) {
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    put(rows.getInt(1), new NodeId(Bytes.of(rows.getBytes(2))));
                }
            }
        }
        known = nodes.get(number);
        if (known == null) {
            throw new StoreException("a stored row names node number " + number + ", which the nodes table does not have");
        }
        return known;
    }

    private void put(int number, NodeId node)
    {
        numbers.put(node.key(), number);
        nodes.put(number, node);
    }
}
