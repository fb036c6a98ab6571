package io.failscope.store.postgres;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureAmounts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Changes to the {@code totals} table gathered over one transaction and written with it, as
 * increments ({@code count = count + n}): writers of several nodes, and two transactions of one,
 * add to the same rows without reading them first, so concurrent writers stay correct. Keys are
 * written in order, so two transactions never wait on each other's rows in a cycle.
 */
final class PgTotals
{
    static final long NANOS_PER_DAY = 86_400_000_000_000L;
    static final long NANOS_PER_HOUR = 3_600_000_000_000L;
    /** The key of a record that has no value in a dimension. */
    static final long NONE = -1;

    /** What a dimension groups by; its number is stored. */
    enum Dimension
    {
        ALL(0),
        REASON(1),
        FAILCODE(2),
        TYPE(3),
        OUT_CHANNEL(4),
        IN_CHANNEL(5),
        OUT_PEER(6),
        HOUR(7);

        private final int code;

        Dimension(int code)
        {
            this.code = code;
        }

        int code()
        {
            return code;
        }
    }

    private record Key(int node, int dimension, long day, long key)
            implements Comparable<Key>
    {
        @Override
        public int compareTo(Key other)
        {
            int order = Integer.compare(node, other.node);
            if (order == 0) {
                order = Integer.compare(dimension, other.dimension);
            }
            if (order == 0) {
                order = Long.compare(day, other.day);
            }
            return order != 0 ? order : Long.compare(key, other.key);
        }
    }

    private static final class Change
    {
        long count;
        BigInteger amount = BigInteger.ZERO;
        BigInteger fee = BigInteger.ZERO;
    }

    private final Map<Key, Change> changes = new TreeMap<>();

    /** Adds (sign 1) or takes out (sign -1) a stored record with its row's node numbers. */
    void change(HtlcFailureRecord record, PgRow row, int sign)
    {
        long day = row.receivedNanos() / NANOS_PER_DAY;
        BigInteger amount = BigInteger.valueOf(FailureAmounts.amountMsat(record).orElse(0) * (long) sign);
        BigInteger fee = BigInteger.valueOf(FailureAmounts.missedFeeMsat(record) * (long) sign);
        for (Dimension dimension : Dimension.values()) {
            long key = switch (dimension) {
                case ALL -> 0;
                case REASON -> row.reason().orElse(NONE);
                case FAILCODE -> row.failcode().orElse(NONE);
                case TYPE -> row.type();
                case OUT_CHANNEL -> row.outChannel().orElse(NONE);
                case IN_CHANNEL -> row.inChannel().orElse(NONE);
                case OUT_PEER -> row.outPeer().orElse(NONE);
                case HOUR -> row.receivedNanos() / NANOS_PER_HOUR;
            };
            Change change = changes.computeIfAbsent(new Key(row.node(), dimension.code(), day, key), ignored -> new Change());
            change.count += sign;
            change.amount = change.amount.add(amount);
            change.fee = change.fee.add(fee);
        }
    }

    void write(Connection connection)
            throws SQLException
    {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO totals (node, dim, day, key, count, amount_msat, missed_fee_msat) VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (node, dim, day, key) DO UPDATE SET count = totals.count + excluded.count,"
                + " amount_msat = totals.amount_msat + excluded.amount_msat, missed_fee_msat = totals.missed_fee_msat + excluded.missed_fee_msat")) {
            for (Map.Entry<Key, Change> entry : changes.entrySet()) {
                Change change = entry.getValue();
                if (change.count == 0 && change.amount.signum() == 0 && change.fee.signum() == 0) {
                    continue;
                }
                Key key = entry.getKey();
                upsert.setInt(1, key.node());
                upsert.setInt(2, key.dimension());
                upsert.setLong(3, key.day());
                upsert.setLong(4, key.key());
                upsert.setLong(5, change.count);
                upsert.setBigDecimal(6, new BigDecimal(change.amount));
                upsert.setBigDecimal(7, new BigDecimal(change.fee));
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
        changes.clear();
    }

    void clear()
    {
        changes.clear();
    }
}
