package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Policy rules deciding htlc_accepted through the real process, and the record of each HTLC they fail. */
final class TestStdioInterception
{
    private static final String PEER = "02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01";

    @TempDir
    Path lightningDir;

    private FakeLightningRpc node;
    private PluginProcess plugin;

    @BeforeEach
    void start()
            throws Exception
    {
        Files.writeString(lightningDir.resolve("policy.json"), """
                {"rules":[
                  {"name":"no-small-htlcs","match":{"peer_id":"%s","max_msat":10000},"action":"fail","code":"amount_below_minimum"},
                  {"name":"everything-else","action":"continue"}
                ]}""".formatted(PEER));
        node = new FakeLightningRpc(lightningDir.resolve("lightning-rpc"));
        plugin = PluginProcess.start(lightningDir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE);
        JsonNode init = plugin.request("init", TestStdioPlugin.initParams(lightningDir, PluginProcess.MAPPER.createObjectNode().put("failscope-policy-file", "policy.json")));
        assertThat(init.get("result").toString()).isEqualTo("{}");
    }

    @AfterEach
    void stop()
            throws Exception
    {
        plugin.close();
        node.close();
        assertThat(plugin.violations()).isEmpty();
    }

    private JsonNode hook(int htlcId, long amountMsat)
            throws Exception
    {
        return plugin.request("htlc_accepted", PluginProcess.MAPPER.readTree("""
                {"peer_id":"%s",
                 "onion":{"payload":"00","type":"tlv","short_channel_id":"103x1x0","forward_msat":%d,"outgoing_cltv_value":800066,
                          "next_onion":"00","shared_secret":"a31fe9656fc8d3a459e623dc8204e6d0268f8df56d734dac3ca3262edb5db883"},
                 "htlc":{"short_channel_id":"101x1x0","id":%d,"amount_msat":%d,"cltv_expiry":800100,"cltv_expiry_relative":100,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}
                """.formatted(PEER, amountMsat - 1, htlcId, amountMsat))).get("result");
    }

