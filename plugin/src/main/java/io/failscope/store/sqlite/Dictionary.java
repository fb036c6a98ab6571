package io.failscope.store.sqlite;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.store.StoreException;
import io.failscope.tlv.Bytes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Values rows refer to by small numbers, each stored once: node ids (our own and peers), links
 * (a channel with the peer seen on it; the channel, the peer or both may be unknown) and evidence
 * names. A row then holds one or two bytes where the value took 8 to 33, and so do the indexes.
 * A node has few channels and peers, so the whole dictionary is kept in memory.
 *
 * <p>Only the writer adds entries, in its current transaction; if that rolls back, the entries it
 * added are forgotten again. Readers look numbers up at any time: a number in a committed row is
 * always a committed entry.
 */
final class Dictionary
{
    /** A link's channel and peer; either may be absent. */
    record Link(Optional<ShortChannelId> channel, Optional<NodeId> peer) {}

    private final Map<Bytes, Integer> nodeIds = new ConcurrentHashMap<>();
    private final Map<Integer, NodeId> nodes = new ConcurrentHashMap<>();
    private final Map<Link, Integer> linkIds = new ConcurrentHashMap<>();
    private final Map<Integer, Link> links = new ConcurrentHashMap<>();
    private final Map<Long, List<Integer>> linksByChannel = new ConcurrentHashMap<>();
    private final Map<NodeId, List<Integer>> linksByPeer = new ConcurrentHashMap<>();
    private final Map<String, Integer> evidenceIds = new ConcurrentHashMap<>();
    private final Map<Integer, String> evidenceNames = new ConcurrentHashMap<>();
    private final List<Runnable> uncommitted = new ArrayList<>();

    private PreparedStatement insertNode;
    private PreparedStatement insertLink;
    private PreparedStatement insertEvidence;

    /** Loads every entry; {@code connection} is the writer's, on which new entries are inserted. */
    void load(Connection connection)
            throws SQLException
    {
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT id, key FROM nodes")) {
                while (rows.next()) {
                    putNode(rows.getInt(1), new NodeId(Bytes.of(rows.getBytes(2))));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT id, channel, peer FROM links")) {
                while (rows.next()) {
                    int id = rows.getInt(1);
                    long channel = rows.getLong(2);
                    Optional<ShortChannelId> scid = rows.wasNull() ? Optional.empty() : Optional.of(new ShortChannelId(channel));
                    int peer = rows.getInt(3);
                    Optional<NodeId> peerId = rows.wasNull() ? Optional.empty() : Optional.of(node(peer));
                    putLink(id, new Link(scid, peerId));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT id, name FROM evidence_names")) {
                while (rows.next()) {
                    putEvidence(rows.getInt(1), rows.getString(2));
                }
            }
        }
        prepareAgain(connection);
    }

    /** Prepares the inserts (again after a failed write: see {@code RecordWriter.prepareAgain}). */
    void prepareAgain(Connection connection)
            throws SQLException
    {
        if (insertNode != null) {
            insertNode.close();
            insertLink.close();
            insertEvidence.close();
        }
        insertNode = connection.prepareStatement("INSERT INTO nodes (id, key) VALUES (?, ?)");
        insertLink = connection.prepareStatement("INSERT INTO links (id, channel, peer) VALUES (?, ?, ?)");
        insertEvidence = connection.prepareStatement("INSERT INTO evidence_names (id, name) VALUES (?, ?)");
    }

    /** The writer's transaction committed: its entries stay. */
    void committed()
    {
        uncommitted.clear();
    }

    /** The writer's transaction rolled back: its entries go. */
    void rolledBack()
    {
        for (int i = uncommitted.size() - 1; i >= 0; i--) {
            uncommitted.get(i).run();
        }
        uncommitted.clear();
    }

    // ---- writer ----

