package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * The node simulator, whatever the dialect: a {@link SimNode}, a seeded stream of HTLCs, and the
 * bookkeeping of what became of each. A window of HTLCs is in flight at once; the node changes only
 * between epochs, once the plugin has seen everything of the epoch that depends on the node's state,
 * so the reason the simulator knows is the one the plugin can find. How HTLCs reach the plugin is the
 * dialect's part: {@link ClnSimulation} (stdio, as lightningd) and {@link JvmSimulation} (HTTP, as a
 * JVM node built on LDK).
 */
public abstract class Simulation
        implements AutoCloseable
{
    /**
     * How a run is set up. {@code httpPort} null means none in cln mode and a free one in jvm mode;
     * {@code holdTimeout} null means the plugin's default; {@code schemaCheck} null means messages are
     * not checked against {@code rpc-schema/}. {@code nodeId} is the simulated node's id (each node of a
     * fleet has its own); {@code options} are further plugin options by their Core Lightning names
     * (for a fleet, {@code failscope-store-url}).
     */
    public record Settings(Path launcher, Path directory, Path policyFile, Integer httpPort, String holdTimeout, long seed, int window, int epochSize,
            Map<String, String> environment, PluginProcess.SchemaCheck schemaCheck, String nodeId, Map<String, String> options)
    {
        public Settings
        {
            requireNonNull(launcher, "launcher is null");
            requireNonNull(directory, "directory is null");
            requireNonNull(environment, "environment is null");
            requireNonNull(nodeId, "nodeId is null");
            options = Map.copyOf(requireNonNull(options, "options is null"));
        }

        /** One node with the simulator's usual node id and no further options. */
        public Settings(Path launcher, Path directory, Path policyFile, Integer httpPort, String holdTimeout, long seed, int window, int epochSize,
                Map<String, String> environment, PluginProcess.SchemaCheck schemaCheck)
        {
            this(launcher, directory, policyFile, httpPort, holdTimeout, seed, window, epochSize, environment, schemaCheck, SimNode.NODE_ID, Map.of());
        }
    }

    /** The plugin's answer to an HTLC it was asked about. */
    protected enum Verdict { CONTINUE, FAIL, OTHER }

    protected final Settings settings;
    protected final SimNode node;
    protected final Random random;
    private final Traffic traffic;
    private final Tally tally = new Tally();
    private final Semaphore window;
    // answers arrive on the transport's threads: what they lead to is sent from here
    private final ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sim-events");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong held = new AtomicLong();

    protected Simulation(Settings settings, boolean ownPayments)
    {
        this.settings = requireNonNull(settings, "settings is null");
        this.node = new SimNode(settings.nodeId());
        this.random = new Random(settings.seed());
        this.traffic = new Traffic(node, random, ownPayments);
        this.window = new Semaphore(settings.window());
    }

    /**
     * The node id of node {@code number} of a simulated fleet (0 is the simulator's usual node): a
     * point on secp256k1 (the plugin checks), distinct and stable per number. Its x coordinate is the
     * first x from the usual node's, plus the number, for which x^3 + 7 is a square modulo p.
     */
    public static String fleetNodeId(int number)
    {
        if (number == 0) {
            return SimNode.NODE_ID;
        }
        BigInteger p = BigInteger.TWO.pow(256).subtract(BigInteger.TWO.pow(32)).subtract(BigInteger.valueOf(977));
        BigInteger x = new BigInteger(SimNode.NODE_ID.substring(2), 16).add(BigInteger.valueOf(number).shiftLeft(64));
        while (!x.pow(3).add(BigInteger.valueOf(7)).mod(p).modPow(p.subtract(BigInteger.ONE).shiftRight(1), p).equals(BigInteger.ONE)) {
            x = x.add(BigInteger.ONE);
        }
        return "02" + String.format(Locale.ROOT, "%64s", x.toString(16)).replace(' ', '0');
    }

    public String nodeId()
    {
        return settings.nodeId();
    }

    public Tally tally()
    {
        return tally;
    }

    /** The plugin's process id, for its memory. */
    public abstract long pluginPid();

    /** A call to one of the plugin's methods; the whole JSON-RPC response. */
    public abstract JsonNode query(String method, JsonNode params)
            throws IOException, InterruptedException;

    /** Asks the plugin about an HTLC (a hook or an interception); completes with its verdict whenever it comes. */
    protected abstract CompletableFuture<Verdict> intercept(Traffic.Htlc htlc)
            throws IOException;

    /** Tells the plugin how a forward it let through ended, as the node reports it. */
    protected abstract void reportForward(Traffic.Htlc htlc)
            throws IOException;

    /** Tells the plugin one of our own payments failed. */
    protected abstract void reportPayment(Traffic.Htlc htlc)
            throws IOException;

    /** Waits until the plugin has seen all it needs of the node's current state; called with no HTLC in flight. */
    protected abstract void awaitPlugin()
            throws IOException, InterruptedException;

    /** Tells the plugin the node changed: a block, peers gone and back. */
    protected abstract void epochEnded(SimNode.EpochChanges changes)
            throws IOException;

    /** Tells the plugin about a new block (and nothing else). */
    protected abstract void blockAdded(long height)
            throws IOException;

    /** Sends {@code count} HTLCs; {@code progress} hears the number sent after each one. */
    public void run(long count, LongConsumer progress)
            throws IOException, InterruptedException
    {
        for (long sent = 0; sent < count; sent++) {
            if (sent > 0 && sent % settings.epochSize() == 0) {
                drain();
                epochEnded(node.nextEpoch(random));
            }
            send(traffic.next());
            progress.accept(sent + 1);
        }
        drain();
    }

    /** Sends one HTLC of a chosen kind (the demo keeps a few held for the operator to decide). */
    public void send(Traffic.Scenario scenario)
            throws IOException, InterruptedException
    {
        send(traffic.next(scenario));
    }

    private void send(Traffic.Htlc htlc)
            throws IOException, InterruptedException
    {
        tally.htlc();
        if (htlc.scenario() == Traffic.Scenario.PAYMENT_FAILED) {
            reportPayment(htlc);
            tally.failed(htlc.outcome().reason());
            return;
        }
        boolean holding = htlc.scenario() == Traffic.Scenario.HOLD;
        if (holding) {
            held.incrementAndGet();
        }
        else {
            window.acquire();
        }
        CompletableFuture<Verdict> verdict;
        try {
            verdict = intercept(htlc);
        }
        catch (IOException | RuntimeException e) {
            release(holding);
            throw e;
        }
        verdict.whenCompleteAsync((answer, failure) -> {
            try {
                if (answer != null) {
                    answered(htlc, answer);
                }
                else {
                    System.err.println("simulator: no verdict for HTLC " + htlc.inChannel() + "/" + htlc.htlcId() + ": " + failure);
                }
            }
            catch (IOException | RuntimeException e) {
                System.err.println("simulator: could not go on with HTLC " + htlc.inChannel() + "/" + htlc.htlcId() + ": " + e);
            }
            finally {
                release(holding);
            }
        }, events);
    }

    private void release(boolean holding)
    {
        if (holding) {
            held.decrementAndGet();
        }
        else {
            window.release();
        }
    }

    /** What the node does with the plugin's verdict: fail at once, or go on and forward. */
    private void answered(Traffic.Htlc htlc, Verdict verdict)
            throws IOException
    {
        boolean ruleFails = htlc.scenario() == Traffic.Scenario.PROBE;
        boolean ruleHolds = htlc.scenario() == Traffic.Scenario.HOLD;
        if (verdict == Verdict.FAIL) {
            // a held HTLC nobody decided on fails at its deadline; any other fail is a rule's
            tally.failed(ruleHolds ? "hold_deadline" : "policy_failed");
            if (!ruleFails && !ruleHolds) {
                tally.unexpectedVerdict();
            }
            return;
        }
        if (verdict != Verdict.CONTINUE || ruleFails) {
            tally.unexpectedVerdict();
            if (verdict != Verdict.CONTINUE) {
                return;
            }
        }
        SimNode.Outcome outcome = htlc.outcome();
        reportForward(htlc);
        switch (outcome.kind()) {
            case SETTLED -> {
                node.settled(htlc.inChannel(), htlc.amountMsat(), htlc.outScid(), htlc.forwardMsat());
                tally.settled();
            }
            case DOWNSTREAM_FAILED -> tally.failed(null);
            case LOCAL_FAILED -> tally.failed(outcome.reason());
        }
    }

    /** Waits until every HTLC but the held ones is answered and reported, and the plugin has caught up. */
    private void drain()
            throws IOException, InterruptedException
    {
        window.acquire(settings.window());
        window.release(settings.window());
        awaitPlugin();
    }

    /**
     * Ends the run: blocks go on being mined until every held HTLC has reached its deadline (the CLTV
     * margin, or the hold timeout first) and been answered.
     */
    public void releaseHeld(Duration within)
            throws IOException, InterruptedException
    {
        drain();
        long deadline = System.nanoTime() + within.toNanos();
        while (held.get() > 0 && System.nanoTime() < deadline) {
            blockAdded(node.mineBlock());
            Thread.sleep(20);
        }
        if (held.get() > 0) {
            throw new IOException(held.get() + " held HTLCs were never released");
        }
        drain();
    }

    /** The store's failure counts by reason, once they reach {@code expected} (or {@code within} has passed). */
    public Map<String, Long> storedFailuresByReason(long expected, Duration within)
            throws IOException, InterruptedException
    {
        return storedFailuresByReason(null, expected, within);
    }

    /**
     * The store's failure counts by reason of one node ({@code nodeId}; null: of every node in the
     * database), once they reach {@code expected} (or {@code within} has passed).
     */
    public Map<String, Long> storedFailuresByReason(String nodeId, long expected, Duration within)
            throws IOException, InterruptedException
    {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            ObjectNode params = PluginProcess.MAPPER.createObjectNode().put("group_by", "reason");
            if (nodeId != null) {
                params.put("node_id", nodeId);
            }
            JsonNode stats = query("htlcfailurestats", params).path("result");
            long total = stats.path("total").path("count").asLong();
            if (total >= expected || System.nanoTime() > deadline) {
                Map<String, Long> counts = new TreeMap<>();
                for (JsonNode group : stats.path("groups")) {
                    counts.put(group.path("reason").isNull() ? Tally.NO_REASON : group.path("reason").asText(), group.path("count").asLong());
                }
                return counts;
            }
            Thread.sleep(100);
        }
    }

    /** Waits for a condition the plugin reaches on its own, or fails saying what it was waiting for. */
    /** failscope-status, or an empty object while the plugin cannot answer it. */
    protected JsonNode status()
    {
        try {
            return query("failscope-status", PluginProcess.MAPPER.createObjectNode()).path("result");
        }
        catch (IOException e) {
            return PluginProcess.MAPPER.createObjectNode();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PluginProcess.MAPPER.createObjectNode();
        }
    }

    /** The plugin has taken in {@code failures} failed HTLCs and none is waiting to be recorded. */
    protected static boolean caughtUp(JsonNode status, long failures)
    {
        JsonNode capture = status.path("capture");
        long done = capture.path("recorded").asLong() + capture.path("dropped").path("queue_full").asLong() + capture.path("dropped").path("store_failed").asLong();
        return capture.path("received").asLong() >= failures && capture.path("waiting").asLong() == 0
                && capture.path("waiting_for_node_id").asLong() == 0 && done == capture.path("received").asLong();
    }

    protected static void await(String what, BooleanSupplier done, Duration within)
            throws IOException, InterruptedException
    {
        long deadline = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("gave up waiting: " + what);
            }
            Thread.sleep(1);
        }
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        events.shutdownNow();
        events.awaitTermination(5, TimeUnit.SECONDS);
    }
}
