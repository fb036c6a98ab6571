package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.sim.ClnSimulation;
import io.failscope.sim.PluginProcess;
import io.failscope.sim.Simulation;
import io.failscope.sim.Tally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus scrapes failscope's {@code GET /metrics} every second while the node simulator drives
 * the plugin over stdio as lightningd would; read back through Prometheus's HTTP API, the failures by
 * reason are the store's ({@code htlcfailurestats group_by=reason}), and the recording rules of
 * config/prometheus/failscope-rules.yml evaluate over the real series.
 */
final class TestPrometheus
{
    @TempDir
    Path lightningDir;
    @TempDir
    Path prometheusDir;

    @Test
    void prometheusCountsTheSameFailuresByReasonAsTheStore()
            throws Exception
    {
        Prometheus.prometheus();
        int httpPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            httpPort = socket.getLocalPort();
        }
        Simulation.Settings settings = new Simulation.Settings(PluginProcess.LAUNCHER, lightningDir, Prometheus.ROOT.resolve("config/demo-policy.json"),
                httpPort, "2s", 5, 32, 250, Map.of(), SchemaConformance.INSTANCE);
        try (ClnSimulation simulation = ClnSimulation.start(settings);
                Prometheus prometheus = Prometheus.start(prometheusDir, httpPort, null, List.of(Prometheus.ROOT.resolve("config/prometheus/failscope-rules.yml")))) {
            simulation.run(2_000, sent -> {});
            simulation.releaseHeld(Duration.ofMinutes(1));
            Map<String, Long> stored = simulation.storedFailuresByReason(simulation.tally().failedCount(), Duration.ofMinutes(1));
            assertThat(stored).as("the store holds what the simulator made").isEqualTo(simulation.tally().failuresByReason());

            // Prometheus sees the last records at its next scrape, a second or so later
            Map<String, Long> scraped = Map.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                scraped = byReason(prometheus.query("sum by (reason) (failscope_htlc_failures_total)"));
                if (scraped.equals(stored)) {
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(scraped).as("failures by reason in Prometheus (log: %s)", prometheus.log()).isEqualTo(stored);
            assertThat(scraped.keySet()).contains("fee_insufficient", "policy_failed", "hold_deadline", Tally.NO_REASON);

            JsonNode up = prometheus.query("up{job=\"failscope\"}");
            assertThat(up).hasSize(1);
            assertThat(up.get(0).get("value").get(1).asText()).isEqualTo("1");
            assertThat(prometheus.query("failscope_store_records").get(0).get("value").get(1).asLong())
                    .isEqualTo(stored.values().stream().mapToLong(Long::longValue).sum());
            assertThat(prometheus.query("sum(failscope_hook_verdicts_total{verdict=\"fail\",rule=\"no-probes-from-noisy-peer\"})")).isNotEmpty();
            // the rules file's recording rules evaluate over the real series
            JsonNode rate = prometheus.query("failscope:htlc_failures:rate5m");
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (rate.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(250);
                rate = prometheus.query("failscope:htlc_failures:rate5m");
            }
            // one sample: the rule's expression matches the real series (on a fast machine the whole run
            // can fall between two scrapes, and the rate of a series first seen at its final value is 0)
            assertThat(rate).hasSize(1);
            assertThat(rate.get(0).get("value").get(1).asDouble()).isNotNegative();
            assertThat(simulation.plugin().violations()).isEmpty();
        }
    }

    /** A vector by reason; the series without a reason (a later hop's failure) is named as the store names it. */
    private static Map<String, Long> byReason(JsonNode vector)
    {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode sample : vector) {
            String reason = sample.get("metric").path("reason").asText("");
            counts.put(reason.isEmpty() ? Tally.NO_REASON : reason, Math.round(sample.get("value").get(1).asDouble()));
        }
        return counts;
    }
}
