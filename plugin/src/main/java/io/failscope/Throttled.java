package io.failscope;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A log that says each kind of trouble once per interval, with how often it happened meanwhile,
 * instead of once per occurrence: a flood of bad input or a store that cannot write must not flood
 * the node's log.
 */
public final class Throttled
{
    private final System.Logger log;
    private final Duration interval;
    private final Clock clock;
    private final Map<String, long[]> kinds = new ConcurrentHashMap<>();

    public Throttled(System.Logger log, Duration interval, Clock clock)
    {
        this.log = requireNonNull(log, "log is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Logs {@code message} unless {@code kind} was logged less than an interval ago; then only counts it. */
    public void log(Level level, String kind, Supplier<String> message)
    {
        long now = clock.millis();
        // per kind: [when it was last logged, how many since]
        long[] state = kinds.computeIfAbsent(kind, ignored -> new long[] {Long.MIN_VALUE, 0});
        long suppressed;
        synchronized (state) {
            if (state[0] != Long.MIN_VALUE && now - state[0] < interval.toMillis()) {
                state[1]++;
                return;
            }
            suppressed = state[1];
            state[0] = now;
            state[1] = 0;
        }
        log.log(level, suppressed == 0 ? message.get() : message.get() + " (" + suppressed + " more like it since the last such line)");
    }
}
