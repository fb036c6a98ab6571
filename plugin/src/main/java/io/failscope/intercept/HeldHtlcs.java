package io.failscope.intercept;

import io.failscope.HtlcSeen;
import io.failscope.NodeId;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * The HTLCs rules are holding, each until the operator resumes or fails it, or until its deadline: the
 * hold timeout or the CLTV safety margin, whichever comes first. A held HTLC's verdict completes when it
 * is released, from whichever thread releases it; nothing waits meanwhile.
 */
public final class HeldHtlcs
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(HeldHtlcs.class.getName());

    /** A held HTLC: its final verdict completes {@code release}. */
    public record Held(HtlcSeen htlc, String rule, Instant heldSince, Instant timeoutAt, CompletableFuture<Verdict> release)
    {
        public String id()
        {
            return htlc.id();
        }
    }

    private final HoldConfig config;
    private final Clock clock;
    private final BiFunction<HtlcSeen, String, Verdict> atDeadline;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "failscope-hold-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code atDeadline} makes the verdict of an HTLC whose deadline came (from the HTLC and the holding rule). */
    HeldHtlcs(HoldConfig config, Clock clock, BiFunction<HtlcSeen, String, Verdict> atDeadline)
    {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.atDeadline = requireNonNull(atDeadline, "atDeadline is null");
    }

    /**
     * Holds {@code htlc} for {@code rule} until it is released. A node that asks again about an HTLC held
     * already (a replay) gets the same pending verdict.
     */
    Verdict.Hold hold(HtlcSeen htlc, String rule)
    {
        Instant now = clock.instant();
        Held entry = new Held(htlc, rule, now, now.plus(config.timeout()), new CompletableFuture<>());
        Held existing = held.putIfAbsent(entry.id(), entry);
        if (existing != null) {
            return new Verdict.Hold(existing.rule(), existing.release());
        }
        timers.put(entry.id(), deadlines.schedule(() -> releaseAtDeadline(entry), config.timeout().toMillis(), TimeUnit.MILLISECONDS));
        LOG.log(Level.INFO, "rule '" + rule + "' holds HTLC " + entry.id() + " until " + entry.timeoutAt() + " at the latest");
        return new Verdict.Hold(rule, entry.release());
    }

    /** Releases the held HTLC {@code id} with {@code verdict}; false when no HTLC with that id is held (any more). */
    boolean release(String id, BiFunction<HtlcSeen, String, Verdict> verdict)
    {
        Held entry = held.get(id);
        return entry != null && release(entry, verdict.apply(entry.htlc(), entry.rule()));
    }

    private boolean release(Held entry, Verdict verdict)
    {
        // only the entry itself goes: a later HTLC held under the same id keeps its own place and timer
        if (!held.remove(entry.id(), entry)) {
            return false;
        }
        ScheduledFuture<?> timer = timers.remove(entry.id());
        if (timer != null) {
            timer.cancel(false);
        }
        entry.release().complete(verdict);
        return true;
    }

    private void releaseAtDeadline(Held entry)
    {
        release(entry, atDeadline.apply(entry.htlc(), entry.rule()));
    }

    /** A new block: HTLCs with this few blocks left before their expiry are released now. */
    void releaseNearExpiry(long height)
    {
        for (Held entry : List.copyOf(held.values())) {
            if (entry.htlc().cltvExpiry() - height <= config.cltvMargin()) {
                releaseAtDeadline(entry);
            }
        }
    }

    /** The held HTLCs, oldest first. */
    List<Held> list()
    {
        return held.values().stream().sorted(Comparator.comparing(Held::heldSince)).toList();
    }

    long heldFrom(Optional<NodeId> peer)
    {
        return held.values().stream().filter(entry -> entry.htlc().peerId().equals(peer)).count();
    }

    @Override
    public void close()
    {
        // lightningd answers the hooks of a plugin that is gone as continue
        deadlines.shutdownNow();
    }
}
