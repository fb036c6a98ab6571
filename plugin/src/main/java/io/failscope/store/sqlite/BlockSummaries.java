package io.failscope.store.sqlite;

import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureAmounts;
import io.failscope.store.FailureFilter;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A summary per block of 4,096 created indexes: the range of received times, and which reasons,
 * failure types and sources, failcodes (hashed into 64 bits), nodes (likewise) and amounts its records
 * have: the skip index of ClickHouse, PostgreSQL's BRIN. A query for a reason, a code, a type, a
 * source, a node or an amount reads the summaries in order and scans only the blocks that may hold a
 * match, with no per-record index entry at all; {@code since} and {@code until} become bounds on the
 * created index. A summary covers at least its block's records: updates add to it, deletes leave it
 * as it was, so it may only let a query scan a block it could have skipped.
 */
final class BlockSummaries
{
    private static final int REASON_BITS = 512;
    /** Reason bit 0 is "no reason"; reason index i is bit i + 1, the last bit standing for every index beyond. */
    private static final int NO_REASON = 0;
    private static final int NO_FAILCODE_BIT = 63;

    /** One block's summary, as the writer gathers it. */
    private static final class Summary
    {
        long minReceived = Long.MAX_VALUE;
        long maxReceived = Long.MIN_VALUE;
        final long[] reasons = new long[REASON_BITS / 64];
        long kinds;
        long failcodes;
        long nodes;
        OptionalLong minAmount = OptionalLong.empty();
        OptionalLong maxAmount = OptionalLong.empty();

        void add(HtlcFailureRecord record, int node)
        {
            long received = Rows.receivedNanos(record);
            minReceived = Math.min(minReceived, received);
            maxReceived = Math.max(maxReceived, received);
            int reason = record.reason().map(value -> reasonBit(value.reason().reason().index())).orElse(NO_REASON);
            reasons[reason / 64] |= 1L << (reason % 64);
            kinds |= 1L << kindBit(record.type(), record.source());
            failcodes |= 1L << (record.wireCode().isPresent() ? failcodeBit(record.wireCode().getAsInt()) : NO_FAILCODE_BIT);
            nodes |= 1L << (node % 64);
            OptionalLong amount = FailureAmounts.amountMsat(record);
            if (amount.isPresent()) {
                minAmount = OptionalLong.of(minAmount.isEmpty() ? amount.getAsLong() : Math.min(minAmount.getAsLong(), amount.getAsLong()));
                maxAmount = OptionalLong.of(maxAmount.isEmpty() ? amount.getAsLong() : Math.max(maxAmount.getAsLong(), amount.getAsLong()));
            }
        }
    }

    private final Map<Long, Summary> cache = new HashMap<>();
    private final Set<Long> changed = new HashSet<>();
    private long newestBlock = -1;

    /** Adds a written record (new or updated) to its block's summary. */
    void add(Connection connection, long createdIndex, HtlcFailureRecord record, int node)
            throws SQLException
    {
        long block = createdIndex >> Schema.BLOCK_SHIFT;
        Summary summary = cache.get(block);
        if (summary == null) {
            summary = load(connection, block).orElseGet(Summary::new);
            cache.put(block, summary);
        }
        summary.add(record, node);
        changed.add(block);
        newestBlock = Math.max(newestBlock, block);
    }

