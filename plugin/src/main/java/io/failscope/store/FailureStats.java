package io.failscope.store;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Totals over a time range, one group per key. Records pruned by retention are still counted, from
 * the daily totals; {@code unsplit} holds the pruned ones that the daily totals cannot split by the
 * chosen key (they are in {@code total} too).
 */
public record FailureStats(StatsGrouping grouping, List<Group> groups, Totals total, Totals unsplit)
{
    public FailureStats
    {
        requireNonNull(grouping, "grouping is null");
        groups = List.copyOf(requireNonNull(groups, "groups is null"));
        requireNonNull(total, "total is null");
        requireNonNull(unsplit, "unsplit is null");
    }

    /**
     * One group. {@code key} is the grouped column's value ({@code null} where the records have none):
     * a reason index, a failcode, a type code, a short channel id value, a bucket number (hours or days
     * since the epoch), or for peers the full node id taken from one of the group's records.
     */
    public record Group(Object key, Totals totals) {}

    public record Totals(long count, long amountMsat, long missedFeeMsat)
    {
        public static final Totals ZERO = new Totals(0, 0, 0);

        public Totals plus(Totals other)
        {
            return new Totals(count + other.count, amountMsat + other.amountMsat, missedFeeMsat + other.missedFeeMsat);
        }

        public Totals minus(Totals other)
        {
            return new Totals(count - other.count, amountMsat - other.amountMsat, missedFeeMsat - other.missedFeeMsat);
        }
    }
}
