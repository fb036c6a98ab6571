package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.ShortChannelId;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The HTLCs the hook let go on recently, by (incoming channel, HTLC id), waiting for a failure to join
 * with. An entry goes when its outcome is known (settled, or its failure recorded); the table is also
 * bounded, the oldest entry going when it is full, in case outcomes are never reported. Putting is all
 * the hook path does here.
 */
public final class SeenHtlcs
{
    public static final int DEFAULT_CAPACITY = 100_000;

    private record Key(ShortChannelId channel, long htlcId) {}

    private final Map<Key, HtlcSeen> htlcs;

    public SeenHtlcs(int capacity)
    {
        this.htlcs = new LinkedHashMap<>(1024, 0.75f, false)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, HtlcSeen> eldest)
            {
                return size() > capacity;
            }
        };
    }

    public synchronized void put(HtlcSeen htlc)
    {
        htlcs.put(new Key(htlc.inChannel(), htlc.htlcId()), htlc);
    }

    public synchronized Optional<HtlcSeen> get(ShortChannelId channel, long htlcId)
    {
        return Optional.ofNullable(htlcs.get(new Key(channel, htlcId)));
    }

    /** Forgets an HTLC whose outcome is known: it will not fail now, or its failure is recorded. */
    public synchronized void remove(ShortChannelId channel, long htlcId)
    {
        htlcs.remove(new Key(channel, htlcId));
    }

    public synchronized int size()
    {
        return htlcs.size();
    }
}
