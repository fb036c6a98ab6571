package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.ShortChannelId;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeJson;
import io.failscope.reason.FailureChoice;
import io.failscope.reason.FailureMessage;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.HtlcFacts;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.reason.SelectableFailure;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.rpc.Json;
import io.failscope.store.FailureStore;
import jakarta.inject.Inject;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Decides {@code htlc_accepted} by the policy rules: the first matching rule wins. {@code fail}
 * answers with the exact BOLT #4 message of the chosen code; {@code hold} keeps the HTLC until the
 * operator resumes or fails it, or until its deadline (the hold timeout or the CLTV safety margin,
 * whichever comes first). Every failure is recorded in the background (type {@code intercepted}, the
 * rule's name, the code, and whether a rule, the operator or a deadline failed it). The decision
 * never waits on disk or on the node. Reloading the file swaps the rules atomically; a bad file leaves
 * the old rules.
 */
public final class Interceptor
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Interceptor.class.getName());
    private static final long MAX_HEIGHT = 0xFFFF_FFFFL;

    private final Optional<Path> file;
    private final FailureStore store;
    private final NodeContextCache nodeContext;
    private final Clock clock;
    private final AtomicReference<Policy> policy = new AtomicReference<>(Policy.EMPTY);
    private final RateCounter rates = new RateCounter();
    private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
    private final ExecutorService recorder = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "failscope-intercept-records");
        thread.setDaemon(true);
        return thread;
    });
    private final HoldConfig hold;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final AtomicLong blockHeight = new AtomicLong();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "failscope-hold-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public Interceptor(FailscopeConfig config, FailureStore store, NodeContextCache nodeContext, Clock clock)
    {
        this.file = config.policyFile();
        this.hold = config.hold();
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (file.isPresent()) {
            try {
                policy.set(load(file.get()));
            }
            catch (PolicyException e) {
                throw new IllegalStateException("the policy file " + file.get() + " cannot be used: " + e.getMessage(), e);
            }
        }
    }

    static Policy load(Path path)
            throws PolicyException
    {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Files.readAllBytes(path));
        }
        catch (IOException e) {
            throw new PolicyException(List.of("cannot read " + path + ": " + e.getMessage()));
        }
        return Policy.parse(json);
    }

    /** Reads the file again and swaps the rules in; on any problem the old rules stay. */
    public Policy reload()
            throws PolicyException
    {
        if (file.isEmpty()) {
            throw new PolicyException(List.of("no policy file is configured (policy.file)"));
        }
        Policy loaded = load(file.get());
        policy.set(loaded);
        LOG.log(Level.INFO, "policy reloaded from " + file.get() + ": " + loaded.rules().size() + " rules");
        return loaded;
    }

    public Policy policy()
    {
        return policy.get();
    }

    public Optional<Path> file()
    {
        return file;
    }

    public long hits(String rule)
    {
        AtomicLong count = hits.get(rule);
        return count == null ? 0 : count.get();
    }

    /**
     * The verdict for one htlc_accepted payload: {@code continue}, or {@code fail} with a
     * failure_message, at once; or, for a held HTLC, later. Never waits on disk or on the node.
     */
    public CompletableFuture<ObjectNode> decideHook(JsonNode params)
    {
        if (policy.get().rules().isEmpty()) {
            return CompletableFuture.completedFuture(verdictContinue());
        }
        return hookHtlc(params).map(this::decide).orElseGet(() -> CompletableFuture.completedFuture(verdictContinue()));
    }

    /** The verdict for an HTLC however its node described it (Core Lightning's hook, a JVM node's event). */
    public CompletableFuture<ObjectNode> decide(HookHtlc htlc)
    {
        Policy rules = policy.get();
        if (rules.rules().isEmpty()) {
            return CompletableFuture.completedFuture(verdictContinue());
        }
        if (htlc.blockHeight() <= MAX_HEIGHT) {
            // a hook whose numbers imply an impossible height must not move every later decision's height
            blockHeight.accumulateAndGet(htlc.blockHeight(), Math::max);
        }
        long rate = rates.record(htlc.peerId(), clock.millis());
        long heldFromPeer = held.values().stream().filter(other -> other.htlc().peerId().equals(htlc.peerId())).count();
        for (int candidate : rules.candidates(htlc.inChannel())) {
            PolicyRule rule = rules.rules().get(candidate);
            PolicyRule.Match match = rule.match();
            if (!match.matchesHtlc(htlc)
                    || (match.maxPerMinute().isPresent() && rate <= match.maxPerMinute().getAsInt())
                    || (match.maxHeld().isPresent() && heldFromPeer < match.maxHeld().getAsInt())) {
                continue;
            }
            hits.computeIfAbsent(rule.name(), ignored -> new AtomicLong()).incrementAndGet();
            if (rule.dryRun()) {
                LOG.log(Level.INFO, "dry run: rule '" + rule.name() + "' would " + describe(rule) + " HTLC " + htlc.htlcId() + " on " + htlc.inChannel());
                continue;
            }
            return switch (rule.action()) {
                case CONTINUE -> CompletableFuture.completedFuture(verdictContinue());
                case FAIL -> CompletableFuture.completedFuture(fail(htlc, rule.name(), rule.fail().get(), LocalReason.POLICY_FAILED));
                case HOLD -> hold(htlc, rule.name());
            };
        }
        return CompletableFuture.completedFuture(verdictContinue());
    }

    private static String describe(PolicyRule rule)
    {
        return switch (rule.action()) {
            case CONTINUE -> "continue";
            case FAIL -> "fail with " + rule.fail().get().failure().specName();
            case HOLD -> "hold";
        };
    }

    /** The fail verdict, and its record written in the background. */
    private ObjectNode fail(HookHtlc htlc, String rule, FailureChoice choice, LocalReason reason)
    {
        FailureMessage message = choice.message(new HtlcFacts(htlc.amountMsat(), htlc.cltvExpiry(), Math.max(htlc.blockHeight(), blockHeight.get())));
        Instant now = clock.instant();
        recorder.execute(() -> record(htlc, rule, message, reason, now));
        ObjectNode verdict = Json.MAPPER.createObjectNode().put("result", "fail");
        verdict.put("failure_message", message.hex());
        return verdict;
    }

    // ---- held HTLCs ---------------------------------------------------------------------------

    /** A held HTLC: its verdict completes when it is released. */
    public record Held(String id, HookHtlc htlc, String rule, Instant heldSince, Instant timeoutAt, CompletableFuture<ObjectNode> verdict) {}

    private CompletableFuture<ObjectNode> hold(HookHtlc htlc, String rule)
    {
        String id = htlc.inChannel() + "/" + htlc.htlcId();
        Held existing = held.get(id);
        if (existing != null) {
            // the node asked again about an HTLC already held: it gets the same answer
            return existing.verdict();
        }
        if (htlc.cltvExpiry() - blockHeight.get() <= hold.cltvMargin()) {
            return CompletableFuture.completedFuture(deadlineVerdict(htlc, rule));
        }
        Instant now = clock.instant();
        Held entry = new Held(id, htlc, rule, now, now.plus(hold.timeout()), new CompletableFuture<>());
        held.put(id, entry);
        timers.schedule(() -> release(id, Release.DEADLINE, Optional.empty()), hold.timeout().toMillis(), TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "rule '" + rule + "' holds HTLC " + id + " until " + entry.timeoutAt() + " at the latest");
        return entry.verdict();
    }

    private enum Release
    {
        RESUME,
        FAIL,
        DEADLINE,
    }

    /** Completes a held HTLC's verdict; false when no HTLC with that id is held (any more). */
    private boolean release(String id, Release how, Optional<FailureChoice> choice)
    {
        Held entry = held.remove(id);
        if (entry == null) {
            return false;
        }
        ObjectNode verdict = switch (how) {
            case RESUME -> verdictContinue();
            case FAIL -> fail(entry.htlc(), entry.rule(), choice.orElseThrow(), LocalReason.OPERATOR_FAILED);
            case DEADLINE -> deadlineVerdict(entry.htlc(), entry.rule());
        };
        entry.verdict().complete(verdict);
        return true;
    }

    private ObjectNode deadlineVerdict(HookHtlc htlc, String rule)
    {
        if (!hold.releaseByFailing()) {
            return verdictContinue();
        }
        return fail(htlc, rule, FailureChoice.of(SelectableFailure.TEMPORARY_NODE_FAILURE), LocalReason.HOLD_DEADLINE);
    }

    /** The operator lets a held HTLC go on. */
    public boolean resume(String id)
    {
        return release(id, Release.RESUME, Optional.empty());
    }

    /** The operator fails a held HTLC with a chosen code. */
    public boolean failHeld(String id, FailureChoice choice)
    {
        return release(id, Release.FAIL, Optional.of(choice));
    }

    /** A new block: held HTLCs whose remaining CLTV reached the margin are released now. */
    public void blockAdded(long height)
    {
        if (height < 0 || height > MAX_HEIGHT) {
            return;
        }
        blockHeight.accumulateAndGet(height, Math::max);
        for (Held entry : List.copyOf(held.values())) {
            if (entry.htlc().cltvExpiry() - height <= hold.cltvMargin()) {
                release(entry.id(), Release.DEADLINE, Optional.empty());
            }
        }
    }

    public List<Held> held()
    {
        return held.values().stream().sorted(java.util.Comparator.comparing(Held::heldSince)).toList();
    }

    public long blockHeight()
    {
        return blockHeight.get();
    }

    public HoldConfig holdConfig()
    {
        return hold;
    }

    /** In the background: the record of an intercepted HTLC's failure (its node id may need the node's first answer). */
    private void record(HookHtlc htlc, String rule, FailureMessage message, LocalReason reason, Instant now)
    {
        NodeContext context = nodeContext.currentOrRefreshed();
        if (context.nodeId().isEmpty()) {
            LOG.log(Level.WARNING, "HTLC " + htlc.htlcId() + " on " + htlc.inChannel() + " was failed (rule '" + rule + "'), but the node's id is unknown: not recorded");
            return;
        }
        HtlcFailureRecord.Builder record = HtlcFailureRecord.builder()
                .nodeId(context.nodeId().get())
                .type(FailureType.INTERCEPTED)
                .source(FailureSource.LOCAL)
                .reason(new RecordedReason(new FailureReason(reason, message.code()), ReasonSource.NODE, Evidence.NONE))
                .failureData(message.data())
                .inChannel(htlc.inChannel())
                .inHtlcId(htlc.htlcId())
                .inMsat(htlc.amountMsat())
                .cltvExpiry(htlc.cltvExpiry())
                .rule(rule)
                .receivedTime(now)
                .resolvedTime(now);
        htlc.outChannel().ifPresent(record::outChannel);
        htlc.peerId().ifPresent(record::inPeer);
        htlc.paymentHash().ifPresent(record::paymentHash);
        htlc.forwardMsat().ifPresent(record::outMsat);
        store.submit(record.build()).whenComplete((outcome, failure) -> {
            if (failure != null) {
                LOG.log(Level.ERROR, "the record of HTLC " + htlc.htlcId() + " failed by rule '" + rule + "' could not be stored: " + failure.getMessage());
            }
        });
    }

    static Optional<HookHtlc> hookHtlc(JsonNode params)
    {
        if (params == null) {
            return Optional.empty();
        }
        JsonNode htlc = params.path("htlc");
        JsonNode onion = params.path("onion");
        Optional<ShortChannelId> inChannel = NodeJson.scid(htlc.path("short_channel_id"));
        if (inChannel.isEmpty() || !htlc.path("id").canConvertToLong() || !htlc.path("amount_msat").canConvertToLong()
                || !htlc.path("cltv_expiry").canConvertToLong() || !htlc.path("cltv_expiry_relative").canConvertToLong()) {
            return Optional.empty();
        }
        long amount = htlc.path("amount_msat").longValue();
        long cltv = htlc.path("cltv_expiry").longValue();
        if (amount < 0 || cltv < 0 || cltv > 0xFFFF_FFFFL) {
            return Optional.empty();
        }
        return Optional.of(new HookHtlc(inChannel.get(), htlc.path("id").longValue(), amount, cltv, htlc.path("cltv_expiry_relative").longValue(),
                NodeJson.scid(onion.path("short_channel_id")),
                NodeJson.nodeId(params.path("peer_id")),
                NodeJson.paymentHash(htlc.path("payment_hash")),
                onion.path("forward_msat").canConvertToLong() && onion.path("forward_msat").longValue() >= 0 ? OptionalLong.of(onion.path("forward_msat").longValue()) : OptionalLong.empty()));
    }

    public static ObjectNode verdictContinue()
    {
        return Json.MAPPER.createObjectNode().put("result", "continue");
    }

    @Override
    public void close()
    {
        // lightningd answers the hooks of a plugin that is gone as continue
        timers.shutdownNow();
        recorder.shutdown();
        try {
            recorder.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