    @Test
    void aRuleFailsTheHtlcWithTheExactMessageAndRecordsIt()
            throws Exception
    {
        // amount_below_minimum: 0x100b, htlc_msat 9000 = 0x2328, an empty channel_update
        assertThat(hook(5, 9000).toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"100b00000000000023280000\"}");
        assertThat(hook(6, 20000).toString()).isEqualTo("{\"result\":\"continue\"}");
        JsonNode items = PluginProcess.MAPPER.createArrayNode();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (items.isEmpty() && System.nanoTime() < deadline) {
            items = plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("type", "intercepted")).get("result").get("htlcfailures");
            Thread.sleep(20);
        }
        Schemas.assertValid("listhtlcfailures.response", PluginProcess.MAPPER.createObjectNode().set("htlcfailures", items));
        assertThat(items).hasSize(1);
        JsonNode item = items.get(0);
        assertThat(item.get("rule").asText()).isEqualTo("no-small-htlcs");
        assertThat(item.get("reason").asText()).isEqualTo("policy_failed");
        assertThat(item.get("failcode").asInt()).isEqualTo(0x100b);
        assertThat(item.get("failure_data").asText()).isEqualTo("00000000000023280000");
        assertThat(item.get("reason_detail").asText()).isEqualTo("failscope rule 'no-small-htlcs' failed the HTLC with amount_below_minimum");
        assertThat(item.get("in_htlc_id").asInt()).isEqualTo(5);
        JsonNode policy = plugin.request("listpolicy", null).get("result");
        assertThat(policy.get("rules").get(0).get("matched").asLong()).isEqualTo(1);
        assertThat(policy.get("rules").get(1).get("matched").asLong()).isEqualTo(1);
    }

    private String holdHook(int htlcId, int cltvExpiryRelative)
            throws Exception
    {
        return holdHook(htlcId, 800_100, cltvExpiryRelative);
    }

    private String holdHook(int htlcId, long cltvExpiry, int cltvExpiryRelative)
            throws Exception
    {
        String id = plugin.nextId("htlc_accepted");
        ObjectNode request = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "htlc_accepted");
        request.set("params", PluginProcess.MAPPER.readTree("""
                {"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8",
                 "onion":{"payload":"00","short_channel_id":"103x1x0","forward_msat":49999,"outgoing_cltv_value":800066,"next_onion":"00","shared_secret":"a31fe9656fc8d3a459e623dc8204e6d0268f8df56d734dac3ca3262edb5db883"},
                 "htlc":{"short_channel_id":"101x1x0","id":%d,"amount_msat":50000,"cltv_expiry":%d,"cltv_expiry_relative":%d,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}
                """.formatted(htlcId, cltvExpiry, cltvExpiryRelative)));
        plugin.send(request);
        return id;
    }

    private JsonNode record(String reason)
            throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode item : plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("type", "intercepted")).get("result").get("htlcfailures")) {
                if (item.get("reason").asText().equals(reason)) {
                    return item;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + reason + " record");
    }

    @Test
    void aHeldHtlcWaitsWithoutBlockingAnythingUntilTheOperatorFailsIt()
            throws Exception
    {
        Files.writeString(lightningDir.resolve("policy.json"), "{\"rules\":[{\"name\":\"hold-big\",\"match\":{\"min_msat\":40000},\"action\":\"hold\"}]}");
        assertThat(plugin.request("reloadpolicy", null).has("result")).isTrue();
        String hook = holdHook(21, 100);
        // the hook is not answered, and everything else still is
        JsonNode held = PluginProcess.MAPPER.createArrayNode();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (held.isEmpty() && System.nanoTime() < deadline) {
            held = plugin.request("listinterceptedhtlcs", null).get("result").get("intercepted");
        }
        assertThat(held).hasSize(1);
        assertThat(held.get(0).get("id").asText()).isEqualTo("101x1x0/21");
        assertThat(held.get(0).get("blocks_left").asLong()).isEqualTo(100);
        assertThat(hook(22, 9000).toString()).as("another HTLC is decided meanwhile").isEqualTo("{\"result\":\"continue\"}");

        JsonNode failed = plugin.request("failinterceptedhtlc", PluginProcess.MAPPER.createObjectNode().put("id", "101x1x0/21").put("code", "unknown_next_peer"));
        assertThat(failed.get("result").toString()).isEqualTo("{\"id\":\"101x1x0/21\",\"result\":\"failed\",\"code\":\"unknown_next_peer\"}");
        assertThat(plugin.response(hook).get("result").toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"400a\"}");
        JsonNode item = record("operator_failed");
        assertThat(item.get("rule").asText()).isEqualTo("hold-big");
        assertThat(item.get("failcode").asInt()).isEqualTo(0x400a);

        JsonNode unknown = plugin.request("resumeinterceptedhtlc", PluginProcess.MAPPER.createObjectNode().put("id", "101x1x0/21"));
        assertThat(unknown.get("error").get("message").asText()).isEqualTo("id: no HTLC with that id is held (released already?), got \"101x1x0/21\"");
    }

    @Test
    void aHeldHtlcIsReleasedWhenNewBlocksBringItsExpiryToTheMargin()
            throws Exception
    {
        Files.writeString(lightningDir.resolve("policy.json"), "{\"rules\":[{\"name\":\"hold-big\",\"match\":{\"min_msat\":40000},\"action\":\"hold\"}]}");
        plugin.request("reloadpolicy", null);
        String hook = holdHook(31, 30);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (plugin.request("listinterceptedhtlcs", null).get("result").get("intercepted").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // held at height 800070 with 30 blocks left; the default margin is 18: released at height 800082
        plugin.notify("block_added", PluginProcess.MAPPER.readTree("{\"block_added\":{\"hash\":\"%s\",\"height\":800081}}".formatted("00".repeat(32))));
        assertThat(plugin.request("listinterceptedhtlcs", null).get("result").get("intercepted")).hasSize(1);
        plugin.notify("block_added", PluginProcess.MAPPER.readTree("{\"block_added\":{\"hash\":\"%s\",\"height\":800082}}".formatted("00".repeat(32))));
        assertThat(plugin.response(hook).get("result").toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"2002\"}");
        assertThat(record("hold_deadline").get("rule").asText()).isEqualTo("hold-big");

        // the chain is at 800082 now: an HTLC expiring 100 blocks later is held
        String resumed = holdHook(32, 800_182, 100);
        while (plugin.request("listinterceptedhtlcs", null).get("result").get("intercepted").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(plugin.request("resumeinterceptedhtlc", PluginProcess.MAPPER.createObjectNode().put("id", "101x1x0/32")).get("result").get("result").asText()).isEqualTo("resumed");
        assertThat(plugin.response(resumed).get("result").toString()).isEqualTo("{\"result\":\"continue\"}");
    }

    @Test
    void aHookWithImpossibleNumbersGetsContinueAndChangesNothing()
            throws Exception
    {
        Files.writeString(lightningDir.resolve("policy.json"), "{\"rules\":[{\"name\":\"fail-all\",\"action\":\"fail\",\"code\":\"incorrect_or_unknown_payment_details\"}]}");
        plugin.request("reloadpolicy", null);
        // the block height this hook implies (cltv_expiry minus cltv_expiry_relative) is beyond a u32:
        // no rule decides an HTLC whose expiry is already behind it
        JsonNode verdict = plugin.requestUnchecked("htlc_accepted", PluginProcess.MAPPER.readTree("""
                {"onion":{"payload":"00","short_channel_id":"103x1x0","forward_msat":1000,"outgoing_cltv_value":425,"next_onion":"00","shared_secret":"a31fe9656fc8d3a459e623dc8204e6d0268f8df56d734dac3ca3262edb5db883"},
                 "htlc":{"short_channel_id":"101x1x0","id":41,"amount_msat":2000,"cltv_expiry":431,"cltv_expiry_relative":-5000000000,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}
                """)).get("result");
        assertThat(verdict.toString()).isEqualTo("{\"result\":\"continue\"}");
        // and the next hook is decided as usual
        assertThat(hook(42, 9000).get("result").asText()).isEqualTo("fail");
    }

    @Test
    void aBadPolicyFileAtStartDisablesThePluginSayingWhy()
            throws Exception
    {
        Path other = Files.createTempDirectory(lightningDir, "other");
        Files.writeString(other.resolve("policy.json"), "{\"rules\":[{\"name\":\"x\",\"action\":\"wait\"}]}");
        try (FakeLightningRpc otherNode = new FakeLightningRpc(other.resolve("lightning-rpc")); PluginProcess second = PluginProcess.start(other, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE)) {
            JsonNode init = second.request("init", TestStdioPlugin.initParams(other, PluginProcess.MAPPER.createObjectNode().put("failscope-policy-file", "policy.json")));
            assertThat(init.get("result").get("disable").asText()).isEqualTo("failscope cannot start: the policy file " + other.resolve("policy.json")
                    + " cannot be used: rules[0].action: must be continue, fail or hold, got \"wait\"");
        }
    }

    @Test
    void aBadFileIsRefusedOnReloadListingEveryProblemAndTheOldRulesStay()
            throws Exception
    {
        Files.writeString(lightningDir.resolve("policy.json"), "{\"rules\":[{\"name\":\"x\",\"action\":\"fail\",\"code\":\"nope\"},{\"action\":\"continue\"}]}");
        JsonNode error = plugin.request("reloadpolicy", null).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(1001);
        assertThat(error.get("data").get("problems")).hasSize(2);
        assertThat(hook(7, 9000).get("result").asText()).as("the old rules still decide").isEqualTo("fail");

        Files.writeString(lightningDir.resolve("policy.json"), "{\"rules\":[{\"name\":\"let-all-through\",\"action\":\"continue\"}]}");
        assertThat(plugin.request("reloadpolicy", null).get("result").get("rules").get(0).get("name").asText()).isEqualTo("let-all-through");
        assertThat(hook(8, 9000).get("result").asText()).isEqualTo("continue");
    }
}
