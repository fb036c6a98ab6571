package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code --nodes N}: N simulated Core Lightning nodes, each with its own plugin process and node id,
 * all storing in one PostgreSQL database at once; then each node's failures are compared with what its
 * simulator made (asking the fleet's view for that node), and the fleet's totals per node are printed.
 * With {@code --demo} the first node's plugin keeps its HTTP endpoint up for fleet queries.
 */
final class Fleet
{
    private Fleet() {}

    static int run(Simulator options)
            throws Exception
    {
        long defaultCount = options.demo ? 5_000 : 200_000;
        long count = options.htlcs != null ? options.htlcs : defaultCount;
        Path dir = options.directory != null ? options.directory : Files.createTempDirectory("failscope-fleet-");
        System.out.println("failscope simulator: a fleet of " + options.nodes + " Core Lightning nodes storing in " + options.storeUrl + ", "
                + String.format(Locale.ROOT, "%,d", count) + " HTLCs each; node directories under " + dir);
        List<ClnSimulation> simulations = new ArrayList<>();
        ExecutorService runners = Executors.newFixedThreadPool(options.nodes);
        try {
            for (int i = 0; i < options.nodes; i++) {
                Simulation.Settings settings = new Simulation.Settings(options.launcher.toAbsolutePath(), dir.resolve("node-" + i), options.policy.toAbsolutePath(),
                        options.demo && i == 0 ? options.httpPort : null, options.demo ? "10m" : null, options.seed + i, options.window, options.epoch,
                        Map.of(), null, Simulation.fleetNodeId(i), Map.of("failscope-store-url", options.storeUrl));
                simulations.add(ClnSimulation.start(settings));
            }
            long started = System.nanoTime();
            List<Future<?>> runs = new ArrayList<>();
            for (ClnSimulation simulation : simulations) {
                runs.add(runners.submit(() -> {
                    simulation.run(count, sent -> {});
                    if (!options.demo) {
                        simulation.releaseHeld(Duration.ofMinutes(5));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long htlcs = simulations.stream().mapToLong(simulation -> simulation.tally().htlcs()).sum();
            long failed = simulations.stream().mapToLong(simulation -> simulation.tally().failedCount()).sum();
            System.out.printf(Locale.ROOT, "%,d HTLCs in %.1f s (%,.0f HTLCs/s over %d nodes): %,d failed%n", htlcs, seconds, htlcs / seconds, options.nodes, failed);
            boolean same = true;
            for (ClnSimulation simulation : simulations) {
                System.out.println();
                System.out.println("node " + simulation.nodeId() + ":");
                same &= compareNode(simulation);
            }
            same &= printFleet(simulations.get(0), failed);
            System.out.println(same ? "the database holds exactly the failures the simulators made, per node and in total" : "the database and the simulators DIFFER");
            if (options.demo) {
                printFleetQueries(options.httpPort, simulations);
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    System.out.println();
                    System.out.println("stopping the plugins");
                    close(simulations);
                    stopped.countDown();
                }));
                stopped.await();
                return 0;
            }
            return same ? 0 : 1;
        }
        finally {
            runners.shutdownNow();
            if (!options.demo) {
                close(simulations);
            }
        }
    }

    /** The node's own failures, from the fleet's view (htlcfailurestats node_id=...), next to its simulator's counts. */
    static boolean compareNode(Simulation simulation)
            throws IOException, InterruptedException
    {
        Map<String, Long> expected = simulation.tally().failuresByReason();
        Map<String, Long> stored = simulation.storedFailuresByReason(simulation.nodeId(), simulation.tally().failedCount(), Duration.ofMinutes(2));
        TreeSet<String> reasons = new TreeSet<>(expected.keySet());
        reasons.addAll(stored.keySet());
        boolean same = true;
        for (String reason : reasons) {
            long want = expected.getOrDefault(reason, 0L);
            long got = stored.getOrDefault(reason, 0L);
            same &= want == got;
            System.out.printf(Locale.ROOT, "  %-30s %,12d %,12d%s%n", reason, want, got, want == got ? "" : "   <- differs");
        }
        return same;
    }

    /** htlcfailurestats group_by=node as one plugin sees the whole fleet; true when the total is every simulator's failures. */
    private static boolean printFleet(Simulation any, long failed)
            throws IOException, InterruptedException
    {
        JsonNode stats = any.query("htlcfailurestats", PluginProcess.MAPPER.createObjectNode().put("group_by", "node")).path("result");
        System.out.println();
        System.out.println("the fleet, as any of its plugins sees it (htlcfailurestats group_by=node):");
        for (JsonNode group : stats.path("groups")) {
            System.out.printf(Locale.ROOT, "  %s %,12d failures %,20d msat missed fees%n", group.path("node").asText(), group.path("count").asLong(), group.path("missed_fee_msat").asLong());
        }
        long total = stats.path("total").path("count").asLong();
        System.out.printf(Locale.ROOT, "  %-66s %,12d (simulators: %,d)%n", "total", total, failed);
        return total == failed;
    }

    private static void printFleetQueries(int port, List<ClnSimulation> simulations)
    {
        String url = "http://127.0.0.1:" + port + "/rpc";
        System.out.println();
        System.out.println("the first node's plugin answers for the whole fleet at " + url + ". Try:");
        System.out.println("# failures per node, then by reason across every node");
        System.out.println(curl(url, "htlcfailurestats", "{\"group_by\":\"node\"}"));
        System.out.println(curl(url, "htlcfailurestats", "{\"group_by\":\"reason\"}"));
        System.out.println("# one node's failures, then two nodes' balance failures");
        System.out.println(curl(url, "listhtlcfailures", "{\"node_id\":\"" + simulations.get(1).nodeId() + "\",\"limit\":3}"));
        System.out.println(curl(url, "listhtlcfailures", "{\"node_id\":[\"" + simulations.get(0).nodeId() + "\",\"" + simulations.get(1).nodeId()
                + "\"],\"reason\":\"channel_balance_overdrawn\",\"limit\":3}"));
        System.out.println("# the store's side of failscope-status (backend postgresql, records of every node)");
        System.out.println(curl(url, "failscope-status", "{}"));
        System.out.println();
        System.out.println("Ctrl-C stops the simulators and the plugins.");
    }

    private static String curl(String url, String method, String params)
    {
        return "curl -s -H 'Content-Type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}' " + url;
    }

    private static void close(List<ClnSimulation> simulations)
    {
        for (ClnSimulation simulation : simulations) {
            try {
                simulation.close();
            }
            catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("failscope-simulator: could not stop a node cleanly: " + e.getMessage());
            }
        }
    }
}
