package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureAmounts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Changes to the {@code totals} table gathered over one transaction and saved with it. Each record
 * counts once in every dimension, under its day and node: so statistics grouped any way read a table
 * of a few hundred rows a day instead of the records, and keep counting records that retention pruned.
 * Sums are kept as the sums of the high and of the low 32 bits of the amounts: exact, with no overflow
 * for billions of records of 2.1e18 msat.
 */
final class Totals
{
    static final long NANOS_PER_DAY = 86_400_000_000_000L;
    static final long NANOS_PER_HOUR = 3_600_000_000_000L;

    /** What a dimension groups by; its number is stored. A key of -1 (0 for links) means the record has none. */
    enum Dimension
    {
        ALL(0),
        REASON(1),
        FAILCODE(2),
        TYPE(3),
        OUT_LINK(4),
        IN_LINK(5),
        HOUR(6);

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

    /** The dimensions that format 1's daily totals already had (out channels as links without a peer). */
    static final Dimension[] FORMAT_1 = {Dimension.ALL, Dimension.REASON, Dimension.FAILCODE, Dimension.TYPE, Dimension.OUT_LINK};

    private record Key(int dimension, long day, int node, long key) {}

    private final Map<Key, long[]> changes = new HashMap<>();

    void add(HtlcFailureRecord record, RowCodec.Keys keys)
    {
        change(record, keys, Dimension.values(), 1);
    }

    void remove(HtlcFailureRecord record, RowCodec.Keys keys)
    {
        change(record, keys, Dimension.values(), -1);
    }

    /** Adds (sign 1) or removes (sign -1) a record in the given dimensions. */
    void change(HtlcFailureRecord record, RowCodec.Keys keys, Dimension[] dimensions, int sign)
    {
        long received = Rows.receivedNanos(record);
        long day = received / NANOS_PER_DAY;
        long amount = FailureAmounts.amountMsat(record).orElse(0);
        long fee = FailureAmounts.missedFeeMsat(record);
        for (Dimension dimension : dimensions) {
            long key = switch (dimension) {
                case ALL -> 0;
                case REASON -> record.reason().map(reason -> (long) reason.reason().reason().index()).orElse(-1L);
                case FAILCODE -> record.wireCode().isPresent() ? record.wireCode().getAsInt() : -1;
                case TYPE -> record.type().code();
                case OUT_LINK -> keys.outLink().orElse(0);
                case IN_LINK -> keys.inLink().orElse(0);
                case HOUR -> received / NANOS_PER_HOUR;
            };
            long[] totals = changes.computeIfAbsent(new Key(dimension.code(), day, keys.node(), key), ignored -> new long[5]);
            totals[0] += sign;
            totals[1] += sign * (amount >>> 32);
            totals[2] += sign * (amount & 0xFFFF_FFFFL);
            totals[3] += sign * (fee >>> 32);
            totals[4] += sign * (fee & 0xFFFF_FFFFL);
        }
    }

    void save(Connection connection)
            throws SQLException
    {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO totals (dim, day, node, key, count, amount_high, amount_low, fee_high, fee_low) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (dim, day, node, key) DO UPDATE SET
                    count = count + excluded.count,
                    amount_high = amount_high + excluded.amount_high,
                    amount_low = amount_low + excluded.amount_low,
                    fee_high = fee_high + excluded.fee_high,
                    fee_low = fee_low + excluded.fee_low
                """)) {
            for (Map.Entry<Key, long[]> change : changes.entrySet()) {
                long[] totals = change.getValue();
                if (totals[0] == 0 && totals[1] == 0 && totals[2] == 0 && totals[3] == 0 && totals[4] == 0) {
                    continue;
                }
                Key key = change.getKey();
                upsert.setInt(1, key.dimension());
                upsert.setLong(2, key.day());
                upsert.setInt(3, key.node());
                upsert.setLong(4, key.key());
                for (int i = 0; i < 5; i++) {
                    upsert.setLong(5 + i, totals[i]);
                }
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
