package io.failscope.metrics;

import io.failscope.HtlcSeen;
import io.failscope.capture.Capture;
import io.failscope.capture.RecordListener;
import io.failscope.dialect.HookListener;
import io.failscope.dialect.HookStatus;
import io.failscope.intercept.DecisionListener;
import io.failscope.intercept.HeldHtlcs;
import io.failscope.intercept.Interceptor;
import io.failscope.intercept.Verdict;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.store.FailureStore;
import io.failscope.store.StoreStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Every series of {@code GET /metrics} ({@code docs/metrics.md} lists them). Counters and histograms
 * move as things happen (a record written, a verdict, a hook answered); gauges are read at scrape time
 * from counters the features keep anyway ({@link FailureStore#status()}, {@link Capture#counts()}, the
 * held HTLCs, the node context's time), so a scrape costs the same at ten records or ten million: it
 * never reads the table. Label values come from closed sets (type, source, reason, wire code, verdict)
 * or from the operator's own policy rule names; an outgoing channel becomes a label only when
 * {@code metrics.channel-labels} allows it, and for that many channels at most.
 */
public final class FailscopeMetrics
        implements RecordListener, DecisionListener, HookListener
{
    /** The label value for "none": a downstream failure has no reason, a default verdict no rule. */
    static final String NONE = "";
    /** The {@code out_channel} of every channel past the {@code metrics.channel-labels} first. */
    static final String OTHER_CHANNELS = "other";

    private static final double[] HOOK_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
    private static final double[] HOLD_SECONDS = {1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
    private static final double[] WRITE_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsConfig config;
    private final Clock clock;
    private final Set<String> labelledChannels = ConcurrentHashMap.newKeySet();
    private final Counter failures;
    private final Counter verdicts;
    private final Histogram hookLatency;
    private final Histogram holdDuration;
    private final Histogram writeLatency;

    /**
     * Capture, the interceptor and the hooks' status are reached through suppliers read at scrape time:
     * they hear this object as a listener, so they cannot exist before it does.
     */
    public FailscopeMetrics(MetricsConfig config, Clock clock, FailureStore store, Supplier<Capture> capture, Supplier<Interceptor> interceptor, Supplier<HookStatus> hooks, NodeContextCache nodeContext)
    {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        requireNonNull(store, "store is null");
        requireNonNull(capture, "capture is null");
        requireNonNull(interceptor, "interceptor is null");
        requireNonNull(hooks, "hooks is null");
        requireNonNull(nodeContext, "nodeContext is null");

        List<String> failureLabels = config.channelLabels() > 0
                ? List.of("type", "source", "reason", "failcode", "out_channel")
                : List.of("type", "source", "reason", "failcode");
        failures = Counter.builder()
                .name("failscope_htlc_failures_total")
                .help("HTLC failures recorded since failscope started, by failure type, source, local reason and BOLT #4 wire code (empty when a later hop's reason is unknown)")
                .labelNames(failureLabels.toArray(String[]::new))
                .register(registry);
        verdicts = Counter.builder()
                .name("failscope_hook_verdicts_total")
                .help("Verdicts on intercepted HTLCs by verdict (continue, fail, hold) and the policy rule that made it (empty: no rule matched); a held HTLC counts as hold, then as its release")
                .labelNames("verdict", "rule")
                .register(registry);
        hookLatency = Histogram.builder()
                .name("failscope_hook_latency_seconds")
                .help("Time from a hook's parsed request to its verdict, for HTLCs not held (the node waits this long before it forwards)")
                .unit(Unit.SECONDS)
                .labelNames("hook")
                .classicOnly()
                .classicUpperBounds(HOOK_SECONDS)
                .register(registry);
        holdDuration = Histogram.builder()
                .name("failscope_held_htlc_duration_seconds")
                .help("How long HTLCs held by a policy rule waited for their release")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(HOLD_SECONDS)
                .register(registry);
        writeLatency = Histogram.builder()
                .name("failscope_store_write_latency_seconds")
                .help("Time from handing a record to the store until its commit is durable")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(WRITE_SECONDS)
                .register(registry);

        CounterWithCallback.builder()
                .name("failscope_hooks_answered_total")
                .help("Hooks answered (a held HTLC's when it is released)")
                .callback(callback -> callback.call(hooks.get().answeredCount()))
                .register(registry);
        CounterWithCallback.builder()
                .name("failscope_hooks_failed_open_total")
                .help("Hooks answered continue because something failed inside failscope (fail-open)")
                .callback(callback -> callback.call(hooks.get().failedOpenCount()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_held_htlcs")
                .help("HTLCs held by a policy rule now, waiting for the operator or their deadline")
                .callback(callback -> callback.call(interceptor.get().held().size()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_held_htlc_deadline_seconds")
                .help("Seconds until the earliest hold timeout of the HTLCs held now (no sample when none is held)")
                .unit(Unit.SECONDS)
                .callback(callback -> earliestTimeout(interceptor.get().held()).ifPresent(seconds -> callback.call(seconds)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_held_htlc_cltv_blocks_left")
                .help("Fewest blocks left before the expiry of an HTLC held now (held HTLCs are released at hold.cltv-margin; no sample when none is held or the height is unknown)")
                .callback(callback -> fewestBlocksLeft(interceptor.get().held(), nodeContext.current()).ifPresent(blocks -> callback.call(blocks)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_store_records")
                .help("Records in the store now (a counter the store keeps, not a count of rows)")
                .callback(callback -> callback.call(store.status().records()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_store_database_bytes")
                .help("Bytes the database takes on disk (SQLite: the file and its write-ahead log)")
                .unit(Unit.BYTES)
                .callback(callback -> callback.call(store.status().databaseBytes()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_store_queue_depth")
                .help("Records handed to the store and waiting for its writer")
                .callback(callback -> callback.call(store.status().queueDepth()))
                .register(registry);
        CounterWithCallback.builder()
                .name("failscope_store_writes_total")
                .help("Writes the store made durable since it was opened: a new record (inserted) or a richer event for a stored one (updated)")
                .labelNames("kind")
                .callback(callback -> {
                    StoreStatus status = store.status();
                    callback.call(status.insertedSinceStart(), "inserted");
                    callback.call(status.updatedSinceStart(), "updated");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_capture_waiting_records")
                .help("Failed HTLCs received and not yet recorded (queued, being written, or waiting for the node's id)")
                .callback(callback -> callback.call(capture.get().counts().waiting()))
                .register(registry);
        CounterWithCallback.builder()
                .name("failscope_capture_dropped_records_total")
                .help("Failed HTLCs that could not be recorded, by cause: queue_full (too many waiting) or store_failed (the store refused the write)")
                .labelNames("cause")
                .callback(callback -> {
                    Capture.Counts counts = capture.get().counts();
                    callback.call(counts.droppedQueueFull(), "queue_full");
                    callback.call(counts.droppedStoreFailed(), "store_failed");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("failscope_node_context_age_seconds")
                .help("Seconds since the node's context (channels, settings) was last read from the node (no sample before the first read)")
                .unit(Unit.SECONDS)
                .callback(callback -> contextAge(nodeContext.current()).ifPresent(seconds -> callback.call(seconds)))
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** What a scrape reads. */
    public PrometheusRegistry registry()
    {
        return registry;
    }

    @Override
    public void recorded(HtlcFailureRecord record)
    {
        String type = record.type().snakeName();
        String source = record.source().snakeName();
        String reason = record.reason().map(recorded -> recorded.reason().snakeName()).orElse(NONE);
        String failcode = record.reason().map(RecordedReason::wireCode).map(String::valueOf).orElse(NONE);
        if (config.channelLabels() > 0) {
            failures.labelValues(type, source, reason, failcode, channelLabel(record)).inc();
        }
        else {
            failures.labelValues(type, source, reason, failcode).inc();
        }
    }

    /** The record's outgoing channel while fewer than {@code metrics.channel-labels} have one, else "other". */
    private String channelLabel(HtlcFailureRecord record)
    {
        if (record.outChannel().isEmpty()) {
            return NONE;
        }
        String scid = record.outChannel().get().toString();
        if (labelledChannels.contains(scid)) {
            return scid;
        }
        synchronized (labelledChannels) {
            if (labelledChannels.size() < config.channelLabels()) {
                labelledChannels.add(scid);
                return scid;
            }
        }
        return OTHER_CHANNELS;
    }

    @Override
    public void written(Duration latency)
    {
        writeLatency.observe(seconds(latency));
    }

    @Override
    public void decided(HtlcSeen htlc, Verdict verdict)
    {
        if (verdict instanceof Verdict.Continue proceed) {
            verdicts.labelValues("continue", proceed.rule().orElse(NONE)).inc();
        }
        else if (verdict instanceof Verdict.Fail fail) {
            verdicts.labelValues("fail", fail.rule()).inc();
        }
        else if (verdict instanceof Verdict.Hold hold) {
            verdicts.labelValues("hold", hold.rule()).inc();
        }
    }

    @Override
    public void answered(String hook, Duration latency, boolean held)
    {
        if (held) {
            holdDuration.observe(seconds(latency));
        }
        else {
            hookLatency.labelValues(hook).observe(seconds(latency));
        }
    }

    private OptionalDouble earliestTimeout(List<HeldHtlcs.Held> held)
    {
        Instant now = clock.instant();
        OptionalLong millis = held.stream().mapToLong(entry -> Duration.between(now, entry.timeoutAt()).toMillis()).min();
        return millis.isPresent() ? OptionalDouble.of(Math.max(0, millis.getAsLong()) / 1000.0) : OptionalDouble.empty();
    }

    private static OptionalLong fewestBlocksLeft(List<HeldHtlcs.Held> held, NodeContext context)
    {
        if (context.blockHeight().isEmpty()) {
            return OptionalLong.empty();
        }
        long height = context.blockHeight().getAsLong();
        return held.stream().mapToLong(entry -> entry.htlc().cltvExpiry() - height).min();
    }

    private OptionalDouble contextAge(NodeContext context)
    {
        if (context.refreshedAt().equals(Instant.EPOCH)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, Duration.between(context.refreshedAt(), clock.instant()).toMillis()) / 1000.0);
    }

    private static double seconds(Duration duration)
    {
        return duration.toNanos() / 1e9;
    }
}