    int nodeId(NodeId node)
            throws SQLException
    {
        Integer id = nodeIds.get(node.key());
        if (id != null) {
            return id;
        }
        int next = nodes.size() + 1;
        insertNode.setInt(1, next);
        insertNode.setBytes(2, node.key().toArray());
        insertNode.executeUpdate();
        putNode(next, node);
        uncommitted.add(() -> {
            nodeIds.remove(node.key());
            nodes.remove(next);
        });
        return next;
    }

    /** The link of a channel and peer, or empty when both are unknown. */
    Optional<Integer> linkId(Optional<ShortChannelId> channel, Optional<NodeId> peer)
            throws SQLException
    {
        if (channel.isEmpty() && peer.isEmpty()) {
            return Optional.empty();
        }
        Link link = new Link(channel, peer);
        Integer id = linkIds.get(link);
        if (id != null) {
            return Optional.of(id);
        }
        int next = links.size() + 1;
        insertLink.setInt(1, next);
        if (channel.isPresent()) {
            insertLink.setLong(2, channel.get().value());
        }
        else {
            insertLink.setNull(2, Types.INTEGER);
        }
        if (peer.isPresent()) {
            insertLink.setInt(3, nodeId(peer.get()));
        }
        else {
            insertLink.setNull(3, Types.INTEGER);
        }
        insertLink.executeUpdate();
        putLink(next, link);
        uncommitted.add(() -> removeLink(next, link));
        return Optional.of(next);
    }

    int evidenceId(String name)
            throws SQLException
    {
        Integer id = evidenceIds.get(name);
        if (id != null) {
            return id;
        }
        int next = evidenceNames.size() + 1;
        insertEvidence.setInt(1, next);
        insertEvidence.setString(2, name);
        insertEvidence.executeUpdate();
        putEvidence(next, name);
        uncommitted.add(() -> {
            evidenceIds.remove(name);
            evidenceNames.remove(next);
        });
        return next;
    }

    // ---- readers ----

    NodeId node(int id)
    {
        return entry(nodes, id, "nodes");
    }

    Optional<Integer> knownNodeId(NodeId node)
    {
        return Optional.ofNullable(nodeIds.get(node.key()));
    }

    Link link(int id)
    {
        return entry(links, id, "links");
    }

    List<Integer> linksOfChannel(ShortChannelId channel)
    {
        return linksByChannel.getOrDefault(channel.value(), List.of());
    }

    List<Integer> linksOfPeer(NodeId peer)
    {
        return linksByPeer.getOrDefault(peer, List.of());
    }

    String evidenceName(int id)
    {
        return entry(evidenceNames, id, "evidence_names");
    }

    private static <T> T entry(Map<Integer, T> entries, int id, String table)
    {
        T entry = entries.get(id);
        if (entry == null) {
            throw new StoreException("a row names entry " + id + " of table " + table + ", which has no such entry");
        }
        return entry;
    }

    private void putNode(int id, NodeId node)
    {
        nodeIds.put(node.key(), id);
        nodes.put(id, node);
    }

    private void putLink(int id, Link link)
    {
        linkIds.put(link, id);
        links.put(id, link);
        link.channel().ifPresent(channel -> linksByChannel.computeIfAbsent(channel.value(), ignored -> new CopyOnWriteArrayList<>()).add(id));
        link.peer().ifPresent(peer -> linksByPeer.computeIfAbsent(peer, ignored -> new CopyOnWriteArrayList<>()).add(id));
    }

    private void removeLink(int id, Link link)
    {
        linkIds.remove(link);
        links.remove(id);
        link.channel().ifPresent(channel -> linksByChannel.getOrDefault(channel.value(), new ArrayList<>()).remove(Integer.valueOf(id)));
        link.peer().ifPresent(peer -> linksByPeer.getOrDefault(peer, new ArrayList<>()).remove(Integer.valueOf(id)));
    }

    private void putEvidence(int id, String name)
    {
        evidenceIds.put(name, id);
        evidenceNames.put(id, name);
    }
}
