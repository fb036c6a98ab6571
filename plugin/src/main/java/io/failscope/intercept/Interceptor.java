package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.HtlcSeen;
import io.failscope.json.Json;
import io.failscope.reason.FailureChoice;
import io.failscope.reason.HtlcFacts;
import io.failscope.reason.LocalReason;
import io.failscope.reason.SelectableFailure;
import io.failscope.status.StatusSection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Decides intercepted HTLCs by the policy rules: the first matching rule wins. {@code fail} answers
 * with the exact BOLT #4 message of the chosen code; {@code hold} keeps the HTLC until the operator
 * resumes or fails it, or until its deadline ({@link HeldHtlcs}). Deciding never waits on the disk or
 * the node, and holds neither: what happens because of a decision (a record, a count) is up to the
 * {@link DecisionListener}s. Reloading the file swaps the rules atomically; a bad file leaves the old
 * rules.
 *
 * <p>The block height is the node's ({@link ChainHeight}). Only until the node has said it does a
 * failure message that must carry a height (incorrect_or_unknown_payment_details) take the one the
 * HTLC's own numbers imply, and that number changes nothing else.
 */
public final class Interceptor
        implements StatusSection, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Interceptor.class.getName());

    private final Optional<Path> file;
    private final ObjectMapper mapper;
    private final ChainHeight chain;
    private final Clock clock;
    private final Set<DecisionListener> listeners;
    private final HoldConfig hold;
    private final AtomicReference<Policy> policy = new AtomicReference<>(Policy.EMPTY);
    private final RateCounter rates = new RateCounter();
    private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
    private final HeldHtlcs held;

    public Interceptor(Optional<Path> file, HoldConfig hold, ChainHeight chain, Clock clock, Set<DecisionListener> listeners, ObjectMapper mapper)
    {
        this.file = requireNonNull(file, "file is null");
        this.hold = requireNonNull(hold, "hold is null");
        this.chain = requireNonNull(chain, "chain is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listeners = Set.copyOf(requireNonNull(listeners, "listeners is null"));
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.held = new HeldHtlcs(hold, clock, this::deadlineVerdict);
        if (file.isPresent()) {
            try {
                policy.set(load(file.get(), mapper));
            }
            catch (PolicyException e) {
                throw new IllegalStateException("the policy file " + file.get() + " cannot be used: " + e.getMessage(), e);
            }
        }
    }

    static Policy load(Path path, ObjectMapper mapper)
            throws PolicyException
    {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        }
        catch (IOException e) {
            throw new PolicyException(List.of("cannot read " + path + ": " + e.getMessage()));
        }
        return read(bytes, path.toString(), mapper);
    }

    /** The policy of a file's bytes; {@code source} names the file in the problem when they are no JSON. */
    static Policy read(byte[] bytes, String source, ObjectMapper mapper)
            throws PolicyException
    {
        JsonNode json;
        try {
            json = Json.read(mapper, bytes);
        }
        catch (IOException e) {
            throw new PolicyException(List.of("cannot read " + source + ": " + e.getMessage()));
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
        Policy loaded = load(file.get(), mapper);
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

    public HoldConfig holdConfig()
    {
        return hold;
    }

    public long hits(String rule)
    {
        AtomicLong count = hits.get(rule);
        return count == null ? 0 : count.get();
    }

    /** The verdict for one intercepted HTLC; a {@link Verdict.Hold} completes later. Never waits. */
    public Verdict decide(HtlcSeen htlc)
    {
        Verdict verdict = byRules(htlc);
        publish(htlc, verdict);
        if (verdict instanceof Verdict.Hold holding) {
            holding.release().thenAccept(released -> publish(htlc, released));
        }
        return verdict;
    }

    private Verdict byRules(HtlcSeen htlc)
    {
        Policy rules = policy.get();
        if (rules.rules().isEmpty()) {
            return Verdict.CONTINUE;
        }
        OptionalLong blocksLeft = blocksLeft(htlc);
        if (blocksLeft.isPresent() && blocksLeft.getAsLong() < 0) {
            // an expiry below the node's height cannot be a live HTLC: it goes on untouched and counts for nothing
            return Verdict.CONTINUE;
        }
        long rate = rates.record(htlc.peerId(), clock.millis());
        long heldFromPeer = held.heldFrom(htlc.peerId());
        for (int candidate : rules.candidates(htlc.inChannel())) {
            PolicyRule rule = rules.rules().get(candidate);
            PolicyRule.Match match = rule.match();
            if (!match.matchesHtlc(htlc, blocksLeft)
                    || (match.maxPerMinute().isPresent() && rate <= match.maxPerMinute().getAsInt())
                    || (match.maxHeld().isPresent() && heldFromPeer < match.maxHeld().getAsInt())) {
                continue;
            }
            hits.computeIfAbsent(rule.name(), ignored -> new AtomicLong()).incrementAndGet();
            if (rule.dryRun()) {
                LOG.log(Level.INFO, "dry run: rule '" + rule.name() + "' would " + describe(rule) + " HTLC " + htlc.id());
                continue;
            }
            return switch (rule.action()) {
                case CONTINUE -> new Verdict.Continue(Optional.of(rule.name()));
                case FAIL -> fail(htlc, rule.name(), rule.fail().orElseThrow(), LocalReason.POLICY_FAILED);
                case HOLD -> blocksLeft.isPresent() && blocksLeft.getAsLong() <= hold.cltvMargin()
                        ? deadlineVerdict(htlc, rule.name())
                        : held.hold(htlc, rule.name());
            };
        }
        return Verdict.CONTINUE;
    }

    private static String describe(PolicyRule rule)
    {
        return switch (rule.action()) {
            case CONTINUE -> "continue";
            case FAIL -> "fail with " + rule.fail().orElseThrow().failure().specName();
            case HOLD -> "hold";
        };
    }

    /**
     * Blocks left before the HTLC expires, by the node's height; until the node has told its height, as
     * the node counted them when it asked.
     */
    public OptionalLong blocksLeft(HtlcSeen htlc)
    {
        OptionalLong height = chain.current();
        return height.isPresent() ? OptionalLong.of(htlc.cltvExpiry() - height.getAsLong()) : htlc.reportedBlocksLeft();
    }

    private Verdict.Fail fail(HtlcSeen htlc, String rule, FailureChoice choice, LocalReason reason)
    {
        long height = chain.current().orElse(htlc.cltvExpiry() - htlc.reportedBlocksLeft().orElse(htlc.cltvExpiry()));
        HtlcFacts facts = new HtlcFacts(htlc.amountMsat(), htlc.cltvExpiry(), Math.max(0, Math.min(height, 0xFFFF_FFFFL)));
        return new Verdict.Fail(choice.message(facts), rule, reason);
    }

    private Verdict deadlineVerdict(HtlcSeen htlc, String rule)
    {
        if (!hold.releaseByFailing()) {
            return new Verdict.Continue(Optional.of(rule));
        }
        return fail(htlc, rule, FailureChoice.of(SelectableFailure.TEMPORARY_NODE_FAILURE), LocalReason.HOLD_DEADLINE);
    }

    /** The operator lets a held HTLC go on; false when no HTLC with that id is held. */
    public boolean resume(String id)
    {
        return held.release(id, (htlc, rule) -> new Verdict.Continue(Optional.of(rule)));
    }

    /** The operator fails a held HTLC with a chosen code; false when no HTLC with that id is held. */
    public boolean failHeld(String id, FailureChoice choice)
    {
        return held.release(id, (htlc, rule) -> fail(htlc, rule, choice, LocalReason.OPERATOR_FAILED));
    }

    /** The node's new height: held HTLCs whose remaining CLTV reached the margin are released now. */
    public void blockAdded(long height)
    {
        held.releaseNearExpiry(height);
    }

    public List<HeldHtlcs.Held> held()
    {
        return held.list();
    }

    private void publish(HtlcSeen htlc, Verdict verdict)
    {
        for (DecisionListener listener : listeners) {
            try {
                listener.decided(htlc, verdict);
            }
            catch (RuntimeException e) {
                // a listener's trouble must not change the verdict the node gets
                LOG.log(Level.ERROR, "a decision listener failed on HTLC " + htlc.id(), e);
            }
        }
    }

    @Override
    public String name()
    {
        return "policy";
    }

    /** The policy file and how many rules are in force. */
    @Override
    public ObjectNode report()
    {
        ObjectNode report = Json.object();
        file.ifPresent(path -> report.put("file", path.toString()));
        return report.put("rules", policy.get().rules().size());
    }

    @Override
    public void close()
    {
        held.close();
    }
}
