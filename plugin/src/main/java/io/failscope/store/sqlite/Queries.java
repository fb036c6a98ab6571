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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code list}: a page of matching records in created or updated order. Every part of the filter is
 * SQL; what differs is how the rows are reached, fastest first: the updated index for pages by
 * {@code updated}; the payment hash's index; for a channel or a peer, one ordered scan of a link index
 * per link, merged; otherwise the rows in created order, block by block, skipping every block whose
 * summary rules a match out. {@code since} and {@code until} bound the created index in every case.
 */
final class Queries
{
    /** created_index >> HASH_SEGMENT_SHIFT leads the payment hash index (see Schema). */
    private static final int HASH_SEGMENT_SHIFT = 16;
    /** Candidate blocks read together in one range query. */
    private static final int RUN_BLOCKS = 16;

    private Queries() {}

    static List<StoredFailure> list(Connection connection, Dictionary dictionary, FailureFilter filter, Page page)
            throws SQLException
    {
        Optional<Where> matching = Where.of(filter, dictionary);
        if (matching.isEmpty()) {
            return List.of();
        }
        Where where = matching.get();
        long first = Math.max(page.start().orElse(0), firstCreatedIndex(connection, filter));
        long end = endCreatedIndex(connection, filter);
        if (page.index() == Page.Index.UPDATED) {
            page.start().ifPresent(start -> where.add("updated_index >= ?", start));
            where.add("updated_index IS NOT NULL");
            return fetch(connection, dictionary, where, "INDEXED BY failures_updated", "updated_index", page.limit());
        }
        if (filter.paymentHash().isPresent()) {
            // the index is by segment of 65,536 created indexes first, so that inserts touch the pages of
            // the newest segment only instead of pages all over the index: a lookup probes each segment
            long last = Math.min(end - 1, lastCreatedIndex(connection));
            List<Long> segments = new ArrayList<>();
            for (long segment = first >> HASH_SEGMENT_SHIFT; segment <= last >> HASH_SEGMENT_SHIFT; segment++) {
                segments.add(segment);
            }
            if (segments.isEmpty()) {
                return List.of();
            }
            where.add("(created_index >> " + HASH_SEGMENT_SHIFT + ") IN (" + segments.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
            return fetch(connection, dictionary, between(where, first, end), "INDEXED BY failures_payment_hash", "created_index", page.limit());
        }
        Optional<List<Stream>> streams = linkStreams(filter, dictionary);
        if (streams.isPresent()) {
            // each scan yields created indexes only; just the page's rows are then read and decoded
            TreeSet<Long> merged = new TreeSet<>();
            for (Stream stream : streams.get()) {
                Where one = between(where, first, end);
                one.add(stream.column() + " = ?", stream.link());
                try (PreparedStatement select = one.prepare(connection, "SELECT created_index FROM failures INDEXED BY failures_" + stream.column(),
                        " ORDER BY created_index LIMIT " + page.limit()); ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        merged.add(rows.getLong(1));
                    }
                }
            }
            List<Long> pageIndexes = merged.stream().limit(page.limit()).toList();
            if (pageIndexes.isEmpty()) {
                return List.of();
            }
            Where rows = new Where();
            rows.addIn("created_index", pageIndexes);
            return fetch(connection, dictionary, rows, "", "created_index", page.limit());
        }
        Optional<BlockSummaries.Matcher> matcher = BlockSummaries.Matcher.of(filter, Where.nodeNumbers(filter, dictionary));
        if (matcher.isEmpty()) {
            return fetch(connection, dictionary, between(where, first, end), "", "created_index", page.limit());
        }
        return scanBlocks(connection, dictionary, where, matcher.get(), first, end, page.limit());
    }

    private record Stream(String column, int link) {}

    /** One ordered scan per link of the filter's channel or peer; empty when the filter names none. */
    private static Optional<List<Stream>> linkStreams(FailureFilter filter, Dictionary dictionary)
    {
        List<Stream> streams = new ArrayList<>();
        if (filter.inChannel().isPresent()) {
            dictionary.linksOfChannel(filter.inChannel().get()).forEach(link -> streams.add(new Stream("in_link", link)));
        }
        else if (filter.outChannel().isPresent()) {
            dictionary.linksOfChannel(filter.outChannel().get()).forEach(link -> streams.add(new Stream("out_link", link)));
        }
        else if (filter.peer().isPresent()) {
            for (int link : dictionary.linksOfPeer(filter.peer().get())) {
                streams.add(new Stream("in_link", link));
                streams.add(new Stream("out_link", link));
            }
        }
        else {
            return Optional.empty();
        }
        return Optional.of(streams);
    }

