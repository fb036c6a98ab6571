package io.failscope.store;

import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Changes to {@code daily_totals} gathered over one transaction and saved with it: one row per
 * (day, out channel, reason, failcode, type, source), with "none" stored as -1.
 */
final class DailyTotals
{
    static final long NANOS_PER_DAY = 86_400_000_000_000L;

    private record Key(long day, long outChannel, int reason, int failcode, int type, int source) {}

    private final Map<Key, long[]> changes = new HashMap<>();

    void add(HtlcFailureRecord record)
    {
        change(record, 1);
    }

    void remove(HtlcFailureRecord record)
    {
        change(record, -1);
    }

    private void change(HtlcFailureRecord record, int sign)
    {
        long received = Rows.receivedNanos(record);
        Key key = new Key(received - received % NANOS_PER_DAY,
                record.outChannel().map(ShortChannelId::value).orElse(-1L),
                Rows.reasonIndex(record).orElse(-1),
                record.wireCode().orElse(-1),
                record.type().code(),
                record.source().code());
        long[] totals = changes.computeIfAbsent(key, ignored -> new long[3]);
        totals[0] += sign;
        totals[1] += sign * Rows.amountMsat(record).orElse(0);
        totals[2] += sign * Rows.missedFeeMsat(record);
    }

    void save(Connection connection)
            throws SQLException
    {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO daily_totals (day, out_channel, reason, failcode, type, source, count, amount_msat, missed_fee_msat)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (day, out_channel, reason, failcode, type, source) DO UPDATE SET
                    count = count + excluded.count,
                    amount_msat = amount_msat + excluded.amount_msat,
                    missed_fee_msat = missed_fee_msat + excluded.missed_fee_msat
                """)) {
            for (Map.Entry<Key, long[]> change : changes.entrySet()) {
                Key key = change.getKey();
                long[] totals = change.getValue();
                if (totals[0] == 0 && totals[1] == 0 && totals[2] == 0) {
                    continue;
                }
                upsert.setLong(1, key.day());
                upsert.setLong(2, key.outChannel());
                upsert.setInt(3, key.reason());
                upsert.setInt(4, key.failcode());
                upsert.setInt(5, key.type());
                upsert.setInt(6, key.source());
                upsert.setLong(7, totals[0]);
                upsert.setLong(8, totals[1]);
                upsert.setLong(9, totals[2]);
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
        changes.clear();
    }
}
