package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.rpc.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

final class TestPolicy
{
    private static JsonNode hook(String peer, long amountMsat, int cltvRelative, String outChannel)
            throws Exception
    {
        return Json.MAPPER.readTree("""
                {"peer_id":"%s","onion":{"payload":"00","short_channel_id":"%s","forward_msat":%d,"outgoing_cltv_value":800066,"next_onion":"00","shared_secret":"00"},
                 "htlc":{"short_channel_id":"101x1x0","id":7,"amount_msat":%d,"cltv_expiry":800100,"cltv_expiry_relative":%d,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}
                """.formatted(peer, outChannel, amountMsat - 1000, amountMsat, cltvRelative));
    }

    private static final String PEER = "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8";
    private static final String OTHER = "02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01";

    @Test
    void theExamplePolicyParses()
            throws Exception
    {
        Policy policy = Interceptor.load(Path.of("..", "config", "policy.example.json"));
        assertThat(policy.rules()).extracting(PolicyRule::name).containsExactly("no-probes-from-noisy-peer", "rate-limit-any-peer",
                "keep-closing-channel-quiet", "try-a-tighter-cltv-floor", "reject-bad-custom-record", "everything-else");
        assertThat(policy.rules().get(3).dryRun()).isTrue();
        assertThat(policy.rules().get(5).action()).isEqualTo(PolicyRule.Action.CONTINUE);
    }

    @Test
    void aBadFileListsEveryProblemWithItsPlace()
            throws Exception
    {
        PolicyException e = catchThrowableOfType(() -> Policy.parse(Json.MAPPER.readTree("""
                {"rules":[
                  {"name":"a","action":"fail","code":"invalid_onion_hmac"},
                  {"name":"a","action":"continue","match":{"min_msat":-5,"in_channel":"1:2:3","colour":"red"}},
                  {"action":"wait"},
                  {"name":"b","action":"fail","code":"fee_insufficient","onion_type":1,"onion_offset":2,"dry_run":"yes"}
                ],"version":2}
                """)), PolicyException.class);
        assertThat(e.problems()).containsExactly(
                "version: not a known key; known keys are rules",
                "rules[0].code: 'invalid_onion_hmac' is not a failure code that can be chosen; choose one of temporary_node_failure, required_node_feature_missing, incorrect_or_unknown_payment_details, invalid_onion_payload, temporary_channel_failure, permanent_channel_failure, unknown_next_peer, channel_disabled, expiry_too_soon, amount_below_minimum, fee_insufficient, incorrect_cltv_expiry",
                "rules[1].name: 'a' names two rules",
                "rules[1].match.colour: not a known key; known keys are in_channel, out_channel, peer_id, min_msat, max_msat, min_cltv_remaining, max_cltv_remaining, payment_hash, max_per_minute, max_held",
                "rules[1].match.in_channel: must be a short channel id such as 103x1x0, got \"1:2:3\"",
                "rules[1].match.min_msat: must be a whole number from 0 to 9223372036854775807, got -5",
                "rules[2].name: each rule needs a name of 1 to 256 characters",
                "rules[2].action: must be continue, fail or hold, got \"wait\"",
                "rules[3]: onion_type (a number) and onion_offset (0 to 65535) only go with invalid_onion_payload",
                "rules[3].dry_run: must be true or false, got \"yes\"");
    }