    /** Reads the summaries of the blocks in [first, end) in order and the rows of the candidate blocks, until the page is full. */
    private static List<StoredFailure> scanBlocks(Connection connection, Dictionary dictionary, Where where, BlockSummaries.Matcher matcher, long first, long end, int limit)
            throws SQLException
    {
        List<StoredFailure> result = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT block, reasons, kinds, failcodes, nodes, min_amount_msat, max_amount_msat FROM blocks WHERE block >= ? AND block <= ? ORDER BY block")) {
            select.setLong(1, first >> Schema.BLOCK_SHIFT);
            select.setLong(2, (end - 1) >> Schema.BLOCK_SHIFT);
            try (ResultSet blocks = select.executeQuery()) {
                long runStart = -1;
                long runEnd = -1;
                int runBlocks = 0;
                while (blocks.next() && result.size() < limit) {
                    long block = blocks.getLong(1);
                    boolean candidate = matcher.mayMatch(blocks, 2);
                    if (runStart >= 0 && (!candidate || block != runEnd || runBlocks == RUN_BLOCKS)) {
                        result.addAll(rowsBetween(connection, dictionary, where, Math.max(first, runStart << Schema.BLOCK_SHIFT), Math.min(end, runEnd << Schema.BLOCK_SHIFT), limit - result.size()));
                        runStart = -1;
                    }
                    if (candidate && result.size() < limit) {
                        if (runStart < 0) {
                            runStart = block;
                            runBlocks = 0;
                        }
                        runEnd = block + 1;
                        runBlocks++;
                    }
                }
                if (runStart >= 0 && result.size() < limit) {
                    result.addAll(rowsBetween(connection, dictionary, where, Math.max(first, runStart << Schema.BLOCK_SHIFT), Math.min(end, runEnd << Schema.BLOCK_SHIFT), limit - result.size()));
                }
            }
        }
        return result;
    }

    private static List<StoredFailure> rowsBetween(Connection connection, Dictionary dictionary, Where where, long from, long to, int limit)
            throws SQLException
    {
        return fetch(connection, dictionary, between(where, from, to), "", "created_index", limit);
    }

    /**
     * {@code where} and one range of created indexes. One only: SQLite bounds its scan of the rows by
     * the first range it is given, not the narrowest, as it cannot compare parameters while planning.
     */
    private static Where between(Where where, long from, long to)
    {
        Where range = where.copy();
        range.add("created_index >= ?", from);
        range.add("created_index < ?", to);
        return range;
    }

    private static List<StoredFailure> fetch(Connection connection, Dictionary dictionary, Where where, String index, String order, int limit)
            throws SQLException
    {
        List<StoredFailure> result = new ArrayList<>();
        try (PreparedStatement select = where.prepare(connection, "SELECT " + RowCodec.COLUMNS + " FROM failures " + index, " ORDER BY " + order + " LIMIT " + limit);
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long updated = rows.getLong(2);
                OptionalLong updatedIndex = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated);
                result.add(new StoredFailure(rows.getLong(1), updatedIndex, RowCodec.read(rows, dictionary)));
            }
        }
        return result;
    }

    /**
     * A lower bound on the created index of any row of the filter's time range: the start of the first
     * block whose latest received time reaches {@code since}. Exact, since every such row lies in such a
     * block; deletes can only leave a block's summary too wide, which loosens the bound.
     */
    static long firstCreatedIndex(Connection connection, FailureFilter filter)
            throws SQLException
    {
        if (filter.since().isEmpty()) {
            return 0;
        }
        OptionalLong block = blockWhere(connection, "SELECT MIN(block) FROM blocks WHERE max_received_ns >= ?", Rows.nanos(filter.since().get()));
        // no block reaches the time: no row does either
        return block.isPresent() ? block.getAsLong() << Schema.BLOCK_SHIFT : Long.MAX_VALUE;
    }

    /** An upper bound (exclusive) likewise: the end of the last block whose earliest received time is before {@code until}. */
    static long endCreatedIndex(Connection connection, FailureFilter filter)
            throws SQLException
    {
        if (filter.until().isEmpty()) {
            return Long.MAX_VALUE;
        }
        OptionalLong block = blockWhere(connection, "SELECT MAX(block) FROM blocks WHERE min_received_ns < ?", Rows.nanos(filter.until().get()));
        return block.isPresent() ? (block.getAsLong() + 1) << Schema.BLOCK_SHIFT : 0;
    }

    private static long lastCreatedIndex(Connection connection)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement("SELECT IFNULL(MAX(created_index), 0) FROM failures"); ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static OptionalLong blockWhere(Connection connection, String sql, long nanos)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, nanos);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long block = row.getLong(1);
                return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(block);
            }
        }
    }
}
