package io.failscope.store;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** What {@code htlcfailurestats} groups by. */
public enum StatsGrouping
{
    REASON,
    FAILCODE,
    TYPE,
    OUT_CHANNEL,
    IN_CHANNEL,
    /** The outgoing peer. */
    PEER_ID,
    HOUR,
    DAY,
    /** The node that recorded the failure: one group per node of a fleet. */
    NODE;

    public String jsonName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<StatsGrouping> forJsonName(String name)
    {
        return Stream.of(values()).filter(value -> value.jsonName().equals(name)).findFirst();
    }
}
