package io.failscope.sim;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The simulator's own count of what happened: HTLCs sent, and failures by the reason it knows. */
public final class Tally
{
    /** The key for failures with no reason: a later hop failed them and its reason is encrypted. */
    public static final String NO_REASON = "(none: downstream)";

    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final LongAdder htlcs = new LongAdder();
    private final LongAdder settled = new LongAdder();
    private final LongAdder unexpectedVerdicts = new LongAdder();

    void htlc()
    {
        htlcs.increment();
    }

    void settled()
    {
        settled.increment();
    }

    void failed(String reason)
    {
        failures.computeIfAbsent(reason == null ? NO_REASON : reason, key -> new LongAdder()).increment();
    }

    /** The plugin's hook answered otherwise than the demo policy says it should. */
    void unexpectedVerdict()
    {
        unexpectedVerdicts.increment();
    }

    public long htlcs()
    {
        return htlcs.sum();
    }

    public long settledCount()
    {
        return settled.sum();
    }

    public long unexpectedVerdicts()
    {
        return unexpectedVerdicts.sum();
    }

    public long failedCount()
    {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Failures by reason, sorted by name. */
    public Map<String, Long> failuresByReason()
    {
        Map<String, Long> sorted = new TreeMap<>();
        failures.forEach((reason, count) -> sorted.put(reason, count.sum()));
        return sorted;
    }
}
