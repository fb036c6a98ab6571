package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The real bin/failscope over stdio, driven as lightningd drives it. */
final class TestStdioPlugin
{
    @TempDir
    Path lightningDir;

    private FakeLightningRpc node;
    private PluginProcess plugin;

    @BeforeEach
    void start()
            throws IOException
    {
        node = new FakeLightningRpc(lightningDir.resolve("lightning-rpc"));
        plugin = PluginProcess.start(lightningDir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE);
    }

    @AfterEach
    void stop()
            throws Exception
    {
        plugin.close();
        node.close();
        assertThat(plugin.violations()).as("stdout carried only JSON-RPC objects").isEmpty();
    }

    static ObjectNode initParams(Path lightningDir, ObjectNode options)
    {
        ObjectNode params = PluginProcess.MAPPER.createObjectNode();
        params.set("options", options);
        params.putObject("configuration")
                .put("lightning-dir", lightningDir.toString())
                .put("rpc-file", "lightning-rpc")
                .put("startup", true)
                .put("network", "regtest");
        return params;
    }

    @Test
    void getmanifestDescribesOptionsMethodsSubscriptionsAndTheHookWithoutTouchingFiles()
            throws Exception
    {
        JsonNode response = plugin.request("getmanifest", PluginProcess.MAPPER.createObjectNode().put("allow-deprecated-apis", false));
        JsonNode manifest = response.get("result");
        assertThat(manifest.fieldNames()).toIterable().containsExactlyInAnyOrder("options", "rpcmethods", "subscriptions", "hooks", "notifications", "dynamic", "nonnumericids");
        List<String> options = new ArrayList<>();
        manifest.get("options").forEach(option -> {
            options.add(option.get("name").asText());
            assertThat(option.get("type").asText()).isEqualTo("string");
            assertThat(option.get("description").asText()).isNotBlank();
        });
        assertThat(options).containsExactly("failscope-dir", "failscope-http-port", "failscope-http-address", "failscope-http-token-file",
                "failscope-http-max-request-bytes", "failscope-http-max-batch", "failscope-http-max-answer-bytes", "failscope-http-idle-timeout",
                "failscope-http-min-request-rate", "failscope-store-synchronous", "failscope-store-commit-delay", "failscope-store-retry-buffer", "failscope-store-url", "failscope-store-password-file", "failscope-retention-max-age", "failscope-retention-max-rows", "failscope-retention-interval",
                "failscope-retention-batch-size", "failscope-node-rpc-timeout", "failscope-node-refresh-interval", "failscope-node-rpc-url", "failscope-policy-file",
                "failscope-hold-timeout", "failscope-hold-cltv-margin", "failscope-hold-release", "failscope-metrics-channel-labels");
        assertThat(manifest.get("options").get(0).get("default").asText()).isEqualTo("failscope");
        assertThat(manifest.get("options").get(1).has("default")).as("the HTTP endpoint is off by default").isFalse();
        assertThat(manifest.get("rpcmethods")).extracting(method -> method.get("name").asText()).containsExactly("listhtlcfailures", "htlcfailurestats", "delhtlcfailures", "failscope-status",
                "reloadpolicy", "listpolicy", "listinterceptedhtlcs", "failinterceptedhtlc", "resumeinterceptedhtlc", "exporthtlcfailures");
        assertThat(manifest.get("rpcmethods").get(2).get("usage").asText()).startsWith("[before] [reason] [failcode]");
        assertThat(manifest.get("subscriptions")).extracting(JsonNode::asText)
                .containsExactly("forward_event", "sendpay_failure", "channel_state_changed", "connect", "disconnect", "block_added", "shutdown");
        assertThat(manifest.get("hooks").toString()).isEqualTo("[{\"name\":\"htlc_accepted\"}]");
        assertThat(manifest.get("notifications").toString()).as("other plugins may subscribe to it").isEqualTo("[{\"method\":\"htlc_failure_recorded\"}]");
        assertThat(manifest.get("dynamic").asBoolean()).isTrue();
        assertThat(manifest.get("nonnumericids").asBoolean()).isTrue();
        try (Stream<Path> files = Files.list(lightningDir)) {
            assertThat(files.map(path -> path.getFileName().toString())).as("getmanifest creates no file").containsExactly("lightning-rpc");
        }
        // lightningd --help sends only getmanifest, then closes stdin: the plugin leaves at once
        plugin.closeStdin();
        assertThat(plugin.waitFor(Duration.ofSeconds(5))).isTrue();
        assertThat(plugin.exitValue()).isZero();
    }

