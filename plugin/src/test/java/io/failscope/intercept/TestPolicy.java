package io.failscope.intercept;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

final class TestPolicy
{
    private static final String PEER = "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8";

    @Test
    void theExamplePolicyParses()
            throws Exception
    {
        Policy policy = Interceptor.load(Path.of("..", "config", "policy.example.json"), TestJson.MAPPER);
        assertThat(policy.rules()).extracting(PolicyRule::name).containsExactly("no-probes-from-noisy-peer", "rate-limit-any-peer",
                "keep-closing-channel-quiet", "try-a-tighter-cltv-floor", "reject-bad-custom-record", "everything-else");
        assertThat(policy.rules().get(3).dryRun()).isTrue();
        assertThat(policy.rules().get(5).action()).isEqualTo(PolicyRule.Action.CONTINUE);
    }

    @Test
    void aBadFileListsEveryProblemWithItsPlace()
            throws Exception
    {
        PolicyException e = catchThrowableOfType(() -> Policy.parse(TestJson.MAPPER.readTree("""
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
    void aProblemQuotesAtMostAHundredCharactersOfTheValue()
            throws Exception
    {
        String huge = "w".repeat(100_000);
        PolicyException e = catchThrowableOfType(() -> Policy.parse(TestJson.MAPPER.readTree(
                "{\"rules\":[{\"name\":\"a\",\"action\":\"" + huge + "\",\"dry_run\":[\"" + huge + "\"],\"match\":{\"in_channel\":\"" + huge + "\",\"min_msat\":\"" + huge + "\"}}]}")),
                PolicyException.class);
        assertThat(e.problems()).hasSize(4).allSatisfy(problem -> assertThat(problem).hasSizeLessThan(200));

        // a decimal is not a TLV type (it was taken as its whole part)
        e = catchThrowableOfType(() -> Policy.parse(TestJson.MAPPER.readTree(
                "{\"rules\":[{\"name\":\"a\",\"action\":\"fail\",\"code\":\"invalid_onion_payload\",\"onion_type\":1.5,\"onion_offset\":0}]}")),
                PolicyException.class);
        assertThat(e.problems()).containsExactly("rules[0]: onion_type (a number) and onion_offset (0 to 65535) only go with invalid_onion_payload");
    }

    @Test
    void indexingRulesByChannelKeepsTheFileOrder()
            throws Exception
    {
        Policy policy = Policy.parse(TestJson.MAPPER.readTree("""
                {"rules":[
                  {"name":"any-big","match":{"min_msat":100000},"action":"fail","code":"temporary_node_failure"},
                  {"name":"on-101","match":{"in_channel":"101x1x0"},"action":"fail","code":"unknown_next_peer"},
                  {"name":"rest","action":"continue"}
                ]}"""));
        assertThat(policy.candidates(ShortChannelId.parse("101x1x0"))).containsExactly(0, 1, 2);
        assertThat(policy.candidates(ShortChannelId.parse("999x1x0"))).containsExactly(0, 2);
    }

    @Test
    void theRateWindowForgetsHtlcsOlderThanAMinute()
    {
        RateCounter counter = new RateCounter();
        Optional<NodeId> peer = Optional.of(NodeId.fromHex(PEER));
        assertThat(counter.record(peer, 1_000)).isEqualTo(1);
        assertThat(counter.record(peer, 30_000)).isEqualTo(2);
        assertThat(counter.record(peer, 60_999)).as("the first is 59.999 s old: still counted").isEqualTo(3);
        assertThat(counter.record(peer, 90_000)).as("the first two are a minute old or more").isEqualTo(2);
    }

}
