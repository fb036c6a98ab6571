package io.failscope.store.postgres;

import io.failscope.ShortChannelId;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.StoredEnum;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStats;
import io.failscope.store.GroupKey;
import io.failscope.store.StatsGrouping;
import io.failscope.store.StoreException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code stats} on PostgreSQL: the whole days of the range from {@code totals} (a few hundred rows a
 * day and node, whatever the number of records), the partial days at its edges from the rows.
 * Every grouping has its dimension in the totals, so nothing is ever unsplit here.
 */
final class PgStatistics
{
    private PgStatistics() {}

    private static final class Sums
    {
        long count;
        BigInteger amount = BigInteger.ZERO;
        BigInteger fee = BigInteger.ZERO;

        void add(ResultSet rows)
                throws SQLException
        {
            count += rows.getLong(2);
            amount = amount.add(big(rows.getBigDecimal(3)));
            fee = fee.add(big(rows.getBigDecimal(4)));
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

        private static BigInteger big(BigDecimal value)
        {
            return value == null ? BigInteger.ZERO : value.toBigInteger();
        }
    }

    static FailureStats stats(Connection connection, PgNodes nodes, FailureFilter filter, StatsGrouping grouping)
            throws SQLException
    {
        Optional<Set<Integer>> numbers = PgQueries.nodeNumbers(connection, nodes, filter.nodes());
        if (numbers.isEmpty()) {
            return new FailureStats(grouping, List.of(), FailureStats.Totals.ZERO, FailureStats.Totals.ZERO);
        }
        PgQueries.Where nodeWhere = new PgQueries.Where();
        if (!numbers.get().isEmpty()) {
            nodeWhere.add(PgQueries.in("node", numbers.get()));
        }
        OptionalLong since = filter.since().map(time -> OptionalLong.of(PgRow.nanos(time))).orElse(OptionalLong.empty());
        OptionalLong until = filter.until().map(time -> OptionalLong.of(PgRow.nanos(time))).orElse(OptionalLong.empty());
        long day = PgTotals.NANOS_PER_DAY;
        OptionalLong firstDay = since.isPresent() ? OptionalLong.of(Math.floorDiv(since.getAsLong() + day - 1, day)) : OptionalLong.empty();
        OptionalLong endDay = until.isPresent() ? OptionalLong.of(until.getAsLong() / day) : OptionalLong.empty();
        Map<Optional<Long>, Sums> raw = new LinkedHashMap<>();
        Sums all = new Sums();
        boolean wholeDays = firstDay.isEmpty() || endDay.isEmpty() || firstDay.getAsLong() < endDay.getAsLong();
        if (wholeDays) {
            readTotals(connection, nodeWhere, grouping, firstDay, endDay, raw);
            Map<Optional<Long>, Sums> everything = new LinkedHashMap<>();
            readTotals(connection, nodeWhere, null, firstDay, endDay, everything);
            everything.values().forEach(sums -> all.add(sums, 1));
            if (since.isPresent() && since.getAsLong() < firstDay.getAsLong() * day) {
                readRows(connection, nodeWhere, grouping, since.getAsLong(), firstDay.getAsLong() * day, raw, all);
            }
            if (until.isPresent() && endDay.getAsLong() * day < until.getAsLong()) {
                readRows(connection, nodeWhere, grouping, endDay.getAsLong() * day, until.getAsLong(), raw, all);
            }
        }
        else {
            readRows(connection, nodeWhere, grouping, since.getAsLong(), until.getAsLong(), raw, all);
        }
        Map<Optional<GroupKey>, Sums> groups = new LinkedHashMap<>();
        Sums unsplit = new Sums();
        unsplit.add(all, 1);
        for (Map.Entry<Optional<Long>, Sums> entry : raw.entrySet()) {
            unsplit.add(entry.getValue(), -1);
            groups.computeIfAbsent(key(connection, nodes, grouping, entry.getKey()), ignored -> new Sums()).add(entry.getValue(), 1);
        }
        List<FailureStats.Group> result = new ArrayList<>();
        FailureStats.Totals total = unsplit.totals();
        for (Map.Entry<Optional<GroupKey>, Sums> entry : groups.entrySet()) {
            if (entry.getValue().count > 0) {
                FailureStats.Group group = new FailureStats.Group(entry.getKey(), entry.getValue().totals());
                result.add(group);
                total = total.plus(group.totals());
            }
        }
        result.sort(order(grouping));
        return new FailureStats(grouping, result, total, unsplit.totals());
    }

    /** Time buckets in time order; any other key by count, most first, then by the key's text. */
    private static Comparator<FailureStats.Group> order(StatsGrouping grouping)
    {
        if (grouping == StatsGrouping.HOUR || grouping == StatsGrouping.DAY) {
            return Comparator.comparing(group -> group.key().map(key -> ((GroupKey.Time) key).start()).orElse(Instant.MIN));
        }
        return Comparator.<FailureStats.Group>comparingLong(group -> -group.totals().count())
                .thenComparing(group -> group.key().map(Object::toString).orElse(""));
    }

