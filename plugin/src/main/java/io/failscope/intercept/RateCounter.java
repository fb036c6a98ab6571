package io.failscope.intercept;

import io.failscope.NodeId;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * HTLCs per incoming peer over the last minute, in one-second buckets. Cheap enough for the hook
 * path: one map lookup and an array update per HTLC.
 */
final class RateCounter
{
    private static final int SECONDS = 60;

    private final Map<Optional<NodeId>, long[]> windows = new HashMap<>();

    /** Counts one HTLC from {@code peer} at {@code nowMillis}; returns the count over the last minute, this one included. */
    synchronized long record(Optional<NodeId> peer, long nowMillis)
    {
        // per bucket: [count, second it counts]; a bucket of another second is stale
        long[] window = windows.computeIfAbsent(peer, ignored -> new long[SECONDS * 2]);
        long second = nowMillis / 1000;
        int slot = (int) (second % SECONDS) * 2;
        if (window[slot + 1] != second) {
            window[slot] = 0;
            window[slot + 1] = second;
        }
        window[slot]++;
        long total = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (second - window[i * 2 + 1] < SECONDS) {
                total += window[i * 2];
            }
        }
        return total;
    }
}