    @Test
    void theFirstMatchingRuleDecidesWithTheExactFailureMessage()
            throws Exception
    {
        Interceptor interceptor = interceptor("""
                {"rules":[
                  {"name":"small-from-peer","match":{"peer_id":"%s","max_msat":5000},"action":"fail","code":"incorrect_or_unknown_payment_details"},
                  {"name":"let-peer-through","match":{"peer_id":"%s"},"action":"continue"},
                  {"name":"near-expiry","match":{"max_cltv_remaining":40},"action":"fail","code":"expiry_too_soon"}
                ]}""".formatted(PEER, PEER));
        // 5000 msat (0x1388) at height 800100 - 30 = 800070 (0x000c3546)
        assertThat(interceptor.decideHook(hook(PEER, 5000, 30, "103x1x0")).join().toString())
                .isEqualTo("{\"result\":\"fail\",\"failure_message\":\"400f0000000000001388000c3546\"}");
        assertThat(interceptor.decideHook(hook(PEER, 6000, 30, "103x1x0")).join().toString()).as("continue stops the rules").isEqualTo("{\"result\":\"continue\"}");
        assertThat(interceptor.decideHook(hook(OTHER, 6000, 30, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"100e0000\"}");
        assertThat(interceptor.decideHook(hook(OTHER, 6000, 41, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(interceptor.hits("small-from-peer")).isEqualTo(1);
        assertThat(interceptor.hits("near-expiry")).isEqualTo(1);
        // what the hook cannot read continues
        assertThat(interceptor.decideHook(Json.MAPPER.readTree("{\"htlc\":{}}")).join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(interceptor.decideHook(null).join().toString()).isEqualTo("{\"result\":\"continue\"}");
    }

    @Test
    void aDryRunRuleCountsWithoutActingAndARateCountsPerPeer()
            throws Exception
    {
        Interceptor interceptor = interceptor("""
                {"rules":[
                  {"name":"would-block-everything","action":"fail","code":"temporary_node_failure","dry_run":true},
                  {"name":"rate","match":{"max_per_minute":2},"action":"fail","code":"temporary_channel_failure"}
                ]}""");
        assertThat(interceptor.decideHook(hook(PEER, 6000, 100, "103x1x0")).join().get("result").asText()).isEqualTo("continue");
        assertThat(interceptor.decideHook(hook(PEER, 6000, 100, "103x1x0")).join().get("result").asText()).isEqualTo("continue");
        assertThat(interceptor.decideHook(hook(PEER, 6000, 100, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"10070000\"}");
        assertThat(interceptor.decideHook(hook(OTHER, 6000, 100, "103x1x0")).join().get("result").asText()).as("another peer has its own count").isEqualTo("continue");
        assertThat(interceptor.hits("would-block-everything")).isEqualTo(4);
        assertThat(interceptor.hits("rate")).isEqualTo(1);
    }

    @Test
    void aHeldHtlcWaitsForTheOperator()
            throws Exception
    {
        Interceptor interceptor = interceptor("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", "60s");
        java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.node.ObjectNode> first = interceptor.decideHook(hook(PEER, 9000, 100, "103x1x0"));
        assertThat(first).isNotDone();
        assertThat(interceptor.held()).extracting(Interceptor.Held::id).containsExactly("101x1x0/7");
        assertThat(interceptor.resume("101x1x0/7")).isTrue();
        assertThat(first.join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(interceptor.resume("101x1x0/7")).as("released already").isFalse();

        java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.node.ObjectNode> second = interceptor.decideHook(hook(PEER, 9000, 100, "103x1x0"));
        assertThat(interceptor.failHeld("101x1x0/7", io.failscope.reason.FailureChoice.of(io.failscope.reason.SelectableFailure.FEE_INSUFFICIENT))).isTrue();
        // fee_insufficient: 0x100c, htlc_msat 9000 (0x2328), an empty channel_update
        assertThat(second.join().toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"100c00000000000023280000\"}");
        assertThat(interceptor.held()).isEmpty();
    }

    @Test
    void aHeldHtlcIsReleasedAtItsDeadlineWhicheverComesFirst()
            throws Exception
    {
        Interceptor quick = interceptor("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", "200ms");
        java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.node.ObjectNode> timedOut = quick.decideHook(hook(PEER, 9000, 100, "103x1x0"));
        assertThat(timedOut.get(10, java.util.concurrent.TimeUnit.SECONDS).toString()).as("the hold timeout").isEqualTo("{\"result\":\"fail\",\"failure_message\":\"2002\"}");

        Interceptor slow = interceptor("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", "1d");
        // expiry 800100, held at height 800000 (100 left); the margin is 18 blocks
        java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.node.ObjectNode> byBlocks = slow.decideHook(hook(PEER, 9000, 100, "103x1x0"));
        slow.blockAdded(800_081);
        assertThat(byBlocks).as("19 blocks left").isNotDone();
        slow.blockAdded(800_082);
        assertThat(byBlocks.getNow(null).toString()).as("18 blocks left: the margin").isEqualTo("{\"result\":\"fail\",\"failure_message\":\"2002\"}");
        // already within the margin: never held
        assertThat(slow.decideHook(hook(PEER, 9000, 18, "103x1x0")).getNow(null).get("result").asText()).isEqualTo("fail");
        assertThat(slow.held()).isEmpty();
    }

    @Test
    void aPeerCanBeCappedInHowManyHtlcsItHasHeld()
            throws Exception
    {
        Interceptor interceptor = interceptor("""
                {"rules":[
                  {"name":"cap","match":{"max_held":1},"action":"fail","code":"temporary_channel_failure"},
                  {"name":"hold-all","action":"hold"}
                ]}""", "1d");
        assertThat(interceptor.decideHook(hook(PEER, 9000, 100, "103x1x0"))).isNotDone();
        JsonNode second = Json.MAPPER.readTree(hook(PEER, 9000, 100, "103x1x0").toString().replace("\"id\":7", "\"id\":8"));
        assertThat(interceptor.decideHook(second).getNow(null).toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"10070000\"}");
    }

    @Test
    void indexingRulesByChannelKeepsTheFileOrder()
            throws Exception
    {
        Interceptor interceptor = interceptor("""
                {"rules":[
                  {"name":"any-big","match":{"min_msat":100000},"action":"fail","code":"temporary_node_failure"},
                  {"name":"on-101","match":{"in_channel":"101x1x0"},"action":"fail","code":"unknown_next_peer"},
                  {"name":"rest","action":"continue"}
                ]}""");
        // 101x1x0 is the hook's incoming channel: a rule before the channel's own rule still comes first
        assertThat(interceptor.decideHook(hook(PEER, 200_000, 100, "103x1x0")).join().get("failure_message").asText()).isEqualTo("2002");
        assertThat(interceptor.decideHook(hook(PEER, 6000, 100, "103x1x0")).join().get("failure_message").asText()).isEqualTo("400a");
        Policy policy = interceptor.policy();
        assertThat(policy.candidates(io.failscope.ShortChannelId.parse("101x1x0"))).containsExactly(0, 1, 2);
        assertThat(policy.candidates(io.failscope.ShortChannelId.parse("999x1x0"))).containsExactly(0, 2);
    }

    @Test
    void theRateWindowForgetsHtlcsOlderThanAMinute()
    {
        RateCounter counter = new RateCounter();
        java.util.Optional<NodeId> peer = java.util.Optional.of(NodeId.fromHex(PEER));
        assertThat(counter.record(peer, 1_000)).isEqualTo(1);
        assertThat(counter.record(peer, 30_000)).isEqualTo(2);
        assertThat(counter.record(peer, 60_999)).as("the first is 59.999 s old: still counted").isEqualTo(3);
        assertThat(counter.record(peer, 90_000)).as("the first two are a minute old or more").isEqualTo(2);
    }

    private static Interceptor interceptor(String policy)
            throws Exception
    {
        return interceptor(policy, "60s");
    }

    private static Interceptor interceptor(String policy, String holdTimeout)
            throws Exception
    {
        Path file = java.nio.file.Files.createTempFile("policy", ".json");
        java.nio.file.Files.writeString(file, policy);
        io.failscope.config.FailscopeConfig config = io.failscope.config.FailscopeConfig.read(java.util.Map.of("policy.file", file.toString(), "hold.timeout", holdTimeout), file.getParent(), java.util.function.Function.identity());
        return new Interceptor(config, new NoStore(), new io.failscope.node.NodeContextCache((method, params) -> {
            throw new io.failscope.node.NodeRpcException("no node");
        }, java.time.Duration.ofHours(1), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)), Clock.fixed(Instant.ofEpochSecond(1_755_675_000L), ZoneOffset.UTC));
    }

    /** Decisions only: nothing is stored (the node id is unknown, so no record is even built). */
    private static final class NoStore
            implements io.failscope.store.FailureStore
    {
        @Override
        public java.util.concurrent.CompletableFuture<io.failscope.store.WriteOutcome> submit(io.failscope.record.HtlcFailureRecord record)
        {
            throw new AssertionError("nothing should be stored");
        }

        @Override
        public java.util.List<io.failscope.store.StoredFailure> list(io.failscope.store.FailureFilter filter, io.failscope.store.Page page)
        {
            return java.util.List.of();
        }

        @Override
        public io.failscope.store.FailureStats stats(io.failscope.store.FailureFilter filter, io.failscope.store.StatsGrouping grouping)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long delete(io.failscope.store.FailureFilter filter)
        {
            return 0;
        }

        @Override
        public long enforceRetention(Instant now)
        {
            return 0;
        }

        @Override
        public io.failscope.store.StoreStatus status()
        {
            return new io.failscope.store.StoreStatus(0, 0, 0, 0, 0);
        }

        @Override
        public void close() {}
    }
}
