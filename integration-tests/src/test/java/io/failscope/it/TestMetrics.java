package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.PluginRuntime;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeRpcException;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} on the real HTTP endpoint of a JVM node's failscope: each series moves when what
 * it counts happens (a record written, a verdict, a held HTLC), the bearer token guards it, and the
 * outgoing channel becomes a label only as far as {@code metrics.channel-labels} allows.
 */
final class TestMetrics
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String NODE = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";

    @TempDir
    Path directory;

    private PluginRuntime runtime;

    private int start(Map<String, String> options)
            throws Exception
    {
        Files.writeString(directory.resolve("policy.json"), """
                {"rules":[
                  {"name":"no-big-to-103","match":{"out_channel":"103x1x0","min_msat":1000000},"action":"fail","code":"temporary_channel_failure"},
                  {"name":"hold-105","match":{"out_channel":"105x1x0"},"action":"hold"}
                ]}""");
        Map<String, String> config = new HashMap<>(Map.of("http.port", "0", "policy.file", "policy.json", "hold.timeout", "10m"));
        config.putAll(options);
        runtime = PluginRuntime.start(FailscopeConfig.read(config, directory, Function.identity()), PluginRuntime.Dialect.JVM, (method, params) -> {
            if (method.equals("getinfo")) {
                return PluginProcess.MAPPER.createObjectNode().put("id", NODE).put("blockheight", 800_000);
            }
            if (method.equals("listpeerchannels")) {
                return PluginProcess.MAPPER.createObjectNode().set("channels", PluginProcess.MAPPER.createArrayNode());
            }
            if (method.equals("listconfigs")) {
                return PluginProcess.MAPPER.createObjectNode().set("configs", PluginProcess.MAPPER.createObjectNode());
            }
            throw new NodeRpcException("unknown method " + method);
        }, TestJson.MAPPER);
        return runtime.httpPort();
    }

    @AfterEach
    void stop()
    {
        if (runtime != null) {
            runtime.close();
        }
    }

    private JsonNode post(String body, String token)
            throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.httpPort() + "/rpc"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        SchemaConformance.assertAcceptedExchangesConform(body, response.body());
        return PluginProcess.MAPPER.readTree(response.body());
    }

    /** A JVM node's failure, sent as a request so that the answer comes once the record is durable. */
    private JsonNode fail(int htlcId, String outChannel, String failureReason, String token)
            throws Exception
    {
        return post("""
                {"jsonrpc":"2.0","id":%d,"method":"htlc_handling_failed","params":
                 {"node_id":"%s",
                  "failure_type":{"type":"forward","node_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8","short_channel_id":"%s","channel_id":"00ff"},
                  "failure_reason":%s,
                  "htlc":{"short_channel_id":"101x1x0","id":%d,"amount_msat":1001001,"cltv_expiry":800100,
                          "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"},
                  "outgoing":{"amount_msat":1000000,"fee_msat":1001},
                  "received_time":1755675000.25}}
                """.formatted(htlcId, NODE, outChannel, failureReason, htlcId), token);
    }

    private static String intercepted(long amountMsat, String outChannel, int htlcId)
    {
        return """
                {"jsonrpc":"2.0","id":%d,"method":"htlc_intercepted","params":
                 {"intercept_id":"%s","requested_next_hop_scid":"%s",
                  "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee",
                  "inbound_amount_msat":%d,"expected_outbound_amount_msat":%d,
                  "incoming":{"short_channel_id":"101x1x0","htlc_id":%d,"cltv_expiry":800100,"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8"},
                  "block_height":800000}}
                """.formatted(htlcId, "ab".repeat(32), outChannel, amountMsat, amountMsat - 1000, htlcId);
    }

    @Test
    void failuresAreCountedOncePerRecordByTypeSourceReasonAndWireCode()
            throws Exception
    {
        int port = start(Map.of());
        fail(1, "103x1x0", "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}", null);
        fail(2, "103x1x0", "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}", null);
        fail(3, "104x1x0", "{\"type\":\"downstream\"}", null);
        // a replay of a stored HTLC writes no new record, so it counts for nothing
        fail(1, "103x1x0", "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}", null);

        MetricsScrape scrape = MetricsScrape.of(port, null);
        assertThat(scrape.all("failscope_htlc_failures_total")).extracting(MetricsScrape.Sample::labels).containsExactlyInAnyOrder(
                Map.of("type", "forward", "source", "local", "reason", "dust_limit_holder", "failcode", "4103"),
                Map.of("type", "forward", "source", "downstream", "reason", "", "failcode", ""));
        assertThat(scrape.sum("failscope_htlc_failures_total", Map.of("reason", "dust_limit_holder"))).isEqualTo(2);
        assertThat(scrape.sum("failscope_htlc_failures_total", Map.of("source", "downstream"))).isEqualTo(1);
        assertThat(scrape.types()).containsEntry("failscope_htlc_failures_total", "counter");

        // the store's gauges agree with the store, and each write's latency was observed
        assertThat(scrape.value("failscope_store_records")).isEqualTo(3);
        assertThat(scrape.sum("failscope_store_writes_total", Map.of("kind", "inserted"))).isEqualTo(3);
        assertThat(scrape.value("failscope_store_write_latency_seconds_count")).isGreaterThanOrEqualTo(3);
        assertThat(scrape.value("failscope_store_database_bytes")).isPositive();
        assertThat(scrape.value("failscope_store_queue_depth")).isZero();
        assertThat(scrape.value("failscope_capture_waiting_records")).isZero();
        assertThat(scrape.sum("failscope_capture_dropped_records_total", Map.of("cause", "queue_full"))).isZero();
        assertThat(scrape.names()).as("JVM metrics from the Prometheus client's instrumentation")
                .contains("jvm_memory_used_bytes", "jvm_threads_current", "process_cpu_seconds_total");
    }

    @Test
    void verdictsHeldHtlcsAndHookLatencyFollowThePolicy()
            throws Exception
    {
        int port = start(Map.of());
        assertThat(post(intercepted(2_000_000, "103x1x0", 1), null).get("result").get("verdict").asText()).isEqualTo("fail");
        assertThat(post(intercepted(50_000, "104x1x0", 2), null).get("result").get("verdict").asText()).isEqualTo("forward");
        CompletableFuture<HttpResponse<String>> held = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(intercepted(50_000, "105x1x0", 3))).build(), HttpResponse.BodyHandlers.ofString());
        MetricsScrape scrape = MetricsScrape.of(port, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        // a scrape reads its series one after another, and the hold is counted as a verdict just after it
        // starts: a scrape that raced the hold may show it in some series only
        while ((scrape.value("failscope_held_htlcs") < 1 || scrape.all("failscope_held_htlc_cltv_blocks_left").isEmpty()
                || scrape.sum("failscope_hook_verdicts_total", Map.of("verdict", "hold")) < 1) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            scrape = MetricsScrape.of(port, null);
        }
        assertThat(scrape.value("failscope_held_htlcs")).isEqualTo(1);
        assertThat(scrape.value("failscope_held_htlc_deadline_seconds")).as("hold.timeout is 10 minutes").isBetween(500.0, 600.0);
        assertThat(scrape.value("failscope_held_htlc_cltv_blocks_left")).as("expiry 800100 at height 800000").isEqualTo(100);
        assertThat(scrape.sum("failscope_hook_verdicts_total", Map.of("verdict", "fail", "rule", "no-big-to-103"))).isEqualTo(1);
        assertThat(scrape.sum("failscope_hook_verdicts_total", Map.of("verdict", "continue", "rule", ""))).isEqualTo(1);
        assertThat(scrape.sum("failscope_hook_verdicts_total", Map.of("verdict", "hold", "rule", "hold-105"))).isEqualTo(1);
        assertThat(scrape.sum("failscope_hook_latency_seconds_count", Map.of("hook", "htlc_intercepted"))).as("the held HTLC is not answered yet").isEqualTo(2);
        assertThat(scrape.value("failscope_hooks_answered_total")).isEqualTo(2);

        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resumeinterceptedhtlc\",\"params\":{\"id\":\"101x1x0/3\"}}", null).has("result")).isTrue();
        assertThat(PluginProcess.MAPPER.readTree(held.get().body()).get("result").get("verdict").asText()).isEqualTo("forward");
        // the release's verdict and its hold time are counted by listeners that may run just after the answer went out
        scrape = MetricsScrape.of(port, null);
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((scrape.value("failscope_held_htlc_duration_seconds_count") < 1 || scrape.sum("failscope_hook_verdicts_total", Map.of("verdict", "continue", "rule", "hold-105")) < 1)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            scrape = MetricsScrape.of(port, null);
        }
        assertThat(scrape.value("failscope_held_htlcs")).isZero();
        assertThat(scrape.all("failscope_held_htlc_deadline_seconds")).as("no sample when nothing is held").isEmpty();
        assertThat(scrape.value("failscope_held_htlc_duration_seconds_count")).isEqualTo(1);
        assertThat(scrape.sum("failscope_hook_verdicts_total", Map.of("verdict", "continue", "rule", "hold-105"))).as("the release counts as its verdict").isEqualTo(1);
        assertThat(scrape.sum("failscope_hook_latency_seconds_count", Map.of("hook", "htlc_intercepted"))).isEqualTo(2);
        assertThat(scrape.value("failscope_hooks_failed_open_total")).isZero();
        assertThat(scrape.value("failscope_node_context_age_seconds")).as("the node's context was read at start").isBetween(0.0, 600.0);
    }

    @Test
    void theTokenGuardsMetricsLikeTheMethods()
            throws Exception
    {
        Files.writeString(directory.resolve("token"), "s3cret\n", StandardCharsets.UTF_8);
        int port = start(Map.of("http.token-file", "token"));
        assertThat(MetricsScrape.get(port, null).statusCode()).isEqualTo(401);
        assertThat(MetricsScrape.get(port, "wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> served = MetricsScrape.get(port, "s3cret");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(served.body()).contains("# TYPE failscope_store_records gauge");
    }

    @Test
    void onlyAsManyChannelsAsConfiguredGetTheirOwnLabel()
            throws Exception
    {
        int port = start(Map.of("metrics.channel-labels", "2"));
        int id = 1;
        for (String channel : List.of("103x1x0", "104x1x0", "103x1x0", "105x1x0", "106x1x0", "104x1x0")) {
            fail(id++, channel, "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}", null);
        }
        MetricsScrape scrape = MetricsScrape.of(port, null);
        assertThat(scrape.all("failscope_htlc_failures_total")).extracting(sample -> sample.labels().get("out_channel") + "=" + (long) sample.value())
                .containsExactlyInAnyOrder("103x1x0=2", "104x1x0=2", "other=2");
    }

    @Test
    void withoutTheOptionNoChannelOrPeerLabelAppears()
            throws Exception
    {
        int port = start(Map.of());
        fail(1, "103x1x0", "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}", null);
        MetricsScrape scrape = MetricsScrape.of(port, null);
        assertThat(scrape.samples()).filteredOn(sample -> sample.name().startsWith("failscope_"))
                .allSatisfy(sample -> assertThat(sample.labels().keySet()).doesNotContain("out_channel", "in_channel", "peer_id", "node_id"));
        assertThat(MetricsScrape.get(port, null).body()).doesNotContain("103x1x0");
    }
}
