package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.sim.ClnSimulation;
import io.failscope.sim.PluginProcess;
import io.failscope.sim.Simulation;
import io.failscope.store.postgres.PostgresTestDatabase;
import io.failscope.store.postgres.PostgresUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet on one PostgreSQL database (FAILSCOPE_TEST_POSTGRES_URL; skipped with one line without it):
 * four plugin processes, each a simulated Core Lightning node with its own node id, write at once and
 * the database ends with exactly the failures the simulators made, per node and in total; and the
 * server stops and comes back during a run while hooks keep being answered and nothing is lost or
 * stored twice.
 */
final class TestFleetOnPostgres
{
    private static final int NODES = 4;

    @TempDir
    Path directory;

    private PostgresUrl url;

    @BeforeEach
    void createSchema(TestInfo test)
    {
        url = PostgresTestDatabase.newSchema(test.getTestMethod().map(method -> method.getName().substring(0, 12)).orElse("fleet"));
    }

    @AfterEach
    void dropSchema()
    {
        if (url != null) {
            PostgresTestDatabase.drop(url);
        }
    }

    private Simulation.Settings node(int number, long seed)
    {
        return new Simulation.Settings(PluginProcess.LAUNCHER, directory.resolve("node-" + number), PluginProcess.LAUNCHER.getParent().getParent().resolve("config/demo-policy.json"),
                null, null, seed, 16, 200, Map.of(), SchemaConformance.INSTANCE, Simulation.fleetNodeId(number), Map.of("failscope-store-url", url.toString()));
    }

