package io.failscope.store.sqlite;

import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.StoredEnum;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStats;
import io.failscope.store.GroupKey;
import io.failscope.store.StatsGrouping;
import io.failscope.store.StoreException;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code stats}. Groupings the daily totals can split read whole days from them and the partial days
 * at the edges of the range from the rows; the others read the rows, and report as {@code unsplit}
 * what the totals hold beyond the rows over the whole days of the range (rows pruned by retention).
 * Rows pruned from a partial edge day are not counted. Sums are exact (high and low 32 bits summed
 * apart, so SQLite's integer sum never overflows) and saturate only when made into totals.
 */
final class Statistics
{
    private static final long NANOS_PER_HOUR = 3_600_000_000_000L;
    /** No grouping: one group of everything. */
    private static final String NONE = "NULL";

    private Statistics() {}

    /** A group's running sums, and a row to take a peer's or node's full id from. */
    private static final class Sums
    {
        long count;
        BigInteger amount = BigInteger.ZERO;
        BigInteger fee = BigInteger.ZERO;
        long sampleCreatedIndex = Long.MAX_VALUE;

        void add(ResultSet rows)
                throws SQLException
        {
            count += rows.getLong(2);
            amount = amount.add(wide(rows.getLong(3), rows.getLong(4)));
            fee = fee.add(wide(rows.getLong(5), rows.getLong(6)));
        }

        void add(Sums other, int sign)
        {
            count += sign * other.count;
            amount = sign > 0 ? amount.add(other.amount) : amount.subtract(other.amount);
            fee = sign > 0 ? fee.add(other.fee) : fee.subtract(other.fee);
        }

        FailureStats.Totals totals()
        {
            return FailureStats.Totals.of(Math.max(0, count), amount, fee);
        }

        private static BigInteger wide(long high, long low)
        {
            return BigInteger.valueOf(high).shiftLeft(32).add(BigInteger.valueOf(low));
        }
    }

    static FailureStats stats(Connection connection, FailureFilter filter, StatsGrouping grouping)
            throws SQLException
    {
        OptionalLong since = filter.since().map(time -> OptionalLong.of(Rows.nanos(time))).orElse(OptionalLong.empty());
        OptionalLong until = filter.until().map(time -> OptionalLong.of(Rows.nanos(time))).orElse(OptionalLong.empty());
        OptionalLong firstDay = since.isPresent() ? OptionalLong.of(ceilDay(since.getAsLong())) : OptionalLong.empty();
        OptionalLong endDay = until.isPresent() ? OptionalLong.of(until.getAsLong() - until.getAsLong() % DailyTotals.NANOS_PER_DAY) : OptionalLong.empty();
        boolean wholeDays = firstDay.isEmpty() || endDay.isEmpty() || firstDay.getAsLong() < endDay.getAsLong();
        // the daily totals keep no node: with a nodes filter, every record is read from the rows
        boolean nodesFiltered = !filter.nodes().isEmpty();
        Map<Optional<Long>, Sums> groups = new LinkedHashMap<>();
        Sums unsplit = new Sums();
        Optional<String> totalsKey = nodesFiltered ? Optional.empty() : rollupExpression(grouping);
        if (totalsKey.isPresent() && wholeDays) {
            groupTotals(connection, totalsKey.get(), firstDay, endDay, groups);
            if (since.isPresent() && since.getAsLong() < firstDay.getAsLong()) {
                groupRows(connection, filter, liveExpression(grouping), since, firstDay, groups);
            }
            if (until.isPresent() && endDay.getAsLong() < until.getAsLong()) {
                groupRows(connection, filter, liveExpression(grouping), endDay, until, groups);
            }
        }
        else {
            groupRows(connection, filter, liveExpression(grouping), since, until, groups);
            if (wholeDays && !nodesFiltered) {
                Map<Optional<Long>, Sums> stored = new HashMap<>();
                groupTotals(connection, NONE, firstDay, endDay, stored);
                Map<Optional<Long>, Sums> live = new HashMap<>();
                groupRows(connection, filter, NONE, firstDay, endDay, live);
                stored.values().forEach(sums -> unsplit.add(sums, 1));
                live.values().forEach(sums -> unsplit.add(sums, -1));
            }
        }
        List<FailureStats.Group> result = new ArrayList<>();
        Map<FailureStats.Group, String> order = new HashMap<>();
        FailureStats.Totals total = unsplit.totals();
        for (Map.Entry<Optional<Long>, Sums> entry : groups.entrySet()) {
            Sums sums = entry.getValue();
            if (sums.count == 0) {
                continue;
            }
            Optional<GroupKey> key = entry.getKey().isEmpty() ? Optional.empty() : Optional.of(key(connection, grouping, entry.getKey().get(), sums.sampleCreatedIndex));
            FailureStats.Group group = new FailureStats.Group(key, sums.totals());
            result.add(group);
            order.put(group, entry.getKey().map(String::valueOf).orElse(""));
            total = total.plus(group.totals());
        }
        if (grouping == StatsGrouping.HOUR || grouping == StatsGrouping.DAY) {
            result.sort(Comparator.comparing(group -> group.key().map(key -> ((GroupKey.Time) key).start()).orElse(Instant.MIN)));
        }
        else {
            result.sort(Comparator.<FailureStats.Group>comparingLong(group -> -group.totals().count()).thenComparing(order::get));
        }
        return new FailureStats(grouping, result, total, unsplit.totals());
    }

    private static String liveExpression(StatsGrouping grouping)
    {
        return switch (grouping) {
            case REASON -> "reason";
            case FAILCODE -> "failcode";
            case TYPE -> "type";
            case OUT_CHANNEL -> "out_channel";
            case IN_CHANNEL -> "in_channel";
            case PEER_ID -> "out_peer_key";
            case HOUR -> "received_ns / " + NANOS_PER_HOUR;
            case DAY -> "received_ns / " + DailyTotals.NANOS_PER_DAY;
            case NODE -> "node_key";
        };
    }

    /** The daily totals' column for this grouping; empty when a day's totals cannot be split this way. */
    private static Optional<String> rollupExpression(StatsGrouping grouping)
    {
        return switch (grouping) {
            case REASON -> Optional.of("reason");
            case FAILCODE -> Optional.of("failcode");
            case TYPE -> Optional.of("type");
            case OUT_CHANNEL -> Optional.of("out_channel");
            case DAY -> Optional.of("day / " + DailyTotals.NANOS_PER_DAY);
            case IN_CHANNEL, PEER_ID, HOUR, NODE -> Optional.empty();
        };
    }

    private static GroupKey key(Connection connection, StatsGrouping grouping, long value, long sampleCreatedIndex)
            throws SQLException
    {
        return switch (grouping) {
            case REASON -> new GroupKey.Reason(LocalReason.forIndex((int) value).orElseThrow(() -> new StoreException("a stored reason index is unknown: " + value)));
            case FAILCODE -> new GroupKey.Failcode((int) value);
            case TYPE -> new GroupKey.Type(StoredEnum.forCode(FailureType.class, (int) value).orElseThrow(() -> new StoreException("a stored failure type is unknown: " + value)));
            case OUT_CHANNEL, IN_CHANNEL -> new GroupKey.Channel(new ShortChannelId(value));
            case PEER_ID -> new GroupKey.Node(recordAt(connection, sampleCreatedIndex).outPeer().orElseThrow());
            case HOUR -> new GroupKey.Time(Instant.ofEpochSecond(value * 3600));
            case DAY -> new GroupKey.Time(Instant.ofEpochSecond(value * 86_400));
            case NODE -> new GroupKey.Node(recordAt(connection, sampleCreatedIndex).nodeId());
        };
    }

    private static long ceilDay(long nanos)
    {
        long floor = nanos - nanos % DailyTotals.NANOS_PER_DAY;
        return floor == nanos ? nanos : floor + DailyTotals.NANOS_PER_DAY;
    }

    private static void groupTotals(Connection connection, String key, OptionalLong firstDay, OptionalLong endDay, Map<Optional<Long>, Sums> groups)
            throws SQLException
    {
        Where where = new Where();
        firstDay.ifPresent(day -> where.add("day >= ?", day));
        endDay.ifPresent(day -> where.add("day < ?", day));
        String select = "SELECT " + key + ", SUM(count), " + wideSum("amount_msat") + ", " + wideSum("missed_fee_msat") + " FROM daily_totals";
        try (PreparedStatement statement = where.prepare(connection, select, " GROUP BY 1"); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long value = rows.getLong(1);
                // the totals store "none" as -1
                Optional<Long> groupKey = rows.wasNull() || value == -1 ? Optional.empty() : Optional.of(value);
                groups.computeIfAbsent(groupKey, ignored -> new Sums()).add(rows);
            }
        }
    }

    private static void groupRows(Connection connection, FailureFilter filter, String expression, OptionalLong from, OptionalLong to, Map<Optional<Long>, Sums> groups)
            throws SQLException
    {
        Where where = new Where();
        from.ifPresent(nanos -> where.add("received_ns >= ?", nanos));
        to.ifPresent(nanos -> where.add("received_ns < ?", nanos));
        where.addNodes(filter);
        String select = "SELECT " + expression + ", COUNT(*), " + wideSum("amount_msat") + ", " + wideSum("missed_fee_msat") + ", MIN(created_index) FROM htlc_failures";
        try (PreparedStatement statement = where.prepare(connection, select, " GROUP BY 1"); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long value = rows.getLong(1);
                Sums sums = groups.computeIfAbsent(rows.wasNull() ? Optional.empty() : Optional.of(value), ignored -> new Sums());
                sums.add(rows);
                sums.sampleCreatedIndex = Math.min(sums.sampleCreatedIndex, rows.getLong(7));
            }
        }
    }

    /** SUM over the high and the low 32 bits apart: each fits a long for billions of rows. */
    private static String wideSum(String column)
    {
        return "IFNULL(SUM(" + column + " >> 32), 0), IFNULL(SUM(" + column + " & 4294967295), 0)";
    }

    private static HtlcFailureRecord recordAt(Connection connection, long createdIndex)
            throws SQLException
    {
        try (PreparedStatement select = connection.prepareStatement("SELECT record FROM htlc_failures WHERE created_index = ?")) {
            select.setLong(1, createdIndex);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new StoreException("record " + createdIndex + " went while statistics were read");
                }
                return Rows.decode(row.getBytes(1), createdIndex);
            }
        }
    }
}
