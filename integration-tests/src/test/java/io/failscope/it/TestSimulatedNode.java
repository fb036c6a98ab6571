package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.sim.ClnSimulation;
import io.failscope.sim.JvmSimulation;
import io.failscope.sim.PluginProcess;
import io.failscope.sim.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node simulator drives the real process over stdio with a mixed stream of HTLCs (liquidity,
 * fees, expiries, offline peers, unknown and inactive channels, downstream failures, policy
 * rejections, held HTLCs released as blocks come, failed payments of our own): the store ends with
 * exactly the failures the simulator made, by reason. The long run of docs/benchmarks.md is the same
 * with a million HTLCs. Every message both ways is checked against rpc-schema/.
 */
final class TestSimulatedNode
{
    @TempDir
    Path lightningDir;

    @Test
    void theStoreHoldsExactlyTheFailuresTheSimulatedNodeMade()
            throws Exception
    {
        Simulation.Settings settings = new Simulation.Settings(PluginProcess.LAUNCHER, lightningDir, PluginProcess.LAUNCHER.getParent().getParent().resolve("config/demo-policy.json"),
                null, null, 7, 32, 250, Map.of(), SchemaConformance.INSTANCE);
        try (ClnSimulation simulation = ClnSimulation.start(settings)) {
            simulation.run(4_000, sent -> {});
            simulation.releaseHeld(Duration.ofMinutes(2));

            Map<String, Long> made = simulation.tally().failuresByReason();
            assertThat(made.keySet()).as("the stream exercises every kind of failure").contains(
                    "peer_offline", "htlc_minimum", "htlc_maximum", "channel_balance_overdrawn", "too_many_htlcs", "dust_exposure",
                    "unknown_next_peer", "outgoing_channel_not_ready", "outgoing_channel_closing", "fee_insufficient", "incorrect_cltv_expiry",
                    "outgoing_cltv_too_soon", "cltv_expiry_too_far", "peer_max_in_flight_exceeded", "policy_failed", "hold_deadline",
                    "incorrect_payment_details", "temporary_channel_failure", "(none: downstream)");
            assertThat(simulation.storedFailuresByReason(simulation.tally().failedCount(), Duration.ofMinutes(1))).isEqualTo(made);
            assertThat(simulation.tally().unexpectedVerdicts()).as("hook verdicts as config/demo-policy.json says").isZero();
            assertThat(simulation.tally().settledCount()).isPositive();
            assertThat(simulation.plugin().violations()).isEmpty();

            // one htlc_failure_recorded per record, for other plugins: the same counts by reason, each record once
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<JsonNode> recorded = recordedNotifications(simulation);
            while (recorded.size() < simulation.tally().failedCount() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                recorded = recordedNotifications(simulation);
            }
            assertThat(recorded.stream().map(item -> item.get("created_index").asLong()).distinct().count()).isEqualTo(recorded.size());
            assertThat(recorded.stream().collect(Collectors.groupingBy(item -> item.has("reason") ? item.get("reason").asText() : "(none: " + item.get("source").asText() + ")", Collectors.counting())))
                    .isEqualTo(made);
        }
    }

    private static List<JsonNode> recordedNotifications(ClnSimulation simulation)
    {
        return simulation.plugin().notifications().stream()
                .filter(notification -> notification.get("method").asText().equals("htlc_failure_recorded"))
                .map(notification -> notification.get("params").get("htlc_failure_recorded"))
                .toList();
    }

    @Test
    void aJvmNodeReportingItsOwnReasonsOverHttpEndsWithTheSameCounts()
            throws Exception
    {
        Simulation.Settings settings = new Simulation.Settings(PluginProcess.LAUNCHER, lightningDir, PluginProcess.LAUNCHER.getParent().getParent().resolve("config/demo-policy.json"),
                null, "1s", 11, 32, 250, Map.of(), SchemaConformance.INSTANCE);
        try (JvmSimulation simulation = JvmSimulation.start(settings)) {
            simulation.run(2_000, sent -> {});
            simulation.releaseHeld(Duration.ofMinutes(1));

            Map<String, Long> made = simulation.tally().failuresByReason();
            assertThat(made.keySet()).contains("htlc_maximum", "channel_balance_overdrawn", "fee_insufficient", "policy_failed", "hold_deadline", "(none: downstream)");
            assertThat(simulation.storedFailuresByReason(simulation.tally().failedCount(), Duration.ofMinutes(1))).isEqualTo(made);
            assertThat(simulation.tally().unexpectedVerdicts()).isZero();
            assertThat(simulation.violations()).isEmpty();
        }
    }
}