    void save(Connection connection)
            throws SQLException
    {
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT OR REPLACE INTO blocks (block, min_received_ns, max_received_ns, reasons, kinds, failcodes, nodes, min_amount_msat, max_amount_msat)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (long block : changed) {
                Summary summary = cache.get(block);
                upsert.setLong(1, block);
                upsert.setLong(2, summary.minReceived);
                upsert.setLong(3, summary.maxReceived);
                ByteBuffer reasons = ByteBuffer.allocate(REASON_BITS / 8);
                for (long word : summary.reasons) {
                    reasons.putLong(word);
                }
                upsert.setBytes(4, reasons.array());
                upsert.setLong(5, summary.kinds);
                upsert.setLong(6, summary.failcodes);
                upsert.setLong(7, summary.nodes);
                Rows.setNullable(upsert, 8, summary.minAmount);
                Rows.setNullable(upsert, 9, summary.maxAmount);
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
        changed.clear();
        // only the block being filled is worth keeping: updates to older blocks are rare
        cache.keySet().removeIf(block -> block != newestBlock);
    }

    /** The transaction rolled back: what was gathered is forgotten and read again when needed. */
    void clear()
    {
        cache.clear();
        changed.clear();
    }

    private static Optional<Summary> load(Connection connection, long block)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT min_received_ns, max_received_ns, reasons, kinds, failcodes, nodes, min_amount_msat, max_amount_msat FROM blocks WHERE block = ?")) {
            select.setLong(1, block);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Summary summary = new Summary();
                summary.minReceived = row.getLong(1);
                summary.maxReceived = row.getLong(2);
                ByteBuffer reasons = ByteBuffer.wrap(row.getBytes(3));
                for (int i = 0; i < summary.reasons.length; i++) {
                    summary.reasons[i] = reasons.getLong();
                }
                summary.kinds = row.getLong(4);
                summary.failcodes = row.getLong(5);
                summary.nodes = row.getLong(6);
                long min = row.getLong(7);
                summary.minAmount = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(min);
                long max = row.getLong(8);
                summary.maxAmount = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(max);
                return Optional.of(summary);
            }
        }
    }

    private static int reasonBit(int index)
    {
        return Math.min(index + 1, REASON_BITS - 1);
    }

    private static int kindBit(FailureType type, FailureSource source)
    {
        return type.code() * 2 + source.code();
    }

    private static int failcodeBit(int failcode)
    {
        return failcode % NO_FAILCODE_BIT;
    }

    /** Whether a block may hold a record matching the parts of a filter summaries can answer. */
    static final class Matcher
    {
        private final long[] reasons;
        private final long kinds;
        private final long failcodes;
        private final long nodes;
        private final OptionalLong minMsat;
        private final OptionalLong maxMsat;

        /** Empty when no part of {@code filter} is summarized; {@code nodeNumbers} are the filter's nodes' dictionary numbers. */
        static Optional<Matcher> of(FailureFilter filter, Set<Integer> nodeNumbers)
        {
            boolean any = !filter.reasons().isEmpty() || filter.failcode().isPresent() || filter.type().isPresent() || filter.source().isPresent()
                    || !filter.nodes().isEmpty() || filter.minMsat().isPresent() || filter.maxMsat().isPresent();
            return any ? Optional.of(new Matcher(filter, nodeNumbers)) : Optional.empty();
        }

        private Matcher(FailureFilter filter, Set<Integer> nodeNumbers)
        {
            reasons = new long[REASON_BITS / 64];
            if (filter.reasons().isEmpty()) {
                Arrays.fill(reasons, -1L);
            }
            for (LocalReason reason : filter.reasons()) {
                int bit = reasonBit(reason.index());
                reasons[bit / 64] |= 1L << (bit % 64);
            }
            long kindMask = 0;
            for (FailureType type : FailureType.values()) {
                for (FailureSource source : FailureSource.values()) {
                    if (filter.type().map(type::equals).orElse(true) && filter.source().map(source::equals).orElse(true)) {
                        kindMask |= 1L << kindBit(type, source);
                    }
                }
            }
            kinds = kindMask;
            failcodes = filter.failcode().isPresent() ? 1L << failcodeBit(filter.failcode().getAsInt()) : -1L;
            long nodeMask = 0;
            for (int node : nodeNumbers) {
                nodeMask |= 1L << (node % 64);
            }
            nodes = filter.nodes().isEmpty() ? -1L : nodeMask;
            minMsat = filter.minMsat();
            maxMsat = filter.maxMsat();
        }

        /** {@code row}: reasons, kinds, failcodes, nodes, min amount, max amount from column {@code first} on. */
        boolean mayMatch(ResultSet row, int first)
                throws SQLException
        {
            ByteBuffer blockReasons = ByteBuffer.wrap(row.getBytes(first));
            boolean reason = false;
            for (long word : reasons) {
                reason |= (word & blockReasons.getLong()) != 0;
            }
            if (!reason || (kinds & row.getLong(first + 1)) == 0 || (failcodes & row.getLong(first + 2)) == 0 || (nodes & row.getLong(first + 3)) == 0) {
                return false;
            }
            if (minMsat.isEmpty() && maxMsat.isEmpty()) {
                return true;
            }
            long max = row.getLong(first + 5);
            if (row.wasNull()) {
                // no record of the block has an amount
                return false;
            }
            long min = row.getLong(first + 4);
            return (minMsat.isEmpty() || max >= minMsat.getAsLong()) && (maxMsat.isEmpty() || min <= maxMsat.getAsLong());
        }
    }
}
