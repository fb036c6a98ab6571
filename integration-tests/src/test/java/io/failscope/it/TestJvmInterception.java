package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.PluginRuntime;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeRpcException;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The jvm dialect's htlc_intercepted: a JVM node asks, the same interception rules answer. */
final class TestJvmInterception
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private PluginRuntime runtime;
    private URI rpc;

    @BeforeEach
    void start()
            throws Exception
    {
        Files.writeString(directory.resolve("policy.json"), """
                {"rules":[
                  {"name":"no-big-to-103","match":{"out_channel":"103x1x0","min_msat":1000000},"action":"fail","code":"temporary_channel_failure"},
                  {"name":"hold-105","match":{"out_channel":"105x1x0"},"action":"hold"},
                  {"name":"rest","action":"continue"}
                ]}""");
        FailscopeConfig config = FailscopeConfig.read(Map.of("http.port", "0", "policy.file", "policy.json"), directory, Function.identity());
        runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, (method, params) -> {
            if (method.equals("getinfo")) {
                return PluginProcess.MAPPER.createObjectNode().put("id", "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb").put("blockheight", 800_000);
            }
            if (method.equals("listpeerchannels")) {
                return PluginProcess.MAPPER.createObjectNode().set("channels", PluginProcess.MAPPER.createArrayNode());
            }
            if (method.equals("listconfigs")) {
                return PluginProcess.MAPPER.createObjectNode().set("configs", PluginProcess.MAPPER.createObjectNode());
            }
            throw new NodeRpcException("unknown method " + method);
        }, TestJson.MAPPER);
        rpc = URI.create("http://127.0.0.1:" + runtime.httpPort() + "/rpc");
    }

    @AfterEach
    void stop()
    {
        runtime.close();
    }

    private JsonNode ask(long amountMsat, String outChannel, int htlcId)
            throws Exception
    {
        return exchange(askBody(amountMsat, outChannel, htlcId));
    }

    private static String askBody(long amountMsat, String outChannel, int htlcId)
            throws Exception
    {
        ObjectNode params = (ObjectNode) PluginProcess.MAPPER.readTree("""
                {"intercept_id":"%s","requested_next_hop_scid":"%s",
                 "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee",
                 "inbound_amount_msat":%d,"expected_outbound_amount_msat":%d,
                 "incoming":{"short_channel_id":"101x1x0","htlc_id":%d,"cltv_expiry":800100,"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8"},
                 "block_height":800000,"a_field_from_a_newer_node":true}
                """.formatted("ab".repeat(32), outChannel, amountMsat, amountMsat - 1000, htlcId));
        ObjectNode request = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", htlcId).put("method", "htlc_intercepted");
        request.set("params", params);
        return request.toString();
    }

    private HttpRequest request(String body)
    {
        return HttpRequest.newBuilder(rpc).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** One request over HTTP; an accepted one is checked against rpc-schema/, params and result. */
    private JsonNode exchange(String body)
            throws Exception
    {
        HttpResponse<String> response = CLIENT.send(request(body), HttpResponse.BodyHandlers.ofString());
        SchemaConformance.assertAcceptedExchangesConform(body, response.body());
        return PluginProcess.MAPPER.readTree(response.body());
    }

    private JsonNode call(String method, String params)
            throws Exception
    {
        return exchange("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    @Test
    void moreHeldHtlcsThanTheEndpointHasThreadsLeaveItAnsweringAndEachGetsItsVerdictWhenReleased()
            throws Exception
    {
        // the endpoint has 16 threads: a held HTLC must not keep one
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        for (int id = 100; id < 124; id++) {
            bodies.add(askBody(50_000, "105x1x0", id));
            held.add(CLIENT.sendAsync(request(bodies.get(bodies.size() - 1)), HttpResponse.BodyHandlers.ofString()));
        }
        JsonNode list = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            list = call("listinterceptedhtlcs", "{}").get("result").get("intercepted");
            if (list.size() == held.size()) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(list).hasSize(held.size());
        assertThat(held).noneMatch(CompletableFuture::isDone);
        for (int id = 100; id < 124; id++) {
            JsonNode answer = id % 2 == 0 ? call("failinterceptedhtlc", "{\"id\":\"101x1x0/" + id + "\",\"code\":\"temporary_channel_failure\"}")
                    : call("resumeinterceptedhtlc", "{\"id\":\"101x1x0/" + id + "\"}");
            assertThat(answer.has("result")).as(answer.toString()).isTrue();
        }
        for (int i = 0; i < held.size(); i++) {
            String answer = held.get(i).get(20, TimeUnit.SECONDS).body();
            SchemaConformance.assertAcceptedExchangesConform(bodies.get(i), answer);
            JsonNode verdict = PluginProcess.MAPPER.readTree(answer).get("result");
            assertThat(verdict.get("verdict").asText()).isEqualTo(i % 2 == 0 ? "fail" : "forward");
        }
    }

    @Test
    void theRulesAnswerForwardOrFailWithTheExactMessageAndTheFailureIsRecorded()
            throws Exception
    {
        JsonNode fail = ask(2_000_000, "103x1x0", 1).get("result");
        assertThat(fail.toString()).isEqualTo("{\"verdict\":\"fail\",\"code\":\"temporary_channel_failure\",\"failure_message\":\"10070000\"}");
        JsonNode forward = ask(2_000_000, "104x1x0", 2).get("result");
        assertThat(forward.toString()).isEqualTo("{\"verdict\":\"forward\"}");

        JsonNode items = PluginProcess.MAPPER.createArrayNode();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (items.isEmpty() && System.nanoTime() < deadline) {
            items = call("listhtlcfailures", "{\"type\":\"intercepted\"}").get("result").get("htlcfailures");
            Thread.sleep(20);
        }
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("rule").asText()).isEqualTo("no-big-to-103");
        assertThat(items.get(0).get("in_peer_id").asText()).isEqualTo("0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8");
    }

    @Test
    void aRequestWithoutTheIncomingHtlcGetsAnErrorNamingIt()
            throws Exception
    {
        JsonNode error = exchange("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"htlc_intercepted\",\"params\":{\"inbound_amount_msat\":5,\"block_height\":1}}").get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32602);
        assertThat(error.get("message").asText()).startsWith("incoming: should be an object with short_channel_id, htlc_id and cltv_expiry");
    }
}
