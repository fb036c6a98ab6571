package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.capture.Capture;
import io.failscope.capture.SeenHtlcs;
import io.failscope.dialect.HookStatus;
import io.failscope.intercept.HoldConfig;
import io.failscope.intercept.Interceptor;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeRpcException;
import io.failscope.reason.FailureChoice;
import io.failscope.reason.SelectableFailure;
import io.failscope.testing.RefusingStore;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Core Lightning's {@code htlc_accepted} decided by the policy rules, payload in and verdict out as
 * lightningd sends and reads them. The node has not said its height here, so a failure message that
 * carries one takes the height the hook implies (its expiry minus the blocks it has left).
 */
final class TestClnHtlcAccepted
{
    private static final String PEER = "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8";
    private static final String OTHER = "02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01";

    private static JsonNode hook(String peer, long amountMsat, int cltvRelative, String outChannel)
            throws Exception
    {
        return TestJson.MAPPER.readTree("""
                {"peer_id":"%s","onion":{"payload":"00","short_channel_id":"%s","forward_msat":%d,"outgoing_cltv_value":800066,"next_onion":"00","shared_secret":"00"},
                 "htlc":{"short_channel_id":"101x1x0","id":7,"amount_msat":%d,"cltv_expiry":800100,"cltv_expiry_relative":%d,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}
                """.formatted(peer, outChannel, amountMsat - 1000, amountMsat, cltvRelative));
    }

