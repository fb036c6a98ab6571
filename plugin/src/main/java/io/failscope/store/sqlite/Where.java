package io.failscope.store.sqlite;

import io.failscope.NodeId;
import io.failscope.reason.LocalReason;
import io.failscope.store.FailureFilter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A WHERE clause built from a filter, with its parameters in order. */
final class Where
{
    private final List<String> clauses = new ArrayList<>();
    private final List<Object> parameters = new ArrayList<>();

    /** The amount a filter bounds: what reached us, or for our own payments what we sent. */
    static final String AMOUNT = "COALESCE(in_msat, out_msat)";

    /**
     * Every part of {@code filter} as SQL, channels and peers through their links; empty when the
     * filter names a node, channel or peer the database has never seen, so nothing can match.
     */
    static Optional<Where> of(FailureFilter filter, Dictionary dictionary)
    {
        Where where = new Where();
        if (!where.addNodes(filter, dictionary)) {
            return Optional.empty();
        }
        filter.since().ifPresent(since -> where.add("received_ns >= ?", Rows.nanos(since)));
        filter.until().ifPresent(until -> where.add("received_ns < ?", Rows.nanos(until)));
        if (!filter.reasons().isEmpty()) {
            where.addIn("reason", filter.reasons().stream().map(LocalReason::index).collect(Collectors.toCollection(TreeSet::new)));
        }
        filter.failcode().ifPresent(code -> where.add("failcode = ?", code));
        filter.type().ifPresent(type -> where.add("type = ?", type.code()));
        filter.source().ifPresent(source -> where.add("source = ?", source.code()));
        if (filter.inChannel().isPresent()) {
            List<Integer> links = dictionary.linksOfChannel(filter.inChannel().get());
            if (links.isEmpty()) {
                return Optional.empty();
            }
            where.addIn("in_link", links);
        }
        if (filter.outChannel().isPresent()) {
            List<Integer> links = dictionary.linksOfChannel(filter.outChannel().get());
            if (links.isEmpty()) {
                return Optional.empty();
            }
            where.addIn("out_link", links);
        }
        if (filter.peer().isPresent()) {
            List<Integer> links = dictionary.linksOfPeer(filter.peer().get());
            if (links.isEmpty()) {
                return Optional.empty();
            }
            String list = links.stream().map(String::valueOf).collect(Collectors.joining(", "));
            where.clauses.add("(in_link IN (" + list + ") OR out_link IN (" + list + "))");
        }
        filter.paymentHash().ifPresent(hash -> {
            byte[] bytes = hash.hash().toArray();
            where.add("substr(payment_hash, 1, 4) = ?", (Object) Arrays.copyOf(bytes, 4));
            where.add("payment_hash = ?", (Object) bytes);
        });
        filter.minMsat().ifPresent(msat -> where.add(AMOUNT + " >= ?", msat));
        filter.maxMsat().ifPresent(msat -> where.add(AMOUNT + " <= ?", msat));
        return Optional.of(where);
    }

    /** The dictionary numbers of the filter's nodes that the database knows. */
    static Set<Integer> nodeNumbers(FailureFilter filter, Dictionary dictionary)
    {
        Set<Integer> numbers = new TreeSet<>();
        for (NodeId node : filter.nodes()) {
            dictionary.knownNodeId(node).ifPresent(numbers::add);
        }
        return numbers;
    }

    /** Adds the filter's nodes; false when it names nodes and the database knows none of them. */
    boolean addNodes(FailureFilter filter, Dictionary dictionary)
    {
        if (filter.nodes().isEmpty()) {
            return true;
        }
        Set<Integer> numbers = nodeNumbers(filter, dictionary);
        if (numbers.isEmpty()) {
            return false;
        }
        addIn("node", numbers);
        return true;
    }

    void add(String clause, Object... values)
    {
        clauses.add(clause);
        parameters.addAll(List.of(values));
    }

    /** {@code column IN (...)} over whole numbers, written into the SQL. */
    void addIn(String column, Collection<? extends Number> values)
    {
        clauses.add(values.size() == 1
                ? column + " = " + values.iterator().next()
                : column + " IN (" + values.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
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