    @Test
    void initOpensTheStoreAndServesTheQueryMethodsInBothParamForms()
            throws Exception
    {
        plugin.request("getmanifest", PluginProcess.MAPPER.createObjectNode());
        JsonNode init = plugin.request("init", initParams(lightningDir, PluginProcess.MAPPER.createObjectNode().put("failscope-dir", "failscope")));
        assertThat(init.get("result").toString()).isEqualTo("{}");
        assertThat(lightningDir.resolve("failscope/failscope.sqlite3")).exists();

        JsonNode byName = plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("index", "created").put("start", 0).put("limit", 10));
        assertThat(byName.get("result").toString()).isEqualTo("{\"htlcfailures\":[]}");
        Schemas.assertValid("listhtlcfailures.response", byName.get("result"));
        JsonNode byPosition = plugin.request("listhtlcfailures", PluginProcess.MAPPER.readTree("[\"peer_offline\"]"));
        assertThat(byPosition.get("result").toString()).isEqualTo("{\"htlcfailures\":[]}");
        JsonNode stats = plugin.request("htlcfailurestats", PluginProcess.MAPPER.createObjectNode());
        Schemas.assertValid("htlcfailurestats.response", stats.get("result"));

        JsonNode bad = plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("limit", 0));
        assertThat(bad.get("error").toString())
                .isEqualTo("{\"code\":-32602,\"message\":\"limit: should be between 1 and 10000, got 0\",\"data\":{\"param\":\"limit\",\"value\":0}}");

        // the node context was fetched from the node's RPC socket, not on the hook path
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (node.calls().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(node.calls()).contains("getinfo", "listpeerchannels", "listconfigs");
    }

    @Test
    void hooksAreAlwaysAnsweredWithAVerdictEvenWhenThePayloadIsNonsense()
            throws Exception
    {
        plugin.request("init", initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
        ObjectNode htlc = (ObjectNode) PluginProcess.MAPPER.readTree("""
                {"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8",
                 "onion":{"payload":"1302030f4240040201a906080000670000010000","type":"tlv","short_channel_id":"103x1x0","forward_msat":1000000,
                          "outgoing_cltv_value":425,"next_onion":"00","shared_secret":"a31fe9656fc8d3a459e623dc8204e6d0268f8df56d734dac3ca3262edb5db883"},
                 "htlc":{"short_channel_id":"101x1x0","id":7,"amount_msat":1001001,"cltv_expiry":431,"cltv_expiry_relative":19,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee","a_field_from_the_future":true}}
                """);
        assertThat(plugin.request("htlc_accepted", htlc).get("result").toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(plugin.requestUnchecked("htlc_accepted", PluginProcess.MAPPER.readTree("[1,2,3]")).get("result").toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(plugin.requestUnchecked("htlc_accepted", null).get("result").toString()).isEqualTo("{\"result\":\"continue\"}");
    }

    @Test
    void anOptionThatCannotWorkDisablesThePluginSayingWhy()
            throws Exception
    {
        ObjectNode options = PluginProcess.MAPPER.createObjectNode()
                .put("failscope-retention-max-age", "ninety days")
                .put("failscope-http-port", "99999");
        JsonNode init = plugin.request("init", initParams(lightningDir, options));
        assertThat(init.get("result").get("disable").asText()).isEqualTo("failscope's options cannot work: "
                + "failscope-retention-max-age: must be a duration such as 30s, 10m, 12h or 90d, got 'ninety days'; "
                + "failscope-http-port: must be between 0 and 65535, got '99999'");
    }

    @Test
    void aFailureReportedRightAfterInitIsRecorded()
            throws Exception
    {
        plugin.request("init", initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
        // no wait for the background refresh: lightningd replays its events right after init
        plugin.notify("forward_event", PluginProcess.MAPPER.readTree("""
                {"forward_event":{"in_channel":"101x1x0","in_htlc_id":1,"out_channel":"103x1x0","in_msat":1001001,"status":"local_failed",
                 "failcode":4103,"failreason":"WIRE_TEMPORARY_CHANNEL_FAILURE","style":"tlv","received_time":1755675000.5}}
                """));
        JsonNode items = PluginProcess.MAPPER.createArrayNode();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (items.isEmpty() && System.nanoTime() < deadline) {
            items = plugin.request("listhtlcfailures", null).get("result").get("htlcfailures");
            Thread.sleep(20);
        }
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("node_id").asText()).isEqualTo("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb");
    }

    @Test
    void aReplayAfterARestartAddsNoRecord()
            throws Exception
    {
        Path dir = Files.createTempDirectory(lightningDir, "restart");
        JsonNode event = PluginProcess.MAPPER.readTree("""
                {"forward_event":{"in_channel":"101x1x0","in_htlc_id":5,"out_channel":"103x1x0","in_msat":1001001,"status":"local_failed",
                 "failcode":4103,"failreason":"WIRE_TEMPORARY_CHANNEL_FAILURE","style":"tlv","received_time":1755675000.5}}
                """);
        try (FakeLightningRpc rpc = new FakeLightningRpc(dir.resolve("lightning-rpc"))) {
            for (int run = 0; run < 2; run++) {
                try (PluginProcess process = PluginProcess.start(dir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE)) {
                    process.request("init", initParams(dir, PluginProcess.MAPPER.createObjectNode()));
                    // lightningd replays the same forward_event after its restart
                    process.notify("forward_event", event);
                    // the replay has been written (the plugin's own count says so) before the records are counted
                    JsonNode capture = PluginProcess.MAPPER.createObjectNode();
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (capture.path("recorded").asLong() < 1 && System.nanoTime() < deadline) {
                        capture = process.request("failscope-status", null).get("result").get("capture");
                        Thread.sleep(20);
                    }
                    assertThat(capture.path("recorded").asLong()).as("run %s: the replay was written", run).isEqualTo(1);
                    assertThat(process.request("listhtlcfailures", null).get("result").get("htlcfailures")).as("run %s", run).hasSize(1);
                    process.notify("shutdown", PluginProcess.MAPPER.createObjectNode().set("shutdown", PluginProcess.MAPPER.createObjectNode()));
                    assertThat(process.waitFor(Duration.ofSeconds(5))).isTrue();
                    assertThat(process.violations()).isEmpty();
                }
            }
        }
    }

    @Test
    void aRequestReadJustBeforeTheEndOfInputIsStillAnswered()
            throws Exception
    {
        // lightningd --help: getmanifest, then stdin closes at once
        plugin.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"cln:getmanifest#1\",\"method\":\"getmanifest\",\"params\":{}}\n\n".getBytes(StandardCharsets.UTF_8));
        plugin.closeStdin();
        assertThat(plugin.response("cln:getmanifest#1").get("result").has("options")).isTrue();
        assertThat(plugin.waitFor(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void exitsPromptlyOnShutdownWithEveryRecordFlushed()
            throws Exception
    {
        plugin.request("init", initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
        plugin.notify("shutdown", PluginProcess.MAPPER.createObjectNode().set("shutdown", PluginProcess.MAPPER.createObjectNode()));
        assertThat(plugin.waitFor(Duration.ofSeconds(5))).as("exited within 5 s of shutdown").isTrue();
        assertThat(plugin.exitValue()).isZero();
    }

    @Test
    void exitsPromptlyAtTheEndOfStdin()
            throws Exception
    {
        plugin.request("init", initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
        plugin.closeStdin();
        assertThat(plugin.waitFor(Duration.ofSeconds(5))).as("exited within 5 s of EOF").isTrue();
        assertThat(plugin.exitValue()).isZero();
    }

    @Test
    void warningsReachTheNodeAsLogNotificationsWithValidLevels()
            throws Exception
    {
        // no RPC socket answers: the node context refresh fails and says so
        node.close();
        Files.deleteIfExists(lightningDir.resolve("lightning-rpc"));
        plugin.request("init", initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (plugin.notifications().stream().noneMatch(notification -> notification.path("params").path("message").asText().contains("cannot refresh the node context"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(plugin.notifications()).isNotEmpty().allSatisfy(notification -> {
            assertThat(notification.get("method").asText()).isEqualTo("log");
            assertThat(notification.get("params").get("level").asText()).isIn("debug", "info", "warn", "error");
            assertThat(notification.get("params").get("message").isTextual()).isTrue();
        });
        assertThat(plugin.notifications()).anySatisfy(notification -> {
            assertThat(notification.get("params").get("level").asText()).isEqualTo("warn");
            assertThat(notification.get("params").get("message").asText()).contains("cannot refresh the node context");
        });
        // informational lines reach the node's log too, at their level
        assertThat(plugin.notifications()).anySatisfy(notification -> {
            assertThat(notification.get("params").get("level").asText()).isEqualTo("info");
            assertThat(notification.get("params").get("message").asText()).startsWith("failscope records HTLC failures in ");
        });
    }
}
