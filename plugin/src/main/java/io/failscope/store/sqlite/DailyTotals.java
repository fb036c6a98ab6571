package io.failscope.store.sqlite;

import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureAmounts;

import java.math.BigInteger;
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
        long[] totals = changes.computeIfAbsent(key, ignored -> new long[5]);
        totals[0] += sign;
        // sums of up to a group's amounts (2.1e18 msat each at most): they cannot overflow a long
        // split into the high and low 32 bits, and the stored sums saturate (see save)
        long amount = FailureAmounts.amountMsat(record).orElse(0);
        long fee = FailureAmounts.missedFeeMsat(record);
        totals[1] += sign * (amount >>> 32);
        totals[2] += sign * (amount & 0xFFFF_FFFFL);
        totals[3] += sign * (fee >>> 32);
        totals[4] += sign * (fee & 0xFFFF_FFFFL);
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
                    amount_msat = %s,
                    missed_fee_msat = %s
                """.formatted(saturatedSum("amount_msat"), saturatedSum("missed_fee_msat")))) {
            for (Map.Entry<Key, long[]> change : changes.entrySet()) {
                Key key = change.getKey();
                long[] totals = change.getValue();
                if (totals[0] == 0 && totals[1] == 0 && totals[2] == 0 && totals[3] == 0 && totals[4] == 0) {
                    continue;
                }
                upsert.setLong(1, key.day());
                upsert.setLong(2, key.outChannel());
                upsert.setInt(3, key.reason());
                upsert.setInt(4, key.failcode());
                upsert.setInt(5, key.type());
                upsert.setInt(6, key.source());
                upsert.setLong(7, totals[0]);
                upsert.setLong(8, saturated(totals[1], totals[2]));
                upsert.setLong(9, saturated(totals[3], totals[4]));
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

    /** high * 2^32 + low, at most Long.MAX_VALUE (a change may be negative: a delete). */
    private static long saturated(long high, long low)
    {
        BigInteger sum = BigInteger.valueOf(high).shiftLeft(32).add(BigInteger.valueOf(low));
        return sum.max(BigInteger.valueOf(Long.MIN_VALUE)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
    }

    /**
     * The stored sum plus a change, kept within [0, Long.MAX_VALUE]: a day whose amounts pass 9.2e18
     * msat stays at the maximum ("at least that") instead of turning into a float, as SQLite does on
     * an integer overflow.
     */
    private static String saturatedSum(String column)
    {
        return "CASE WHEN excluded.%1$s > 0 AND %1$s > 9223372036854775807 - excluded.%1$s THEN 9223372036854775807 WHEN %1$s + excluded.%1$s < 0 THEN 0 ELSE %1$s + excluded.%1$s END".formatted(column);
    }
}
