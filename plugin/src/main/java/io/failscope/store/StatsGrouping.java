package io.failscope.store;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** What {@code htlcfailurestats} groups by, and whether the daily totals can be split that way. */
public enum StatsGrouping
{
    REASON("reason", "reason"),
    FAILCODE("failcode", "failcode"),
    TYPE("type", "type"),
    OUT_CHANNEL("out_channel", "out_channel"),
    IN_CHANNEL("in_channel", null),
    PEER_ID("out_peer_key", null),
    HOUR("received_ns / 3600000000000", null),
    DAY("received_ns / 86400000000000", "day / 86400000000000"),
    /** No grouping: one group with everything (used internally). */
    NONE("NULL", "NULL");

    private final String liveExpression;
    private final String rollupExpression;

    StatsGrouping(String liveExpression, String rollupExpression)
    {
        this.liveExpression = liveExpression;
        this.rollupExpression = rollupExpression;
    }

    public String jsonName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<StatsGrouping> forJsonName(String name)
    {
        return Stream.of(values()).filter(value -> value != NONE && value.jsonName().equals(name)).findFirst();
    }

    String liveExpression()
    {
        return liveExpression;
    }

    /** The daily totals' column for this grouping; empty when a day's totals cannot be split this way. */
    Optional<String> rollupExpression()
    {
        return Optional.ofNullable(rollupExpression);
    }
}
