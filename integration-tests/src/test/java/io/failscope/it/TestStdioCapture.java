package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed forwards through the real process over stdio, one scenario per classifiable reason: the
 * htlc_accepted hook and the forward_event lightningd would send, the fake node RPC serving the
 * outgoing channel's context, then listhtlcfailures answers with the reason, its source and evidence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class TestStdioCapture
{
    @TempDir
    static Path lightningDir;

    private FakeLightningRpc node;
    private PluginProcess plugin;
    private final AtomicInteger htlcIds = new AtomicInteger();

    /** One channel per scenario: 103x1x0 is the healthy fixture, the others differ as named. */
    private static ObjectNode channel(String scid, String state, boolean connected, long spendable, long min, long max, int maxHtlcs)
    {
        ObjectNode channel = PluginProcess.MAPPER.createObjectNode()
                .put("peer_id", "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8")
                .put("peer_connected", connected)
                .put("state", state)
                .put("short_channel_id", scid)
                .put("spendable_msat", spendable)
                .put("minimum_htlc_out_msat", min)
                .put("maximum_htlc_out_msat", max)
                .put("dust_limit_msat", 546_000)
                .put("fee_base_msat", 1000)
                .put("fee_proportional_millionths", 1000)
                .put("max_accepted_htlcs", maxHtlcs)
                .put("their_max_htlc_value_in_flight_msat", 2_500_000);
        channel.putObject("updates").putObject("local").put("cltv_expiry_delta", 34);
        channel.putArray("htlcs").addObject().put("direction", "out").put("amount_msat", 2_000_000).put("id", 1);
        return channel;
    }

    @BeforeAll
    void start()
            throws Exception
    {
        node = new FakeLightningRpc(lightningDir.resolve("lightning-rpc"));
        ArrayNode channels = PluginProcess.MAPPER.createArrayNode()
                .add(channel("103x1x0", "CHANNELD_NORMAL", true, 4_000_000, 1000, 2_000_000, 30))
                .add(channel("104x1x0", "CHANNELD_NORMAL", false, 4_000_000, 1000, 2_000_000, 30))
                .add(channel("105x1x0", "CHANNELD_NORMAL", true, 4_000_000, 2_000_000, 9_000_000, 30))
                .add(channel("106x1x0", "CHANNELD_NORMAL", true, 4_000_000, 1000, 500_000, 30))
                .add(channel("107x1x0", "CHANNELD_NORMAL", true, 800_000, 1000, 2_000_000, 30))
                .add(channel("108x1x0", "CHANNELD_NORMAL", true, 4_000_000, 1000, 2_000_000, 1))
                .add(channel("109x1x0", "CHANNELD_AWAITING_LOCKIN", true, 4_000_000, 1000, 2_000_000, 30))
                .add(channel("110x1x0", "CHANNELD_SHUTTING_DOWN", true, 4_000_000, 1000, 2_000_000, 30));
        node.answer("listpeerchannels", PluginProcess.MAPPER.createObjectNode().set("channels", channels));
        node.answer("listconfigs", PluginProcess.MAPPER.readTree("{\"configs\":{\"cltv-delta\":{\"value_int\":34},\"max-dust-htlc-exposure-msat\":{\"value_msat\":50000000}}}"));
        plugin = PluginProcess.start(lightningDir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE);
        plugin.request("init", TestStdioPlugin.initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
        // the node's context is in: failscope-status tells how old it is
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!plugin.request("failscope-status", null).get("result").get("node").has("context_age_seconds") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @AfterAll
    void stop()
            throws Exception
    {
        plugin.close();
        node.close();
        assertThat(plugin.violations()).isEmpty();
    }

    private JsonNode failForward(String outChannel, long forwardMsat, long outgoingCltv, int failcode, boolean local)
            throws Exception
    {
        int htlcId = htlcIds.incrementAndGet();
        JsonNode hook = PluginProcess.MAPPER.readTree("""
                {"peer_id":"02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01",
                 "onion":{"payload":"00","type":"tlv","short_channel_id":"%s","forward_msat":%d,"outgoing_cltv_value":%d,
                          "next_onion":"00","shared_secret":"a31fe9656fc8d3a459e623dc8204e6d0268f8df56d734dac3ca3262edb5db883"},
                 "htlc":{"short_channel_id":"101x1x0","id":%d,"amount_msat":%d,"cltv_expiry":800100,"cltv_expiry_relative":100,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}
                """.formatted(outChannel, forwardMsat, outgoingCltv, htlcId, forwardMsat + 1001));
        assertThat(plugin.request("htlc_accepted", hook).get("result").toString()).isEqualTo("{\"result\":\"continue\"}");
        ObjectNode event = PluginProcess.MAPPER.createObjectNode()
                .put("created_index", htlcId)
                .put("payment_hash", "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee")
                .put("in_channel", "101x1x0")
                .put("in_htlc_id", htlcId)
                .put("out_channel", outChannel)
                .put("in_msat", forwardMsat + 1001)
                .put("status", local ? "local_failed" : "failed")
                .put("style", "tlv")
                .put("received_time", 1755675000.123456789);
        if (local) {
            event.put("failcode", failcode).put("failreason", "WIRE_WHATEVER");
        }
        else {
            event.put("out_msat", forwardMsat).put("fee_msat", 1001).put("resolved_time", 1755675003.25);
        }
        plugin.notify("forward_event", PluginProcess.MAPPER.createObjectNode().set("forward_event", event));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode items = plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("in_channel", "101x1x0")).get("result").get("htlcfailures");
            for (JsonNode item : items) {
                if (item.get("in_htlc_id").asInt() == htlcId) {
                    Schemas.assertValid("listhtlcfailures.response", PluginProcess.MAPPER.createObjectNode().set("htlcfailures", PluginProcess.MAPPER.createArrayNode().add(item)));
                    return item;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no record for HTLC " + htlcId + "; stderr:\n" + plugin.stderr());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            peer offline                  | 104x1x0 | 1000000 | 800066    | 4103  | peer_offline                | inferred | {"peer_connected":0}
            below the HTLC minimum        | 105x1x0 | 1000000 | 800066    | 4103  | htlc_minimum                | inferred | {"htlc_minimum_msat":2000000,"requested_msat":1000000}
            above the HTLC maximum        | 106x1x0 | 1000000 | 800066    | 4103  | htlc_maximum                | inferred | {"htlc_maximum_msat":500000,"requested_msat":1000000}
            balance overdrawn             | 107x1x0 | 1000000 | 800066    | 4103  | channel_balance_overdrawn   | inferred | {"requested_msat":1000000,"spendable_msat":800000}
            too many HTLCs                | 108x1x0 | 1000000 | 800066    | 4103  | too_many_htlcs              | inferred | {"htlcs_in_flight":1,"max_htlcs":1}
            dust exposure                 | 103x1x0 | 500000  | 800066    | 4103  | dust_exposure               | inferred | {"dust_limit_msat":546000,"max_dust_exposure_msat":50000000,"requested_msat":500000}
            unknown channel               | 999x1x0 | 1000000 | 800066    | 16394 | unknown_next_peer           | inferred | {"channel_known":0}
            channel not ready             | 109x1x0 | 1000000 | 800066    | 16394 | outgoing_channel_not_ready  | inferred | {"channel_known":1}
            channel closing               | 110x1x0 | 1000000 | 800066    | 16394 | outgoing_channel_closing    | inferred | {"channel_known":1}
            fee too low                   | 103x1x0 | 1000000 | 800066    | 4108  | fee_insufficient            | inferred | {"offered_fee_msat":1001,"required_fee_msat":2000}
            CLTV delta too small          | 103x1x0 | 1000000 | 800080    | 4109  | incorrect_cltv_expiry       | inferred | {"offered_cltv_delta":20,"required_cltv_delta":34}
            CLTV not a height             | 103x1x0 | 1000000 | 500000000 | 4109  | outgoing_cltv_invalid       | inferred | {"outgoing_cltv_value":500000000}
            outgoing expiry too soon      | 103x1x0 | 1000000 | 799990    | 4110  | outgoing_cltv_too_soon      | inferred | {"block_height":800000,"outgoing_cltv_value":799990}
            outgoing expiry too far       | 103x1x0 | 1000000 | 802100    | 21    | cltv_expiry_too_far         | inferred | {"block_height":800000,"max_cltv_blocks":2016,"outgoing_cltv_value":802100}
            peer's max in flight exceeded | 103x1x0 | 1000000 | 800066    | 24579 | peer_max_in_flight_exceeded | inferred | {"in_flight_msat":2000000,"max_in_flight_msat":2500000,"requested_msat":1000000}
            nothing explains it           | 103x1x0 | 1000000 | 800066    | 4103  | temporary_channel_failure   | code     | {}
            """)
    void aFailedForwardIsRecordedWithItsPreciseReason(String name, String outChannel, long forwardMsat, long outgoingCltv, int failcode, String reason, String source, String evidence)
            throws Exception
    {
        JsonNode item = failForward(outChannel, forwardMsat, outgoingCltv, failcode, true);
        assertThat(item.get("reason").asText()).as(name).isEqualTo(reason);
        assertThat(item.get("reason_source").asText()).isEqualTo(source);
        assertThat(item.get("evidence").toString()).isEqualTo(evidence);
        assertThat(item.get("failcode").asInt()).isEqualTo(failcode);
        assertThat(item.get("source").asText()).isEqualTo("local");
        assertThat(item.get("out_msat").asLong()).as("joined from the hook").isEqualTo(forwardMsat);
        assertThat(item.get("cltv_expiry").asLong()).as("joined from the hook").isEqualTo(800_100);
        assertThat(item.get("in_peer_id").asText()).isEqualTo("02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01");
        assertThat(item.get("type").asText()).isEqualTo(failcode == 16394 ? "invalid_forward" : "forward");
    }

    @Test
    void ourFailedPaymentIsASendRecordAndItsReplayAddsNothing()
            throws Exception
    {
        JsonNode failure = PluginProcess.MAPPER.readTree("""
                {"sendpay_failure":{"code":204,"message":"failed: WIRE_TEMPORARY_CHANNEL_FAILURE (WIRE_TEMPORARY_CHANNEL_FAILURE: Capacity exceeded - HTLC fee: 1000sat)",
                 "data":{"created_index":9,"id":77,"payment_hash":"0000000000000000000000000000000000000000000000000000000000000001","groupid":1,
                 "amount_sent_msat":9000000,"created_at":1755675100,"completed_at":1755675101,"status":"failed","erring_index":0,"failcode":4103,
                 "erring_node":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8","erring_channel":"103x1x0","erring_direction":1}}}
                """);
        plugin.notify("sendpay_failure", failure);
        JsonNode sends = PluginProcess.MAPPER.createArrayNode();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (sends.isEmpty() && System.nanoTime() < deadline) {
            sends = plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("type", "send")).get("result").get("htlcfailures");
            Thread.sleep(20);
        }
        assertThat(sends).hasSize(1);
        assertThat(sends.get(0).get("reason").asText()).isEqualTo("channel_balance_overdrawn");
        assertThat(sends.get(0).get("reason_source").asText()).isEqualTo("node");
        assertThat(sends.get(0).get("source").asText()).isEqualTo("local");
        assertThat(sends.get(0).get("out_msat").asLong()).isEqualTo(9_000_000);

        // the replay says something new (a later completed_at): the row is updated, not added
        ((ObjectNode) failure.get("sendpay_failure").get("data")).put("completed_at", 1755675105);
        plugin.notify("sendpay_failure", failure);
        JsonNode updated = PluginProcess.MAPPER.createArrayNode();
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (updated.isEmpty() && System.nanoTime() < deadline) {
            updated = plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("type", "send").put("index", "updated")).get("result").get("htlcfailures");
            Thread.sleep(20);
        }
        assertThat(updated).hasSize(1);
        assertThat(updated.get(0).get("resolved_time").decimalValue()).isEqualByComparingTo("1755675105");
        assertThat(plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("type", "send")).get("result").get("htlcfailures")).hasSize(1);
    }

    @Test
    void aFailureIsJudgedAgainstTheChannelAsItIsWhenTheEventArrives()
            throws Exception
    {
        // 111x1x0 is not in the snapshot taken at init: only a fresh look at the channel explains the failure
        JsonNode channels = PluginProcess.MAPPER.createObjectNode().set("channels", PluginProcess.MAPPER.createArrayNode()
                .add(channel("111x1x0", "CHANNELD_NORMAL", true, 300_000, 1000, 2_000_000, 30)));
        JsonNode before = node.answer("listpeerchannels", channels);
        try {
            JsonNode item = failForward("111x1x0", 1_000_000, 800_066, 4103, true);
            assertThat(item.get("reason").asText()).isEqualTo("channel_balance_overdrawn");
            assertThat(item.get("evidence").toString()).isEqualTo("{\"requested_msat\":1000000,\"spendable_msat\":300000}");
        }
        finally {
            node.answer("listpeerchannels", before);
        }
    }

    @Test
    void aDownstreamFailureIsRecordedWithoutAReasonAndAReplayAddsNoRecord()
            throws Exception
    {
        JsonNode item = failForward("103x1x0", 1_000_000, 800_066, 0, false);
        assertThat(item.get("source").asText()).isEqualTo("downstream");
        assertThat(item.has("reason")).isFalse();
        assertThat(item.get("fee_msat").asLong()).isEqualTo(1001);
        assertThat(item.get("reason_detail").asText()).isEqualTo("a later hop failed the HTLC; its reason is encrypted for the sender");

        long before = plugin.request("htlcfailurestats", null).get("result").get("total").get("count").asLong();
        ObjectNode replay = PluginProcess.MAPPER.createObjectNode()
                .put("in_channel", "101x1x0").put("in_htlc_id", item.get("in_htlc_id").asInt()).put("out_channel", "103x1x0")
                .put("in_msat", item.get("in_msat").asLong()).put("out_msat", 1_000_000).put("fee_msat", 1001)
                .put("status", "failed").put("style", "tlv").put("received_time", 1755675000.123456789).put("resolved_time", 1755675004.5);
        plugin.notify("forward_event", PluginProcess.MAPPER.createObjectNode().set("forward_event", replay));
        // the replay says something new (a later resolved_time): the row is updated, not added
        JsonNode updated = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (updated == null && System.nanoTime() < deadline) {
            for (JsonNode candidate : plugin.request("listhtlcfailures", PluginProcess.MAPPER.createObjectNode().put("index", "updated")).get("result").get("htlcfailures")) {
                if (candidate.get("in_htlc_id").asInt() == item.get("in_htlc_id").asInt()) {
                    updated = candidate;
                }
            }
            Thread.sleep(20);
        }
        assertThat(updated).as("the replay reached the store").isNotNull();
        assertThat(updated.get("created_index").asLong()).isEqualTo(item.get("created_index").asLong());
        assertThat(updated.get("resolved_time").decimalValue()).isEqualByComparingTo("1755675004.5");
        assertThat(plugin.request("htlcfailurestats", null).get("result").get("total").get("count").asLong()).isEqualTo(before);
    }
}
