package io.failscope.store;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

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

    /** One group; its key is empty where the records have no value for it (a downstream failure has no reason). */
    public record Group(Optional<GroupKey> key, Totals totals)
    {
        public Group
        {
            requireNonNull(key, "key is null");
            requireNonNull(totals, "totals is null");
        }
    }

    /**
     * A count and two sums of msat. A sum that does not fit a long (amounts may each be up to 2.1e18
     * msat) is {@link Long#MAX_VALUE}, read as "at least that": it never wraps around.
     */
    public record Totals(long count, long amountMsat, long missedFeeMsat)
    {
        public static final Totals ZERO = new Totals(0, 0, 0);
        private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

        public Totals
        {
            if (count < 0 || amountMsat < 0 || missedFeeMsat < 0) {
                throw new IllegalArgumentException("totals must not be negative: " + count + ", " + amountMsat + ", " + missedFeeMsat);
            }
        }

        /** Totals from exact sums, saturating each sum at {@link Long#MAX_VALUE}. */
        public static Totals of(long count, BigInteger amountMsat, BigInteger missedFeeMsat)
        {
            return new Totals(count, saturated(amountMsat), saturated(missedFeeMsat));
        }

        public Totals plus(Totals other)
        {
            return new Totals(count + other.count, saturatedAdd(amountMsat, other.amountMsat), saturatedAdd(missedFeeMsat, other.missedFeeMsat));
        }

        private static long saturated(BigInteger value)
        {
            return value.signum() < 0 ? 0 : value.min(MAX).longValueExact();
        }

        private static long saturatedAdd(long a, long b)
        {
            long sum = a + b;
            return sum < 0 ? Long.MAX_VALUE : sum;
        }
    }
}
