package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeContext;
import io.failscope.node.NodeContextCache;
import io.failscope.reason.FailureMessage;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.HtlcFacts;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Decides {@code htlc_accepted} by the policy rules: the first matching rule wins; {@code fail}
 * answers with the exact BOLT #4 message of the chosen code and records the failure (type
 * {@code intercepted}, the rule's name, the code) in the background. The decision never waits on disk
 * or on the node. Reloading the file swaps the rules atomically; a bad file leaves the old rules.
 */
public final class Interceptor
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Interceptor.class.getName());

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

    @Inject
    public Interceptor(FailscopeConfig config, FailureStore store, NodeContextCache nodeContext, Clock clock)
    {
        this.file = config.policyFile();
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

    /** The verdict for one htlc_accepted payload: {@code continue}, or {@code fail} with a failure_message. */
    public ObjectNode decide(JsonNode params)
    {
        Policy rules = policy.get();
        if (rules.rules().isEmpty()) {
            return verdictContinue();
        }
        Optional<HookHtlc> htlc = hookHtlc(params);
        if (htlc.isEmpty()) {
            return verdictContinue();
        }
        long rate = rates.record(htlc.get().peerId(), clock.millis());
        for (PolicyRule rule : rules.rules()) {
            if (!rule.match().matchesHtlc(htlc.get()) || (rule.match().maxPerMinute().isPresent() && rate <= rule.match().maxPerMinute().getAsInt())) {
                continue;
            }
            hits.computeIfAbsent(rule.name(), ignored -> new AtomicLong()).incrementAndGet();
            if (rule.dryRun()) {
                LOG.log(Level.INFO, "dry run: rule '" + rule.name() + "' would " + (rule.fails() ? "fail with " + rule.fail().get().failure().specName() : "continue")
                        + " HTLC " + htlc.get().htlcId() + " on " + htlc.get().inChannel());
                continue;
            }
            if (!rule.fails()) {
                return verdictContinue();
            }
            FailureMessage message = rule.fail().get().message(new HtlcFacts(htlc.get().amountMsat(), htlc.get().cltvExpiry(), htlc.get().blockHeight()));
            Instant now = clock.instant();
            recorder.execute(() -> record(htlc.get(), rule.name(), message, now));
            ObjectNode verdict = Json.MAPPER.createObjectNode().put("result", "fail");
            verdict.put("failure_message", message.hex());
            return verdict;
        }
        return verdictContinue();
    }

    /** In the background: the record of a policy failure (its node id may need the node's first answer). */
    private void record(HookHtlc htlc, String rule, FailureMessage message, Instant now)
    {
        NodeContext context = nodeContext.currentOrRefreshed();
        if (context.nodeId().isEmpty()) {
            LOG.log(Level.WARNING, "rule '" + rule + "' failed HTLC " + htlc.htlcId() + " on " + htlc.inChannel() + ", but the node's id is unknown: not recorded");
            return;
        }
        HtlcFailureRecord.Builder record = HtlcFailureRecord.builder()
                .nodeId(context.nodeId().get())
                .type(FailureType.INTERCEPTED)
                .source(FailureSource.LOCAL)
                .reason(new RecordedReason(new FailureReason(LocalReason.POLICY_FAILED, message.code()), ReasonSource.NODE, Evidence.NONE))
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
                LOG.log(Level.ERROR, "the record of rule '" + rule + "' failing HTLC " + htlc.htlcId() + " could not be stored: " + failure.getMessage());
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
        Optional<ShortChannelId> inChannel = parse(htlc.path("short_channel_id"), ShortChannelId::parse);
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
                parse(onion.path("short_channel_id"), ShortChannelId::parse),
                parse(params.path("peer_id"), NodeId::fromHex),
                parse(htlc.path("payment_hash"), PaymentHash::fromHex),
                onion.path("forward_msat").canConvertToLong() && onion.path("forward_msat").longValue() >= 0 ? OptionalLong.of(onion.path("forward_msat").longValue()) : OptionalLong.empty()));
    }

    private static <T> Optional<T> parse(JsonNode node, java.util.function.Function<String, T> parser)
    {
        if (!node.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(node.textValue()));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static ObjectNode verdictContinue()
    {
        return Json.MAPPER.createObjectNode().put("result", "continue");
    }

    @Override
    public void close()
    {
        recorder.shutdown();
        try {
            recorder.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
