package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.PluginRuntime;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeRpcException;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The jvm dialect's htlc_handling_failed, posted to the real HTTP endpoint as a JVM node would. */
final class TestJvmCapture
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String NODE = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";

    @TempDir
    Path directory;

    private PluginRuntime runtime;
    private URI rpc;

    @BeforeEach
    void start()
            throws Exception
    {
        FailscopeConfig config = FailscopeConfig.read(Map.of("http.port", "0"), directory, Function.identity());
        runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, (method, params) -> {
            throw new NodeRpcException("no node RPC in this test");
        }, TestJson.MAPPER);
        rpc = URI.create("http://127.0.0.1:" + runtime.httpPort() + "/rpc");
    }

    @AfterEach
    void stop()
    {
        runtime.close();
    }

    private JsonNode post(JsonNode message)
            throws Exception
    {
        String body = PluginProcess.MAPPER.writeValueAsString(message);
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(rpc).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        SchemaConformance.assertAcceptedExchangesConform(body, response.body());
        return response.statusCode() == 204 ? null : PluginProcess.MAPPER.readTree(response.body());
    }

    private static ObjectNode event(int htlcId, String failureReason)
            throws Exception
    {
        return (ObjectNode) PluginProcess.MAPPER.readTree("""
                {"node_id":"%s",
                 "failure_type":{"type":"forward","node_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8","short_channel_id":"103x1x0","channel_id":"00ff"},
                 "failure_reason":%s,
                 "htlc":{"short_channel_id":"101x1x0","id":%d,"amount_msat":1001001,"cltv_expiry":800100,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"},
                 "outgoing":{"amount_msat":1000000,"fee_msat":1001},
                 "received_time":1755675000.25,
                 "a_field_from_a_newer_node":{"x":1}}
                """.formatted(NODE, failureReason, htlcId));
    }

    private static ObjectNode notification(ObjectNode params)
    {
        Schemas.assertValid("htlc_handling_failed.request", params);
        ObjectNode message = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", "htlc_handling_failed");
        message.set("params", params);
        return message;
    }

    private JsonNode list()
            throws Exception
    {
        JsonNode result = post(PluginProcess.MAPPER.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\"}")).get("result");
        Schemas.assertValid("listhtlcfailures.response", result);
        return result.get("htlcfailures");
    }

    @Test
    void theNodesReasonIsStoredWithProvenanceNode()
            throws Exception
    {
        assertThat(post(notification(event(7, "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}")))).as("a notification gets no answer").isNull();
        JsonNode item = list().get(0);
        assertThat(item.get("reason").asText()).isEqualTo("dust_limit_holder");
        assertThat(item.get("reason_source").asText()).isEqualTo("node");
        assertThat(item.get("failcode_name").asText()).isEqualTo("WIRE_TEMPORARY_CHANNEL_FAILURE");
        assertThat(item.get("type").asText()).isEqualTo("forward");
        assertThat(item.get("out_channel").asText()).isEqualTo("103x1x0");
        assertThat(item.get("out_peer_id").asText()).isEqualTo("0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8");
        assertThat(item.get("fee_msat").asLong()).isEqualTo(1001);

        // the same event again (LDK replays events until handled) adds no record
        post(notification(event(7, "{\"type\":\"local\",\"reason\":\"dust_limit_holder\",\"wire_code\":4103}")));
        assertThat(list()).hasSize(1);
    }

    @Test
    void downstreamFailuresAndReasonsFromANewerNodeAreKept()
            throws Exception
    {
        ObjectNode request = notification(event(8, "{\"type\":\"downstream\"}")).put("id", "x");
        assertThat(post(request).get("result").get("created_index").asLong()).isEqualTo(1);
        // a newer LDK's reason name falls back to the canonical reason for the wire code, still from the node
        ObjectNode newer = event(10, "{\"type\":\"local\",\"reason\":\"a_reason_from_ldk_0_9\",\"wire_code\":16394,\"evidence\":{\"attempts\":3}}");
        post(notification(newer));
        JsonNode items = list();
        assertThat(items.get(0).get("source").asText()).isEqualTo("downstream");
        assertThat(items.get(0).has("reason")).isFalse();
        JsonNode fallback = items.get(items.size() - 1);
        assertThat(fallback.get("reason").asText()).isEqualTo("unknown_next_peer");
        assertThat(fallback.get("reason_source").asText()).isEqualTo("node");
        assertThat(fallback.get("evidence").toString()).isEqualTo("{\"attempts\":3}");
    }

    @Test
    void aMalformedEventSentAsARequestGetsAnErrorNamingTheField()
            throws Exception
    {
        ObjectNode broken = event(11, "{\"type\":\"local\",\"reason\":\"htlc_maximum\"}");
        JsonNode error = post(PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "htlc_handling_failed").set("params", broken)).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32602);
        assertThat(error.get("message").asText()).startsWith("failure_reason: a local reason needs wire_code");
        broken = event(12, "{\"type\":\"sideways\"}");
        assertThat(post(PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", 6).put("method", "htlc_handling_failed").set("params", broken))
                .get("error").get("message").asText()).startsWith("failure_reason: type should be \"downstream\" or \"local\"");
        // an HTLC id below zero once killed the record on a background thread with a raw stack trace
        broken = event(-1, "{\"type\":\"downstream\"}");
        assertThat(post(PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "htlc_handling_failed").set("params", broken))
                .get("error").get("message").asText()).startsWith("htlc: needs short_channel_id (such as 101x1x0) and id (a whole number, 0 or more), got").contains("\"id\":-1");
        assertThat(list()).isEmpty();
    }

    @Test
    void aRejectedNotificationIsLoggedWithTheFieldAndStoresNothing()
            throws Exception
    {
        Logger logger = Logger.getLogger("io.failscope");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler()
        {
            @Override
            public void publish(LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        try {
            ObjectNode broken = event(13, "{\"type\":\"local\",\"reason\":\"htlc_maximum\"}");
            ObjectNode message = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", "htlc_handling_failed");
            message.set("params", broken);
            assertThat(post(message)).as("a notification gets no answer, even when rejected").isNull();
            assertThat(warnings).singleElement().asString()
                    .contains("htlc_handling_failed").contains("failure_reason: a local reason needs wire_code");
            assertThat(list()).isEmpty();
        }
        finally {
            logger.removeHandler(capture);
        }
    }
}
