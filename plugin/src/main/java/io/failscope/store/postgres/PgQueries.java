package io.failscope.store.postgres;

import io.failscope.NodeId;
import io.failscope.reason.LocalReason;
import io.failscope.store.FailureFilter;
import io.failscope.store.Page;
import io.failscope.store.StoredFailure;
import io.failscope.tlv.Bytes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code list} on PostgreSQL: one ordered index scan (the filter's index ends in the created index),
 * limited to the page; a peer is two scans (incoming, outgoing) merged. Every value is a number or a
 * hash written into the SQL, so the planner sees the actual value and picks the index for it.
 *
 * <p>Pages stay stable while the fleet writes: indexes are handed out before their transaction
 * commits, so index 7 may commit after index 9. A page therefore ends below the <em>horizon</em>:
 * the lowest index still in flight ({@code in_flight}), or the next index to be handed out, read in
 * the same statement as the rows. Every index below it is committed or will never be used, so
 * a reader that starts the next page after the last record it saw skips nothing and sees nothing twice.
 */
final class PgQueries
{
    static final String CREATED_HORIZON = "(SELECT LEAST((SELECT MIN(created_low) FROM in_flight), (SELECT value + 1 FROM counters WHERE name = 'created_index')))";
    static final String UPDATED_HORIZON = "(SELECT LEAST((SELECT MIN(updated_low) FROM in_flight), (SELECT value + 1 FROM counters WHERE name = 'updated_index')))";

    private PgQueries() {}

    /** A WHERE clause from a filter: conditions joined with AND. */
    static final class Where
    {
        private final List<String> clauses = new ArrayList<>();

        void add(String clause)
        {
            clauses.add(clause);
        }

        Where copy()
        {
            Where copy = new Where();
            copy.clauses.addAll(clauses);
            return copy;
        }

        String sql()
        {
            return clauses.isEmpty() ? "TRUE" : String.join(" AND ", clauses);
        }

        /**
         * Every part of {@code filter} but the peer; empty when it names a node or peer no plugin
         * has stored, so nothing can match.
         */
        static Optional<Where> of(Connection connection, PgNodes nodes, FailureFilter filter)
                throws SQLException
        {
            Where where = new Where();
            Optional<Set<Integer>> numbers = nodeNumbers(connection, nodes, filter.nodes());
            if (numbers.isEmpty()) {
                return Optional.empty();
            }
            if (!numbers.get().isEmpty()) {
                where.add(in("node", numbers.get()));
            }
            if (!filter.reasons().isEmpty()) {
                where.add(in("reason", filter.reasons().stream().map(LocalReason::index).collect(Collectors.toCollection(TreeSet::new))));
            }
            OptionalInt failcode = filter.failcode();
            failcode.ifPresent(code -> where.add("failcode = " + code));
            filter.type().ifPresent(type -> where.add("type = " + type.code()));
            filter.source().ifPresent(source -> where.add("source = " + source.code()));
            filter.inChannel().ifPresent(channel -> where.add("in_channel = " + channel.value()));
            filter.outChannel().ifPresent(channel -> where.add("out_channel = " + channel.value()));
            filter.paymentHash().ifPresent(hash -> where.add("payment_hash = " + bytea(hash.hash())));
            filter.since().ifPresent(since -> where.add("received_ns >= " + PgRow.nanos(since)));
            filter.until().ifPresent(until -> where.add("received_ns < " + PgRow.nanos(until)));
            filter.minMsat().ifPresent(msat -> where.add("amount_msat >= " + msat));
            filter.maxMsat().ifPresent(msat -> where.add("amount_msat <= " + msat));
            return Optional.of(where);
        }
    }

    static List<StoredFailure> list(Connection connection, PgNodes nodes, FailureFilter filter, Page page)
            throws SQLException
    {
        Optional<Where> matching = Where.of(connection, nodes, filter);
        if (matching.isEmpty()) {
            return List.of();
        }
        Where where = matching.get();
        OptionalInt peer = OptionalInt.empty();
        if (filter.peer().isPresent()) {
            Optional<Integer> number = nodes.knownNumber(connection, filter.peer().get());
            if (number.isEmpty()) {
                return List.of();
            }
            peer = OptionalInt.of(number.get());
        }
        long first = firstCreatedIndex(connection, filter);
        long end = endCreatedIndex(connection, filter);
        if (first >= end) {
            return List.of();
        }
        if (first > 0) {
            where.add("created_index >= " + first);
        }
        if (end < Long.MAX_VALUE) {
            where.add("created_index < " + end);
        }
        String index = "created_index";
        if (page.index() == Page.Index.UPDATED) {
            index = "updated_index";
            where.add("updated_index IS NOT NULL");
            where.add("updated_index < " + UPDATED_HORIZON);
        }
        else {
            where.add("created_index < " + CREATED_HORIZON);
        }
        String finalIndex = index;
        page.start().ifPresent(start -> where.add(finalIndex + " >= " + start));
        String order = " ORDER BY " + index + " LIMIT " + page.limit();
        String sql;
        if (peer.isPresent()) {
            // two ordered scans, each stopped at the page's size, merged
            sql = "SELECT " + PgRow.READ + " FROM ((SELECT " + PgRow.READ + " FROM failures WHERE in_peer = " + peer.getAsInt() + " AND " + where.sql() + order + ")"
                    + " UNION (SELECT " + PgRow.READ + " FROM failures WHERE out_peer = " + peer.getAsInt() + " AND " + where.sql() + order + ")) AS either" + order;
        }
        else {
            sql = "SELECT " + PgRow.READ + " FROM failures WHERE " + where.sql() + order;
        }
        List<StoredFailure> result = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(PgRow.read(rows, 1));
            }
        }
        return result;
    }

    /**
     * The filter's nodes as numbers: empty set for every node, empty Optional when it names nodes
     * and no plugin has stored any of them.
     */
    static Optional<Set<Integer>> nodeNumbers(Connection connection, PgNodes nodes, Set<NodeId> nodeIds)
            throws SQLException
    {
        Set<Integer> numbers = new TreeSet<>();
        for (NodeId node : nodeIds) {
            nodes.knownNumber(connection, node).ifPresent(numbers::add);
        }
        if (!nodeIds.isEmpty() && numbers.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(numbers);
    }

    /**
     * A lower bound on the created index of any row received at or after {@code since}: the start of
     * the first block whose latest received time reaches it (every such row is in such a block).
     */
    static long firstCreatedIndex(Connection connection, FailureFilter filter)
            throws SQLException
    {
        if (filter.since().isEmpty()) {
            return 0;
        }
        OptionalLong block = block(connection, "SELECT MIN(block) FROM time_blocks WHERE max_received_ns >= " + PgRow.nanos(filter.since().get()));
        return block.isPresent() ? block.getAsLong() << PgSchema.BLOCK_SHIFT : Long.MAX_VALUE;
    }

    /** An upper bound (exclusive) likewise, from the blocks whose earliest received time is before {@code until}. */
    static long endCreatedIndex(Connection connection, FailureFilter filter)
            throws SQLException
    {
        if (filter.until().isEmpty()) {
            return Long.MAX_VALUE;
        }
        OptionalLong block = block(connection, "SELECT MAX(block) FROM time_blocks WHERE min_received_ns < " + PgRow.nanos(filter.until().get()));
        return block.isPresent() ? (block.getAsLong() + 1) << PgSchema.BLOCK_SHIFT : 0;
    }

    private static OptionalLong block(Connection connection, String sql)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet row = select.executeQuery()) {
            row.next();
            long block = row.getLong(1);
            return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(block);
        }
    }

    static String in(String column, Collection<? extends Number> values)
    {
        return values.size() == 1
                ? column + " = " + values.iterator().next()
                : column + " IN (" + values.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
    }

    private static String bytea(Bytes bytes)
    {
        return "'\\x" + HexFormat.of().formatHex(bytes.toArray()) + "'::bytea";
    }
}
