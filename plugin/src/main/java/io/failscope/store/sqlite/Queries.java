package io.failscope.store.sqlite;

import io.failscope.store.FailureFilter;
import io.failscope.store.Page;
import io.failscope.store.StoredFailure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;

/** {@code list}: pages of matching records in created or updated order. */
final class Queries
{
    private Queries() {}

    static List<StoredFailure> list(Connection connection, FailureFilter filter, Page page)
            throws SQLException
    {
        Where where = Where.withoutPeer(filter);
        String order = page.index() == Page.Index.CREATED ? "created_index" : "updated_index";
        if (page.index() == Page.Index.UPDATED) {
            where.add("updated_index IS NOT NULL");
        }
        page.start().ifPresent(start -> where.add(order + " >= ?", start));
        if (page.index() == Page.Index.CREATED && filter.since().isPresent()) {
            where.add("created_index >= ?", firstCreatedIndexSince(connection, Rows.nanos(filter.since().get())));
        }
        if (filter.peer().isEmpty()) {
            return fetchPage(connection, where, filter, page, order);
        }
        // the peer may be on either side: one ordered scan per side, merged
        long key = Rows.peerKey(filter.peer().get());
        TreeMap<Long, StoredFailure> merged = new TreeMap<>();
        for (String column : List.of("in_peer_key", "out_peer_key")) {
            Where side = where.copy();
            side.add(column + " = ?", key);
            for (StoredFailure stored : fetchPage(connection, side, filter, page, order)) {
                merged.put(indexOf(stored, page), stored);
            }
        }
        return merged.values().stream().limit(page.limit()).toList();
    }

    private static long indexOf(StoredFailure stored, Page page)
    {
        return page.index() == Page.Index.CREATED ? stored.createdIndex() : stored.updatedIndex().getAsLong();
    }

    /** Up to a page of rows matching {@code where} and, exactly, {@code filter}, in index order. */
    private static List<StoredFailure> fetchPage(Connection connection, Where where, FailureFilter filter, Page page, String order)
            throws SQLException
    {
        List<StoredFailure> result = new ArrayList<>();
        // Rows matched by a key prefix but not exactly are dropped; fetch on until the page is full.
        OptionalLong resume = OptionalLong.empty();
        while (result.size() < page.limit()) {
            Where slice = where.copy();
            if (resume.isPresent()) {
                slice.add(order + " > ?", resume.getAsLong());
            }
            int wanted = page.limit() - result.size();
            int fetched = 0;
            try (PreparedStatement select = slice.prepare(connection, "SELECT created_index, updated_index, record FROM htlc_failures", " ORDER BY " + order + " LIMIT " + wanted)) {
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        fetched++;
                        StoredFailure stored = Rows.storedFailure(rows);
                        resume = OptionalLong.of(indexOf(stored, page));
                        if (Where.matchesExactly(filter, stored.record())) {
                            result.add(stored);
                        }
                    }
                }
            }
            if (fetched < wanted) {
                break;
            }
        }
        return result;
    }

    /**
     * A lower bound on the created index of any row received at or after {@code sinceNanos}: the start
     * of the first block whose latest received time reaches it. Exact, since every such row lies in such
     * a block; deletes can only leave a block's maximum too high, which loosens the bound.
     */
    static long firstCreatedIndexSince(Connection connection, long sinceNanos)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement("SELECT MIN(block) FROM time_blocks WHERE max_received_ns >= ?")) {
            select.setLong(1, sinceNanos);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long block = row.getLong(1);
                // no block reaches the time: no row does either
                return row.wasNull() ? Long.MAX_VALUE : block << Schema.BLOCK_SHIFT;
            }
        }
    }
}