    @Test
    void fourPluginsWritingAtOnceEndWithExactlyTheFailuresTheirNodesMade()
            throws Exception
    {
        List<ClnSimulation> fleet = new ArrayList<>();
        ExecutorService runners = Executors.newFixedThreadPool(NODES);
        try {
            for (int i = 0; i < NODES; i++) {
                fleet.add(ClnSimulation.start(node(i, 30 + i)));
            }
            List<Future<?>> runs = new ArrayList<>();
            for (ClnSimulation simulation : fleet) {
                runs.add(runners.submit(() -> {
                    simulation.run(600, sent -> {});
                    simulation.releaseHeld(Duration.ofMinutes(2));
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(10, TimeUnit.MINUTES);
            }

            long total = 0;
            for (ClnSimulation simulation : fleet) {
                Map<String, Long> made = simulation.tally().failuresByReason();
                // each node's failures, as the fleet's view gives them for that node (asked of another node's plugin)
                ClnSimulation other = fleet.get((fleet.indexOf(simulation) + 1) % NODES);
                assertThat(other.storedFailuresByReason(simulation.nodeId(), simulation.tally().failedCount(), Duration.ofMinutes(1)))
                        .as("node %s", simulation.nodeId()).isEqualTo(made);
                assertThat(simulation.tally().unexpectedVerdicts()).isZero();
                assertThat(simulation.plugin().violations()).isEmpty();
                total += simulation.tally().failedCount();
            }
            assertThat(total).isGreaterThan(NODES * 100L);

            // the fleet in total, grouped by node, from any plugin
            JsonNode byNode = fleet.get(0).query("htlcfailurestats", PluginProcess.MAPPER.createObjectNode().put("group_by", "node")).path("result");
            assertThat(byNode.path("total").path("count").asLong()).isEqualTo(total);
            Map<String, Long> perNode = new HashMap<>();
            byNode.path("groups").forEach(group -> perNode.put(group.path("node").asText(), group.path("count").asLong()));
            Map<String, Long> madePerNode = new HashMap<>();
            fleet.forEach(simulation -> madePerNode.put(simulation.nodeId(), simulation.tally().failedCount()));
            assertThat(perNode).isEqualTo(madePerNode);

            // every record once when paging through all nodes' records, and a page of two nodes holds only theirs
            assertThat(pageThrough(fleet.get(3), Optional.empty())).hasSize((int) total);
            List<JsonNode> two = pageThrough(fleet.get(2), Optional.of(List.of(fleet.get(0).nodeId(), fleet.get(1).nodeId())));
            assertThat(two).hasSize((int) (fleet.get(0).tally().failedCount() + fleet.get(1).tally().failedCount()));
            assertThat(two).allMatch(item -> Set.of(fleet.get(0).nodeId(), fleet.get(1).nodeId()).contains(item.path("node_id").asText()));
            JsonNode status = fleet.get(1).query("failscope-status", PluginProcess.MAPPER.createObjectNode()).path("result").path("store");
            assertThat(status.path("backend").asText()).isEqualTo("postgresql");
            assertThat(status.path("records").asLong()).isEqualTo(total);
        }
        finally {
            runners.shutdownNow();
            for (ClnSimulation simulation : fleet) {
                simulation.close();
            }
        }
    }

    @Test
    void aServerThatStopsAndComesBackLosesNothingAndHooksAreAnsweredMeanwhile()
            throws Exception
    {
        List<String> cluster = cluster();
        try (ClnSimulation simulation = ClnSimulation.start(node(0, 41));
                ClnSimulation second = ClnSimulation.start(node(1, 42))) {
            simulation.run(300, sent -> {});
            postgres(cluster, "stop");
            try {
                // hooks are answered and failures recorded into memory while the server is away
                ExecutorService runner = Executors.newSingleThreadExecutor();
                Future<?> run = runner.submit(() -> {
                    simulation.run(300, sent -> {});
                    return null;
                });
                JsonNode store = awaitFault(simulation);
                assertThat(store.path("fault").asText()).contains("cannot be reached");
                assertThat(store.path("queue_depth").asLong() + store.path("records").asLong()).isPositive();
                postgres(cluster, "start");
                run.get(5, TimeUnit.MINUTES);
                runner.shutdown();
            }
            finally {
                postgres(cluster, "start");
            }
            simulation.releaseHeld(Duration.ofMinutes(2));
            assertThat(simulation.tally().htlcs()).isEqualTo(600);
            assertThat(simulation.tally().unexpectedVerdicts()).as("every hook answered as the policy says").isZero();
            Map<String, Long> made = simulation.tally().failuresByReason();
            assertThat(second.storedFailuresByReason(simulation.nodeId(), simulation.tally().failedCount(), Duration.ofMinutes(1))).isEqualTo(made);
            // nothing twice: the rows are exactly the failures, each HTLC once
            List<JsonNode> rows = pageThrough(second, Optional.of(List.of(simulation.nodeId())));
            assertThat(rows).hasSize((int) simulation.tally().failedCount());
            Set<String> identities = new HashSet<>();
            rows.forEach(row -> identities.add(row.path("in_channel").asText() + "/" + row.path("in_htlc_id").asText() + "/" + row.path("payment_hash").asText() + "/" + row.path("received_time").asText() + "/" + row.path("type").asText()));
            assertThat(identities).hasSize(rows.size());
            assertThat(simulation.query("failscope-status", PluginProcess.MAPPER.createObjectNode()).path("result").path("store").has("fault")).isFalse();
        }
    }

    /** Every record (of {@code nodes}, or of all) by pages of 100, checking no created index comes twice. */
    private static List<JsonNode> pageThrough(Simulation simulation, Optional<List<String>> nodes)
            throws IOException, InterruptedException
    {
        List<JsonNode> all = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long start = 0;
        while (true) {
            ObjectNode params = PluginProcess.MAPPER.createObjectNode().put("index", "created").put("start", start).put("limit", 100);
            nodes.ifPresent(ids -> ids.forEach(params.withArray("node_id")::add));
            JsonNode page = simulation.query("listhtlcfailures", params).path("result").path("htlcfailures");
            for (JsonNode item : page) {
                assertThat(seen.add(item.path("created_index").asLong())).as("created index %s seen once", item.path("created_index")).isTrue();
                all.add(item);
                start = item.path("created_index").asLong() + 1;
            }
            if (page.size() < 100) {
                return all;
            }
        }
    }

    private static JsonNode awaitFault(Simulation simulation)
            throws IOException, InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonNode store = simulation.query("failscope-status", PluginProcess.MAPPER.createObjectNode()).path("result").path("store");
            if (store.has("fault") || System.nanoTime() > deadline) {
                return store;
            }
            Thread.sleep(200);
        }
    }

    /**
     * The Debian cluster serving the test database ({@code pg_lsclusters}), which this test may stop
     * and start as the postgres user; skips the test, saying why, when it cannot.
     */
    private List<String> cluster()
            throws IOException, InterruptedException
    {
        Optional<List<String>> found = Optional.empty();
        try {
            Process list = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
            String text = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (list.waitFor() == 0) {
                for (String line : text.split("\n")) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length >= 4 && fields[2].equals(String.valueOf(url.port())) && fields[3].equals("online")) {
                        found = Optional.of(List.of(fields[0], fields[1]));
                    }
                }
            }
        }
        catch (IOException e) {
            found = Optional.empty();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        String skip = "PostgreSQL restart test skipped: needs the test server to be a local Debian cluster (pg_lsclusters) on port " + url.port()
                + " and this test to run as root (it stops and starts the cluster as the postgres user); .ci/run does";
        if (found.isEmpty() || !root) {
            System.out.println(skip);
        }
        Assumptions.assumeTrue(found.isPresent() && root, skip);
        return found.get();
    }

    private static void postgres(List<String> cluster, String action)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("runuser", "-u", "postgres", "--", "pg_ctlcluster", cluster.get(0), cluster.get(1), action)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        // starting a running cluster says so and fails: only a real failure matters
        if (exit != 0 && !output.contains("already running") && !output.contains("is not running")) {
            throw new IOException("pg_ctlcluster " + String.join(" ", cluster) + " " + action + " failed (" + exit + "): " + output.strip());
        }
    }
}