    /** Sums from the totals by the grouping's key ({@code grouping} null: by nothing). */
    private static void readTotals(Connection connection, PgQueries.Where nodes, StatsGrouping grouping, OptionalLong firstDay, OptionalLong endDay,
            Map<Optional<Long>, Sums> raw)
            throws SQLException
    {
        PgTotals.Dimension dimension = grouping == null ? PgTotals.Dimension.ALL : dimension(grouping);
        PgQueries.Where where = nodes.copy();
        where.add("dim = " + dimension.code());
        firstDay.ifPresent(first -> where.add("day >= " + first));
        endDay.ifPresent(end -> where.add("day < " + end));
        String sql = "SELECT " + totalsColumn(grouping) + ", SUM(count), SUM(amount_msat), SUM(missed_fee_msat) FROM totals WHERE " + where.sql() + " GROUP BY 1";
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long value = rows.getLong(1);
                boolean none = rows.wasNull() || (value == PgTotals.NONE && hasNone(grouping));
                raw.computeIfAbsent(none ? Optional.empty() : Optional.of(value), ignored -> new Sums()).add(rows);
            }
        }
    }

    /** Sums from the rows received in [from, to); {@code all} gets them all. */
    private static void readRows(Connection connection, PgQueries.Where nodes, StatsGrouping grouping, long from, long to, Map<Optional<Long>, Sums> raw, Sums all)
            throws SQLException
    {
        FailureFilter range = FailureFilter.builder().since(PgRow.instant(from)).until(PgRow.instant(to)).build();
        PgQueries.Where where = nodes.copy();
        where.add("received_ns >= " + from);
        where.add("received_ns < " + to);
        long first = PgQueries.firstCreatedIndex(connection, range);
        long end = PgQueries.endCreatedIndex(connection, range);
        if (first >= end) {
            return;
        }
        where.add("created_index >= " + first);
        if (end < Long.MAX_VALUE) {
            where.add("created_index < " + end);
        }
        String sql = "SELECT " + rowExpression(grouping) + ", COUNT(*), SUM(amount_msat), SUM(missed_fee_msat) FROM failures WHERE " + where.sql() + " GROUP BY 1";
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long value = rows.getLong(1);
                Optional<Long> key = rows.wasNull() ? Optional.empty() : Optional.of(value);
                Sums sums = new Sums();
                sums.add(rows);
                raw.computeIfAbsent(key, ignored -> new Sums()).add(sums, 1);
                all.add(sums, 1);
            }
        }
    }

    private static PgTotals.Dimension dimension(StatsGrouping grouping)
    {
        return switch (grouping) {
            case REASON -> PgTotals.Dimension.REASON;
            case FAILCODE -> PgTotals.Dimension.FAILCODE;
            case TYPE -> PgTotals.Dimension.TYPE;
            case OUT_CHANNEL -> PgTotals.Dimension.OUT_CHANNEL;
            case IN_CHANNEL -> PgTotals.Dimension.IN_CHANNEL;
            case PEER_ID -> PgTotals.Dimension.OUT_PEER;
            case HOUR -> PgTotals.Dimension.HOUR;
            case DAY, NODE -> PgTotals.Dimension.ALL;
        };
    }

    /** Whether the grouping's key can be missing from a record (stored as {@link PgTotals#NONE}). */
    private static boolean hasNone(StatsGrouping grouping)
    {
        if (grouping == null) {
            return false;
        }
        return switch (grouping) {
            case REASON, FAILCODE, OUT_CHANNEL, IN_CHANNEL, PEER_ID -> true;
            case TYPE, HOUR, DAY, NODE -> false;
        };
    }

    private static String totalsColumn(StatsGrouping grouping)
    {
        if (grouping == null) {
            return "NULL::BIGINT";
        }
        if (grouping == StatsGrouping.DAY) {
            return "day";
        }
        return grouping == StatsGrouping.NODE ? "node" : "key";
    }

    private static String rowExpression(StatsGrouping grouping)
    {
        return switch (grouping) {
            case REASON -> "reason";
            case FAILCODE -> "failcode";
            case TYPE -> "type";
            case OUT_CHANNEL -> "out_channel";
            case IN_CHANNEL -> "in_channel";
            case PEER_ID -> "out_peer";
            case HOUR -> "received_ns / " + PgTotals.NANOS_PER_HOUR;
            case DAY -> "received_ns / " + PgTotals.NANOS_PER_DAY;
            case NODE -> "node";
        };
    }

    private static Optional<GroupKey> key(Connection connection, PgNodes nodes, StatsGrouping grouping, Optional<Long> raw)
            throws SQLException
    {
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        long value = raw.get();
        return switch (grouping) {
            case REASON -> Optional.of(new GroupKey.Reason(LocalReason.forIndex((int) value).orElseThrow(() -> new StoreException("a stored reason index is unknown: " + value))));
            case FAILCODE -> Optional.of(new GroupKey.Failcode((int) value));
            case TYPE -> Optional.of(new GroupKey.Type(StoredEnum.forCode(FailureType.class, (int) value).orElseThrow(() -> new StoreException("a stored failure type is unknown: " + value))));
            case OUT_CHANNEL, IN_CHANNEL -> Optional.of(new GroupKey.Channel(new ShortChannelId(value)));
            case PEER_ID, NODE -> Optional.of(new GroupKey.Node(nodes.node(connection, (int) value)));
            case HOUR -> Optional.of(new GroupKey.Time(Instant.ofEpochSecond(value * 3600)));
            case DAY -> Optional.of(new GroupKey.Time(Instant.ofEpochSecond(value * 86_400)));
        };
    }
}
