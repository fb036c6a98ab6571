package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The node simulator's command line: a long run that checks the store against the simulator's own
 * counts ({@code docs/benchmarks.md}), or the demo ({@code bin/failscope demo}) that leaves the plugin
 * running with its HTTP endpoint and prints queries to try.
 */
@Command(name = "failscope-simulator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Drives bin/failscope as Core Lightning would, with a simulated node and a stream of HTLCs.")
public final class Simulator
        implements Callable<Integer>
{
    /** Which node the simulator plays. */
    enum Mode { cln, jvm }

    @Option(names = "--mode", description = "cln: Core Lightning, over stdio (the default); jvm: a JVM node built on LDK, over HTTP.", defaultValue = "cln")
    Mode mode;

    @Option(names = "--launcher", description = "The plugin launcher to run (default: bin/failscope under the current directory).", defaultValue = "bin/failscope")
    Path launcher;

    @Option(names = "--dir", description = "The simulated node's network directory (default: a new temporary directory).")
    Path directory;

    @Option(names = "--policy", description = "The policy file the plugin is given (default: ${DEFAULT-VALUE}).", defaultValue = "config/demo-policy.json")
    Path policy;

    @Option(names = "--htlcs", description = "How many HTLCs to send (default: 20000 for the demo, 1000000 otherwise).")
    Long htlcs;

    @Option(names = "--seed", description = "Seed of the HTLC stream; the same seed gives the same stream (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--window", description = "HTLCs in flight at once (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int window;

    @Option(names = "--epoch", description = "HTLCs between two changes of the node: a block, peers, balances (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int epoch;

    @Option(names = "--report-every", description = "Report the plugin's memory after every this many HTLCs (default: ${DEFAULT-VALUE}).", defaultValue = "100000")
    long reportEvery;

    @Option(names = "--demo", description = "Run the demo: a short burst of traffic, then keep the plugin and its HTTP endpoint up and print queries to try.")
    boolean demo;

    @Option(names = "--regtest", description = "With --demo: the same story on a throwaway regtest network of real nodes (lightningd and bitcoind on PATH, or named by LIGHTNINGD, LIGHTNING_CLI, BITCOIND, BITCOIN_CLI).")
    boolean regtest;

    @Option(names = "--http-port", description = "Port of the plugin's HTTP endpoint in the demo (default: ${DEFAULT-VALUE}).", defaultValue = "9737")
    int httpPort;

    @Option(names = "--nodes", description = "Simulated nodes, each with its own plugin process and node id, all storing in --store-url (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int nodes;

    @Option(names = "--store-url", description = "The PostgreSQL database the plugins store in (failscope-store-url, e.g. postgresql://failscope@localhost:5432/failscope; the password from PGPASSFILE).")
    String storeUrl;

    public static void main(String[] args)
    {
        System.exit(new CommandLine(new Simulator()).execute(args));
    }

    @Override
    public Integer call()
            throws Exception
    {
        if (!Files.isExecutable(launcher)) {
            System.err.println("failscope-simulator: --launcher " + launcher + " is not an executable file");
            return 2;
        }
        if (regtest) {
            // a real network of its own: none of the simulator's settings apply
            return RegtestDemo.run(launcher.toAbsolutePath());
        }
        if (!Files.isRegularFile(policy)) {
            System.err.println("failscope-simulator: --policy " + policy + " is not a file");
            return 2;
        }
        if (htlcs != null && htlcs < 0) {
            System.err.println("failscope-simulator: --htlcs must be 0 or more, got " + htlcs);
            return 2;
        }
        if (window < 1 || epoch < 1 || reportEvery < 1) {
            System.err.println("failscope-simulator: --window, --epoch and --report-every must be at least 1, got " + window + ", " + epoch + ", " + reportEvery);
            return 2;
        }
        if (nodes < 1 || nodes > 64) {
            System.err.println("failscope-simulator: --nodes must be between 1 and 64, got " + nodes);
            return 2;
        }
        if (nodes > 1 && storeUrl == null) {
            System.err.println("failscope-simulator: --nodes " + nodes + " needs --store-url, the PostgreSQL database the nodes' plugins share");
            return 2;
        }
        if (nodes > 1 && mode != Mode.cln) {
            System.err.println("failscope-simulator: --nodes runs Core Lightning nodes; leave --mode out or set it to cln");
            return 2;
        }
        if (nodes > 1) {
            return Fleet.run(this);
        }
        long defaultCount = demo ? 20_000 : 1_000_000;
        long count = htlcs != null ? htlcs : defaultCount;
        Path dir = directory != null ? directory : Files.createTempDirectory("failscope-sim-");
        Path gcLog = dir.resolve("plugin-gc.log");
        Simulation.Settings settings = new Simulation.Settings(launcher.toAbsolutePath(), dir, policy.toAbsolutePath(),
                demo ? httpPort : null, demo ? "10m" : null, seed, window, epoch,
                Map.of("FAILSCOPE_JAVA_OPTS", PluginMemory.gcLogOption(gcLog)), null, Simulation.fleetNodeId(0),
                storeUrl == null ? Map.of() : Map.of("failscope-store-url", storeUrl));
        System.out.println("failscope simulator (" + mode + " node): node directory " + dir + ", policy " + policy + ", " + String.format(Locale.ROOT, "%,d", count) + " HTLCs");
        try (Simulation simulation = mode == Mode.cln ? ClnSimulation.start(settings) : JvmSimulation.start(settings)) {
            PluginMemory memory = new PluginMemory(gcLog, simulation.pluginPid());
            Progress progress = new Progress(count, demo);
            long started = System.nanoTime();
            simulation.run(count, sent -> {
                progress.sent(sent, simulation.tally());
                if (!demo && sent % reportEvery == 0) {
                    try {
                        progress.line(String.format(Locale.ROOT, "%,11d HTLCs: %s", sent, memory.describe()));
                    }
                    catch (IOException e) {
                        progress.line("memory unknown: " + e.getMessage());
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            progress.done();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "%,d HTLCs in %.1f s (%,.0f HTLCs/s): %,d settled, %,d failed%n",
                    simulation.tally().htlcs(), seconds, simulation.tally().htlcs() / seconds, simulation.tally().settledCount(), simulation.tally().failedCount());
            if (demo) {
                return demo(simulation, directory == null ? Optional.of(dir) : Optional.empty());
            }
            simulation.releaseHeld(Duration.ofMinutes(5));
            boolean same = compare(simulation);
            System.out.println("plugin memory at the end: " + memory.describe());
            return same ? 0 : 1;
        }
        catch (IOException e) {
            // the plugin would not start (a port in use, a bad option) or stopped answering: its words say why
            System.err.println("failscope-simulator: " + e.getMessage());
            if (demo && e.getMessage().contains("cannot listen")) {
                System.err.println("failscope-simulator: another program has port " + httpPort + "; choose a free one with --http-port, e.g. bin/failscope demo --http-port 9738");
            }
            return 1;
        }
    }

    static void deleteTree(Path root)
            throws IOException
    {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Prints the simulator's counts next to the store's; true when every reason matches. */
    static boolean compare(Simulation simulation)
            throws IOException, InterruptedException
    {
        Map<String, Long> expected = simulation.tally().failuresByReason();
        Map<String, Long> stored = simulation.storedFailuresByReason(simulation.tally().failedCount(), Duration.ofMinutes(2));
        TreeSet<String> reasons = new TreeSet<>(expected.keySet());
        reasons.addAll(stored.keySet());
        boolean same = simulation.tally().unexpectedVerdicts() == 0;
        System.out.printf(Locale.ROOT, "%-30s %12s %12s%n", "reason", "simulator", "store");
        long expectedTotal = 0;
        long storedTotal = 0;
        for (String reason : reasons) {
            long want = expected.getOrDefault(reason, 0L);
            long got = stored.getOrDefault(reason, 0L);
            expectedTotal += want;
            storedTotal += got;
            same &= want == got;
            System.out.printf(Locale.ROOT, "%-30s %,12d %,12d%s%n", reason, want, got, want == got ? "" : "   <- differs");
        }
        System.out.printf(Locale.ROOT, "%-30s %,12d %,12d%n", "total", expectedTotal, storedTotal);
        if (simulation.tally().unexpectedVerdicts() > 0) {
            System.out.println(simulation.tally().unexpectedVerdicts() + " hook verdicts differed from what the policy file says");
        }
        System.out.println(same ? "the store holds exactly the failures the simulator made: nothing missing, nothing duplicated"
                : "the store and the simulator DIFFER");
        return same;
    }

    /** The demo's end: queries to try, then Ctrl-C stops the plugin and removes {@code temporary}, with one line. */
    private int demo(Simulation simulation, Optional<Path> temporary)
            throws IOException, InterruptedException
    {
        // two HTLCs from the new peer wait on the hold rule for the operator to decide
        simulation.send(Traffic.Scenario.HOLD);
        simulation.send(Traffic.Scenario.HOLD);
        compare(simulation);
        JsonNode heldList = simulation.query("listinterceptedhtlcs", PluginProcess.MAPPER.createObjectNode()).path("result");
        Demo.printQueries(httpPort, heldList);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println();
            System.out.println("stopping the plugin" + temporary.map(path -> " and removing " + path).orElse(""));
            try {
                simulation.close();
                if (temporary.isPresent()) {
                    deleteTree(temporary.get());
                }
            }
            catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("failscope-simulator: could not stop cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
