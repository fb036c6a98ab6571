package io.failscope.store.sqlite;

import io.failscope.ShortChannelId;
import io.failscope.reason.LocalReason;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureFilter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A WHERE clause built from a filter, with its parameters in order. */
final class Where
{
    private final List<String> clauses = new ArrayList<>();
    private final List<Object> parameters = new ArrayList<>();

    static Where of(FailureFilter filter)
    {
        Where where = withoutPeer(filter);
        filter.peer().map(Rows::peerKey).ifPresent(key -> where.add("(in_peer_key = ? OR out_peer_key = ?)", key, key));
        return where;
    }

    /**
     * Every part of the filter but the peer, which matches either of two columns: a query that pages
     * runs once per column, each in its index's order, and merges the two (an OR would make SQLite
     * collect and sort every row of the peer).
     */
    static Where withoutPeer(FailureFilter filter)
    {
        Where where = timeRangeAndNodes(filter);
        if (!filter.reasons().isEmpty()) {
            where.clauses.add("reason IN (" + filter.reasons().stream().map(reason -> "?").collect(Collectors.joining(", ")) + ")");
            filter.reasons().stream().map(LocalReason::index).sorted().forEach(where.parameters::add);
        }
        filter.failcode().ifPresent(code -> where.add("failcode = ?", code));
        filter.type().ifPresent(type -> where.add("type = ?", type.code()));
        filter.source().ifPresent(source -> where.add("source = ?", source.code()));
        filter.inChannel().map(ShortChannelId::value).ifPresent(scid -> where.add("in_channel = ?", scid));
        filter.outChannel().map(ShortChannelId::value).ifPresent(scid -> where.add("out_channel = ?", scid));
        filter.paymentHash().map(Rows::paymentHashKey).ifPresent(key -> where.add("payment_hash_key = ?", key));
        filter.minMsat().ifPresent(msat -> where.add("amount_msat >= ?", msat));
        filter.maxMsat().ifPresent(msat -> where.add("amount_msat <= ?", msat));
        return where;
    }

    /** Only the filter's time range, on the received time, and its nodes. */
    static Where timeRangeAndNodes(FailureFilter filter)
    {
        Where where = new Where();
        filter.since().ifPresent(since -> where.add("received_ns >= ?", Rows.nanos(since)));
        filter.until().ifPresent(until -> where.add("received_ns < ?", Rows.nanos(until)));
        where.addNodes(filter);
        return where;
    }

    void addNodes(FailureFilter filter)
    {
        if (!filter.nodes().isEmpty()) {
            clauses.add("node_key IN (" + filter.nodes().stream().map(node -> "?").collect(Collectors.joining(", ")) + ")");
            filter.nodes().stream().map(Rows::peerKey).forEach(parameters::add);
        }
    }

    /** The parts of {@code filter} SQL matches by key prefix (peers, payment hash, nodes), checked exactly against the record. */
    static boolean matchesExactly(FailureFilter filter, HtlcFailureRecord record)
    {
        if (filter.peer().isPresent() && !record.inPeer().equals(filter.peer()) && !record.outPeer().equals(filter.peer())) {
            return false;
        }
        if (!filter.nodes().isEmpty() && !filter.nodes().contains(record.nodeId())) {
            return false;
        }
        return filter.paymentHash().isEmpty() || record.paymentHash().equals(filter.paymentHash());
    }


    void add(String clause, Object... values)
    {
        clauses.add(clause);
        parameters.addAll(List.of(values));
    }

    Where copy()
    {
        Where copy = new Where();
        copy.clauses.addAll(clauses);
        copy.parameters.addAll(parameters);
        return copy;
    }

    PreparedStatement prepare(Connection connection, String select, String suffix)
            throws SQLException
    {
        String sql = clauses.isEmpty() ? select + suffix : select + " WHERE " + String.join(" AND ", clauses) + suffix;
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
        return statement;
    }
}
