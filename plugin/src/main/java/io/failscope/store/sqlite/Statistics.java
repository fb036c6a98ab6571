package io.failscope.store.sqlite;

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
 * {@code stats}: whole days of the range from {@link Totals}, the partial days at its edges from the
 * rows (found through the block summaries' time ranges). Whatever the totals hold that the grouping
 * cannot split (records pruned before their dimension was kept, or before their node was) is
 * {@code unsplit}. Sums are exact until they are made into saturating totals.
 */
final class Statistics
{
    private static final String AMOUNT = Where.AMOUNT;
    private static final String MISSED_FEE = "CASE WHEN type IN (" + FailureType.RECEIVE.code() + ", " + FailureType.SEND.code() + ") THEN 0"
            + " WHEN fee_msat IS NOT NULL THEN fee_msat WHEN in_msat IS NOT NULL AND out_msat IS NOT NULL THEN MAX(0, in_msat - out_msat) ELSE 0 END";

    private Statistics() {}

    /** A group's running sums. */
    private static final class Sums
    {
        long count;
        BigInteger amount = BigInteger.ZERO;
        BigInteger fee = BigInteger.ZERO;

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

    static FailureStats stats(Connection connection, Dictionary dictionary, FailureFilter filter, StatsGrouping grouping)
            throws SQLException
    {
        Where nodes = new Where();
        if (!nodes.addNodes(filter, dictionary)) {
            return new FailureStats(grouping, List.of(), FailureStats.Totals.ZERO, FailureStats.Totals.ZERO);
        }
        OptionalLong since = filter.since().map(time -> OptionalLong.of(Rows.nanos(time))).orElse(OptionalLong.empty());
        OptionalLong until = filter.until().map(time -> OptionalLong.of(Rows.nanos(time))).orElse(OptionalLong.empty());
        // whole days: [firstDay, endDay) in day numbers
        OptionalLong firstDay = since.isPresent() ? OptionalLong.of(Math.floorDiv(since.getAsLong() + Totals.NANOS_PER_DAY - 1, Totals.NANOS_PER_DAY)) : OptionalLong.empty();
        OptionalLong endDay = until.isPresent() ? OptionalLong.of(until.getAsLong() / Totals.NANOS_PER_DAY) : OptionalLong.empty();
        Map<Optional<Long>, Sums> raw = new LinkedHashMap<>();
        Sums all = new Sums();
        boolean wholeDays = firstDay.isEmpty() || endDay.isEmpty() || firstDay.getAsLong() < endDay.getAsLong();
        if (wholeDays) {
            readTotals(connection, nodes, grouping, firstDay, endDay, raw);
            Map<Optional<Long>, Sums> everything = new HashMap<>();
            readTotals(connection, nodes, null, firstDay, endDay, everything);
            everything.values().forEach(sums -> all.add(sums, 1));
            if (since.isPresent() && since.getAsLong() < firstDay.getAsLong() * Totals.NANOS_PER_DAY) {
                readRows(connection, nodes, grouping, since.getAsLong(), firstDay.getAsLong() * Totals.NANOS_PER_DAY, raw, all);
            }
            if (until.isPresent() && endDay.getAsLong() * Totals.NANOS_PER_DAY < until.getAsLong()) {
                readRows(connection, nodes, grouping, endDay.getAsLong() * Totals.NANOS_PER_DAY, until.getAsLong(), raw, all);
            }
        }
        else {
            readRows(connection, nodes, grouping, since.getAsLong(), until.getAsLong(), raw, all);
        }
        Map<Optional<GroupKey>, Sums> groups = new LinkedHashMap<>();
        Sums unsplit = new Sums();
        unsplit.add(all, 1);
        for (Map.Entry<Optional<Long>, Sums> entry : raw.entrySet()) {
            unsplit.add(entry.getValue(), -1);
            if (grouping == StatsGrouping.NODE && entry.getKey().orElse(0L) == 0) {
                // records pruned before their node was kept: they stay unsplit
                continue;
            }
            groups.computeIfAbsent(key(dictionary, grouping, entry.getKey()), ignored -> new Sums()).add(entry.getValue(), 1);
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

    /** Sums from the totals by the grouping's stored key ({@code grouping} null: by nothing). */
    private static void readTotals(Connection connection, Where nodes, StatsGrouping grouping, OptionalLong firstDay, OptionalLong endDay, Map<Optional<Long>, Sums> raw)
            throws SQLException
    {
        Totals.Dimension dimension = grouping == null ? Totals.Dimension.ALL : dimension(grouping);
        String column = totalsColumn(grouping);
        Where where = nodes.copy();
        where.add("dim = ?", dimension.code());
        firstDay.ifPresent(day -> where.add("day >= ?", day));
        endDay.ifPresent(day -> where.add("day < ?", day));
        String select = "SELECT " + column + ", SUM(count), SUM(amount_high), SUM(amount_low), SUM(fee_high), SUM(fee_low) FROM totals";
        try (PreparedStatement statement = where.prepare(connection, select, " GROUP BY 1"); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long value = rows.getLong(1);
                Optional<Long> key = rows.wasNull() || (value == none(grouping) && grouping != StatsGrouping.NODE) ? Optional.empty() : Optional.of(value);
                raw.computeIfAbsent(key, ignored -> new Sums()).add(rows);
            }
        }
    }

    /** Sums from the rows received in [from, to), grouped as the totals' keys are; {@code all} gets them all. */
    private static void readRows(Connection connection, Where nodes, StatsGrouping grouping, long from, long to, Map<Optional<Long>, Sums> raw, Sums all)
            throws SQLException
    {
        FailureFilter range = FailureFilter.builder().since(Rows.instant(from)).until(Rows.instant(to)).build();
        Where where = nodes.copy();
        where.add("received_ns >= ?", from);
        where.add("received_ns < ?", to);
        where.add("created_index >= ?", Queries.firstCreatedIndex(connection, range));
        where.add("created_index < ?", Queries.endCreatedIndex(connection, range));
        String select = "SELECT " + rowExpression(grouping) + ", COUNT(*), IFNULL(SUM(" + AMOUNT + " >> 32), 0), IFNULL(SUM(" + AMOUNT + " & 4294967295), 0),"
                + " SUM((" + MISSED_FEE + ") >> 32), SUM((" + MISSED_FEE + ") & 4294967295) FROM failures";
        try (PreparedStatement statement = where.prepare(connection, select, " GROUP BY 1"); ResultSet rows = statement.executeQuery()) {
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

    private static Totals.Dimension dimension(StatsGrouping grouping)
    {
        return switch (grouping) {
            case REASON -> Totals.Dimension.REASON;
            case FAILCODE -> Totals.Dimension.FAILCODE;
            case TYPE -> Totals.Dimension.TYPE;
            case OUT_CHANNEL, PEER_ID -> Totals.Dimension.OUT_LINK;
            case IN_CHANNEL -> Totals.Dimension.IN_LINK;
            case HOUR -> Totals.Dimension.HOUR;
            case DAY, NODE -> Totals.Dimension.ALL;
        };
    }

    /** The stored key that means "none" for a grouping's dimension. */
    private static long none(StatsGrouping grouping)
    {
        if (grouping == null) {
            return Long.MIN_VALUE;
        }
        return switch (grouping) {
            case REASON, FAILCODE -> -1;
            case OUT_CHANNEL, PEER_ID, IN_CHANNEL -> 0;
            case TYPE, HOUR, DAY, NODE -> Long.MIN_VALUE;
        };
    }

    private static String rowExpression(StatsGrouping grouping)
    {
        return switch (grouping) {
            case REASON -> "reason";
            case FAILCODE -> "failcode";
            case TYPE -> "type";
            case OUT_CHANNEL, PEER_ID -> "out_link";
            case IN_CHANNEL -> "in_link";
            case HOUR -> "received_ns / " + Totals.NANOS_PER_HOUR;
            case DAY -> "received_ns / " + Totals.NANOS_PER_DAY;
            case NODE -> "node";
        };
    }

    private static Optional<GroupKey> key(Dictionary dictionary, StatsGrouping grouping, Optional<Long> raw)
    {
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        long value = raw.get();
        return switch (grouping) {
            case REASON -> Optional.of(new GroupKey.Reason(LocalReason.forIndex((int) value).orElseThrow(() -> new StoreException("a stored reason index is unknown: " + value))));
            case FAILCODE -> Optional.of(new GroupKey.Failcode((int) value));
            case TYPE -> Optional.of(new GroupKey.Type(StoredEnum.forCode(FailureType.class, (int) value).orElseThrow(() -> new StoreException("a stored failure type is unknown: " + value))));
            case OUT_CHANNEL, IN_CHANNEL -> dictionary.link((int) value).channel().map(GroupKey.Channel::new);
            case PEER_ID -> dictionary.link((int) value).peer().map(GroupKey.Node::new);
            case HOUR -> Optional.of(new GroupKey.Time(Instant.ofEpochSecond(value * 3600)));
            case DAY -> Optional.of(new GroupKey.Time(Instant.ofEpochSecond(value * 86_400)));
            case NODE -> Optional.of(new GroupKey.Node(dictionary.node((int) value)));
        };
    }

    /** The column of the totals that holds a grouping's key: the day and the node have their own, every other key is in {@code key}. */
    private static String totalsColumn(StatsGrouping grouping)
    {
        if (grouping == null) {
            return "NULL";
        }
        if (grouping == StatsGrouping.DAY) {
            return "day";
        }
        return grouping == StatsGrouping.NODE ? "node" : "key";
    }
}