    @Test
    void theFirstMatchingRuleDecidesWithTheExactFailureMessage()
            throws Exception
    {
        Hook hook = hook("""
                {"rules":[
                  {"name":"small-from-peer","match":{"peer_id":"%s","max_msat":5000},"action":"fail","code":"incorrect_or_unknown_payment_details"},
                  {"name":"let-peer-through","match":{"peer_id":"%s"},"action":"continue"},
                  {"name":"near-expiry","match":{"max_cltv_remaining":40},"action":"fail","code":"expiry_too_soon"}
                ]}""".formatted(PEER, PEER), Duration.ofSeconds(60));
        // 5000 msat (0x1388) at height 800100 - 30 = 800070 (0x000c3546)
        assertThat(hook.answer(hook(PEER, 5000, 30, "103x1x0")).join().toString())
                .isEqualTo("{\"result\":\"fail\",\"failure_message\":\"400f0000000000001388000c3546\"}");
        assertThat(hook.answer(hook(PEER, 6000, 30, "103x1x0")).join().toString()).as("continue stops the rules").isEqualTo("{\"result\":\"continue\"}");
        assertThat(hook.answer(hook(OTHER, 6000, 30, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"100e0000\"}");
        assertThat(hook.answer(hook(OTHER, 6000, 41, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(hook.interceptor.hits("small-from-peer")).isEqualTo(1);
        assertThat(hook.interceptor.hits("near-expiry")).isEqualTo(1);
        // what the hook cannot read continues
        assertThat(hook.answer(TestJson.MAPPER.readTree("{\"htlc\":{}}")).join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(hook.answer(null).join().toString()).isEqualTo("{\"result\":\"continue\"}");
    }

    @Test
    void aDryRunRuleCountsWithoutActingAndARateCountsPerPeer()
            throws Exception
    {
        Hook hook = hook("""
                {"rules":[
                  {"name":"would-block-everything","action":"fail","code":"temporary_node_failure","dry_run":true},
                  {"name":"rate","match":{"max_per_minute":2},"action":"fail","code":"temporary_channel_failure"}
                ]}""", Duration.ofSeconds(60));
        assertThat(hook.answer(hook(PEER, 6000, 100, "103x1x0")).join().get("result").asText()).isEqualTo("continue");
        assertThat(hook.answer(hook(PEER, 6000, 100, "103x1x0")).join().get("result").asText()).isEqualTo("continue");
        assertThat(hook.answer(hook(PEER, 6000, 100, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"10070000\"}");
        assertThat(hook.answer(hook(OTHER, 6000, 100, "103x1x0")).join().get("result").asText()).as("another peer has its own count").isEqualTo("continue");
        assertThat(hook.interceptor.hits("would-block-everything")).isEqualTo(4);
        assertThat(hook.interceptor.hits("rate")).isEqualTo(1);
    }

    @Test
    void aHeldHtlcWaitsForTheOperator()
            throws Exception
    {
        Hook hook = hook("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", Duration.ofSeconds(60));
        CompletableFuture<JsonNode> first = hook.answer(hook(PEER, 9000, 100, "103x1x0"));
        assertThat(first).isNotDone();
        assertThat(hook.interceptor.held()).extracting(held -> held.id()).containsExactly("101x1x0/7");
        assertThat(hook.interceptor.resume("101x1x0/7")).isTrue();
        assertThat(first.join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(hook.interceptor.resume("101x1x0/7")).as("released already").isFalse();

        CompletableFuture<JsonNode> second = hook.answer(hook(PEER, 9000, 100, "103x1x0"));
        assertThat(hook.interceptor.failHeld("101x1x0/7", FailureChoice.of(SelectableFailure.FEE_INSUFFICIENT))).isTrue();
        // fee_insufficient: 0x100c, htlc_msat 9000 (0x2328), an empty channel_update
        assertThat(second.join().toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"100c00000000000023280000\"}");
        assertThat(hook.interceptor.held()).isEmpty();
    }

    @Test
    void aHeldHtlcIsReleasedAtItsDeadlineWhicheverComesFirst()
            throws Exception
    {
        Hook quick = hook("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", Duration.ofMillis(200));
        CompletableFuture<JsonNode> timedOut = quick.answer(hook(PEER, 9000, 100, "103x1x0"));
        assertThat(timedOut.get(10, TimeUnit.SECONDS).toString()).as("the hold timeout").isEqualTo("{\"result\":\"fail\",\"failure_message\":\"2002\"}");

        Hook slow = hook("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", Duration.ofDays(1));
        // expiry 800100, held at height 800000 (100 left); the margin is 18 blocks
        CompletableFuture<JsonNode> byBlocks = slow.answer(hook(PEER, 9000, 100, "103x1x0"));
        slow.interceptor.blockAdded(800_081);
        assertThat(byBlocks).as("19 blocks left").isNotDone();
        slow.interceptor.blockAdded(800_082);
        assertThat(byBlocks.getNow(null).toString()).as("18 blocks left: the margin").isEqualTo("{\"result\":\"fail\",\"failure_message\":\"2002\"}");
        // already within the margin: never held
        assertThat(slow.answer(hook(PEER, 9000, 18, "103x1x0")).getNow(null).get("result").asText()).isEqualTo("fail");
        assertThat(slow.interceptor.held()).isEmpty();
    }

    @Test
    void aPeerCanBeCappedInHowManyHtlcsItHasHeld()
            throws Exception
    {
        Hook hook = hook("""
                {"rules":[
                  {"name":"cap","match":{"max_held":1},"action":"fail","code":"temporary_channel_failure"},
                  {"name":"hold-all","action":"hold"}
                ]}""", Duration.ofDays(1));
        assertThat(hook.answer(hook(PEER, 9000, 100, "103x1x0"))).isNotDone();
        JsonNode second = TestJson.MAPPER.readTree(hook(PEER, 9000, 100, "103x1x0").toString().replace("\"id\":7", "\"id\":8"));
        assertThat(hook.answer(second).getNow(null).toString()).isEqualTo("{\"result\":\"fail\",\"failure_message\":\"10070000\"}");
    }

    @Test
    void indexingRulesByChannelKeepsTheFileOrder()
            throws Exception
    {
        Hook hook = hook("""
                {"rules":[
                  {"name":"any-big","match":{"min_msat":100000},"action":"fail","code":"temporary_node_failure"},
                  {"name":"on-101","match":{"in_channel":"101x1x0"},"action":"fail","code":"unknown_next_peer"},
                  {"name":"rest","action":"continue"}
                ]}""", Duration.ofSeconds(60));
        // 101x1x0 is the hook's incoming channel: a rule before the channel's own rule still comes first
        assertThat(hook.answer(hook(PEER, 200_000, 100, "103x1x0")).join().get("failure_message").asText()).isEqualTo("2002");
        assertThat(hook.answer(hook(PEER, 6000, 100, "103x1x0")).join().get("failure_message").asText()).isEqualTo("400a");
    }

    @Test
    void anExpiryThatIsATimeGetsContinueAndMovesNothing()
            throws Exception
    {
        Hook hook = hook("{\"rules\":[{\"name\":\"hold-all\",\"action\":\"hold\"}]}", Duration.ofDays(1));
        JsonNode poisoned = TestJson.MAPPER.readTree(hook(PEER, 9000, 0, "103x1x0").toString().replace("\"cltv_expiry\":800100", "\"cltv_expiry\":4294967295"));
        assertThat(hook.answer(poisoned).join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(hook.interceptor.held()).isEmpty();
        // the next HTLC is held as if the bad one had never come
        assertThat(hook.answer(hook(PEER, 9000, 100, "103x1x0"))).isNotDone();
    }

    @Test
    void aCrashWhileDecidingAnswersContinueAndIsCounted()
            throws Exception
    {
        Path file = Files.createTempFile("policy", ".json");
        Files.writeString(file, "{\"rules\":[{\"name\":\"fail-all\",\"action\":\"fail\",\"code\":\"temporary_node_failure\"}]}");
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_755_675_000L), ZoneOffset.UTC);
        Interceptor broken = new Interceptor(Optional.of(file), HoldConfig.DEFAULT, () -> {
            throw new IllegalStateException("a bug while deciding");
        }, clock, Set.of(), TestJson.MAPPER);
        NodeContextCache nodeContext = new NodeContextCache((method, params) -> {
            throw new NodeRpcException("no node");
        }, Duration.ofHours(1), clock);
        HookStatus status = new HookStatus(broken);
        ClnHtlcAccepted accepted = new ClnHtlcAccepted(broken, new Capture(new RefusingStore(), nodeContext, new SeenHtlcs(10), clock, 10), status);
        assertThat(accepted.answer(hook(PEER, 9000, 100, "103x1x0")).join().toString()).isEqualTo("{\"result\":\"continue\"}");
        assertThat(status.report().toString()).isEqualTo("{\"answered\":1,\"failed_open\":1,\"held\":0}");
    }

    private record Hook(ClnHtlcAccepted accepted, Interceptor interceptor)
    {
        CompletableFuture<JsonNode> answer(JsonNode params)
        {
            return accepted.answer(params);
        }
    }

    private static Hook hook(String policy, Duration holdTimeout)
            throws Exception
    {
        Path file = Files.createTempFile("policy", ".json");
        Files.writeString(file, policy);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_755_675_000L), ZoneOffset.UTC);
        HoldConfig hold = new HoldConfig(holdTimeout, 18, true);
        Interceptor interceptor = new Interceptor(Optional.of(file), hold, OptionalLong::empty, clock, Set.of(), TestJson.MAPPER);
        NodeContextCache nodeContext = new NodeContextCache((method, params) -> {
            throw new NodeRpcException("no node");
        }, Duration.ofHours(1), clock);
        Capture capture = new Capture(new RefusingStore(), nodeContext, new SeenHtlcs(10), clock, 10);
        return new Hook(new ClnHtlcAccepted(interceptor, capture, new HookStatus(interceptor)), interceptor);
    }
}
