package io.failscope.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.HtlcSeen;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.node.ChannelContext;
import io.failscope.node.NodeContext;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.ReasonSource;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reason the classifier can infer, from realistic Core Lightning payloads: an outgoing channel
 * as {@code listpeerchannels} reports it (the fixture below, changed per row), the node at block
 * 800,000 with cltv-delta 34 and max-dust-htlc-exposure-msat 50,000,000, and an HTLC that came in
 * with 1,001,001 msat expiring at 800,100, asking to forward 1,000,000 msat with CLTV 800,066.
 */
final class TestClassifier
{
    private static final String CHANNEL = """
            {"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8","peer_connected":true,
             "state":"CHANNELD_NORMAL","short_channel_id":"103x1x0","alias":{"local":"5x6x7"},"opener":"local",
             "to_us_msat":5000000,"spendable_msat":4000000,"receivable_msat":1000000,
             "minimum_htlc_out_msat":1000,"maximum_htlc_out_msat":2000000,"dust_limit_msat":546000,
             "fee_base_msat":1000,"fee_proportional_millionths":10,"max_accepted_htlcs":30,
             "their_max_htlc_value_in_flight_msat":10000000,"updates":{"local":{"cltv_expiry_delta":34}},
             "htlcs":[{"direction":"out","amount_msat":2000000,"id":1,"state":"SENT_ADD_ACK_REVOCATION"}]}
            """;

    private static NodeContext context(Map<String, Object> channelChanges)
            throws Exception
    {
        ObjectNode channel = (ObjectNode) TestJson.MAPPER.readTree(CHANNEL);
        channelChanges.forEach((field, value) -> channel.set(field, TestJson.MAPPER.valueToTree(value)));
        Map<ShortChannelId, ChannelContext> channels = new HashMap<>();
        if (!channelChanges.containsKey("absent")) {
            channels.put(ShortChannelId.parse("103x1x0"), ChannelContext.fromListPeerChannels(channel));
        }
        return new NodeContext(Optional.of(NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")), OptionalLong.of(800_000),
                channels, Map.of("cltv-delta", "34", "max-dust-htlc-exposure-msat", "50000000"), Instant.EPOCH);
    }

    private static HtlcFailed event(int failcode)
    {
        return HtlcFailed.builder(FailureType.FORWARD, FailureSource.LOCAL, Instant.ofEpochSecond(1_755_675_000L))
                .inChannel(Optional.of(ShortChannelId.parse("101x1x0")))
                .inHtlcId(OptionalLong.of(7))
                .inMsat(OptionalLong.of(1_001_001))
                .outChannel(Optional.of(ShortChannelId.parse("103x1x0")))
                .failcode(OptionalInt.of(failcode))
                .build();
    }

    private static HtlcSeen htlc(long forwardMsat, long outgoingCltv, long amountMsat)
    {
        return new HtlcSeen(ShortChannelId.parse("101x1x0"), 7, amountMsat, 800_100, OptionalLong.of(forwardMsat), OptionalLong.of(outgoingCltv),
                Optional.of(ShortChannelId.parse("103x1x0")), Optional.empty(), Optional.empty(), OptionalLong.empty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            peer offline                  | 0x1007 | {"peer_connected":false}                          | 1000000    | 800066    | 1001001    | peer_offline                | {"peer_connected":0}
            below the HTLC minimum        | 0x1007 | {"minimum_htlc_out_msat":2000000,"maximum_htlc_out_msat":9000000} | 1000000 | 800066 | 1001001 | htlc_minimum | {"htlc_minimum_msat":2000000,"requested_msat":1000000}
            above the HTLC maximum        | 0x1007 | {"maximum_htlc_out_msat":500000}                  | 1000000    | 800066    | 1001001    | htlc_maximum                | {"htlc_maximum_msat":500000,"requested_msat":1000000}
            range checked before the peer | 0x1007 | {"peer_connected":false,"maximum_htlc_out_msat":500000} | 1000000 | 800066 | 1001001 | htlc_maximum           | {"htlc_maximum_msat":500000,"requested_msat":1000000}
            balance overdrawn             | 0x1007 | {"spendable_msat":800000}                         | 1000000    | 800066    | 1001001    | channel_balance_overdrawn   | {"requested_msat":1000000,"spendable_msat":800000}
            too many HTLCs                | 0x1007 | {"max_accepted_htlcs":1}                          | 1000000    | 800066    | 1001001    | too_many_htlcs              | {"htlcs_in_flight":1,"max_htlcs":1}
            dust exposure                 | 0x1007 | {}                                                | 500000     | 800066    | 501001     | dust_exposure               | {"dust_limit_msat":546000,"max_dust_exposure_msat":50000000,"requested_msat":500000}
            unknown channel               | 0x400a | {"absent":true}                                   | 1000000    | 800066    | 1001001    | unknown_next_peer           | {"channel_known":0}
            channel not ready             | 0x400a | {"state":"CHANNELD_AWAITING_LOCKIN"}              | 1000000    | 800066    | 1001001    | outgoing_channel_not_ready  | {"channel_known":1}
            channel closing               | 0x400a | {"state":"CHANNELD_SHUTTING_DOWN"}                | 1000000    | 800066    | 1001001    | outgoing_channel_closing    | {"channel_known":1}
            fee too low                   | 0x100c | {"fee_base_msat":1000,"fee_proportional_millionths":1000} | 1000000 | 800066 | 1001001 | fee_insufficient   | {"offered_fee_msat":1001,"required_fee_msat":2000}
            CLTV delta too small          | 0x100d | {}                                                | 1000000    | 800080    | 1001001    | incorrect_cltv_expiry       | {"offered_cltv_delta":20,"required_cltv_delta":34}
            CLTV not a height             | 0x100d | {}                                                | 1000000    | 500000000 | 1001001    | outgoing_cltv_invalid       | {"outgoing_cltv_value":500000000}
            outgoing expiry too soon      | 0x100e | {}                                                | 1000000    | 799990    | 1001001    | outgoing_cltv_too_soon      | {"block_height":800000,"outgoing_cltv_value":799990}
            outgoing expiry too far       | 0x0015 | {}                                                | 1000000    | 802100    | 1001001    | cltv_expiry_too_far         | {"block_height":800000,"max_cltv_blocks":2016,"outgoing_cltv_value":802100}
            peer's max in flight exceeded | 0x6003 | {"their_max_htlc_value_in_flight_msat":2500000}   | 1000000    | 800066    | 1001001    | peer_max_in_flight_exceeded | {"in_flight_msat":2000000,"max_in_flight_msat":2500000,"requested_msat":1000000}
            """)
    void infersEachReasonWithItsEvidence(String name, String failcode, String channelChanges, long forwardMsat, long outgoingCltv, long amountMsat, String reason, String evidence)
            throws Exception
    {
        @SuppressWarnings("unchecked")
        Map<String, Object> changes = TestJson.MAPPER.readValue(channelChanges, Map.class);
        RecordedReason classified = Classifier.classify(Integer.decode(failcode), event(Integer.decode(failcode)), Optional.of(htlc(forwardMsat, outgoingCltv, amountMsat)), context(changes));
        assertThat(classified.reason().reason().snakeName()).as(name).isEqualTo(reason);
        assertThat(classified.source()).isEqualTo(ReasonSource.INFERRED);
        assertThat(TestJson.MAPPER.writeValueAsString(classified.evidence().values())).isEqualTo(evidence);
        assertThat(classified.wireCode()).isEqualTo(Integer.decode(failcode));
    }

    @ParameterizedTest(name = "code {0}")
    @CsvSource({"0x1007", "0x100c", "0x100d", "0x100e", "0x0015", "0x6003", "0x2002", "0x4008"})
    void withoutContextTheReasonIsTheCanonicalOneForTheCode(String failcode)
            throws Exception
    {
        NodeContext empty = NodeContext.EMPTY;
        RecordedReason classified = Classifier.classify(Integer.decode(failcode), event(Integer.decode(failcode)), Optional.empty(), empty);
        assertThat(classified).isEqualTo(RecordedReason.fromCode(Integer.decode(failcode)));
    }

    @Test
    void aChannelThatExplainsNothingLeavesTheCanonicalReason()
            throws Exception
    {
        // a healthy channel and an HTLC it could take: temporary_channel_failure stays as the code says
        RecordedReason classified = Classifier.classify(0x1007, event(0x1007), Optional.of(htlc(1_000_000, 800_066, 1_001_001)), context(Map.of()));
        assertThat(classified).isEqualTo(RecordedReason.fromCode(0x1007));
    }

    @Test
    void aSwitchedChannelKeepsTheOnionsChannelAndSaysWhetherItCouldHaveCarriedTheHtlc()
            throws Exception
    {
        // lightningd tried 105x1x0 (most spendable, but a 500,000 msat HTLC maximum) instead of the onion's 103x1x0
        ObjectNode tried = (ObjectNode) TestJson.MAPPER.readTree(CHANNEL);
        tried.put("short_channel_id", "105x1x0").put("spendable_msat", 9_000_000).put("maximum_htlc_out_msat", 500_000).remove("alias");
        NodeContext base = context(Map.of());
        Map<ShortChannelId, ChannelContext> channels = new HashMap<>(base.channels());
        channels.put(ShortChannelId.parse("105x1x0"), ChannelContext.fromListPeerChannels(tried));
        NodeContext context = new NodeContext(base.nodeId(), base.blockHeight(), channels, base.settings(), Instant.EPOCH);
        HtlcFailed failure = HtlcFailed.builder(FailureType.FORWARD, FailureSource.LOCAL, Instant.ofEpochSecond(1_755_675_000L))
                .inChannel(Optional.of(ShortChannelId.parse("101x1x0")))
                .inHtlcId(OptionalLong.of(7))
                .outChannel(Optional.of(ShortChannelId.parse("105x1x0")))
                .failcode(OptionalInt.of(0x1007))
                .build();
        HtlcFailureRecord record = FailureRecords.record(failure, Optional.of(htlc(1_000_000, 800_066, 1_001_001)), context, base.nodeId().orElseThrow());
        assertThat(record.outChannel()).map(Object::toString).contains("105x1x0");
        assertThat(record.requestedOutChannel()).map(Object::toString).contains("103x1x0");
        assertThat(record.reason().orElseThrow().reason().reason().snakeName()).isEqualTo("htlc_maximum");
        assertThat(TestJson.MAPPER.writeValueAsString(record.reason().orElseThrow().evidence().values()))
                .isEqualTo("{\"htlc_maximum_msat\":500000,\"requested_channel_could_carry\":1,\"requested_msat\":1000000}");

        // the onion's own channel could not have carried it either: its spendable is too small
        channels.put(ShortChannelId.parse("103x1x0"), ChannelContext.fromListPeerChannels(((ObjectNode) TestJson.MAPPER.readTree(CHANNEL)).put("spendable_msat", 10)));
        NodeContext poorer = new NodeContext(base.nodeId(), base.blockHeight(), channels, base.settings(), Instant.EPOCH);
        HtlcFailureRecord second = FailureRecords.record(failure, Optional.of(htlc(1_000_000, 800_066, 1_001_001)), poorer, base.nodeId().orElseThrow());
        assertThat(second.reason().orElseThrow().evidence().get("requested_channel_could_carry")).isEqualTo(0);

        // the same channel as the onion's: nothing is added
        HtlcFailureRecord straight = FailureRecords.record(event(0x1007), Optional.of(htlc(1_000_000, 800_066, 1_001_001)), context(Map.of("maximum_htlc_out_msat", 500_000)), base.nodeId().orElseThrow());
        assertThat(straight.requestedOutChannel()).isEmpty();
        assertThat(straight.reason().orElseThrow().evidence().get("requested_channel_could_carry")).isNull();
    }

    @Test
    void theProportionalFeeIsLightningdsFloorWithoutOverflow()
    {
        assertThat(Classifier.proportionalFee(1_000_000, 1000)).isEqualTo(1000);
        assertThat(Classifier.proportionalFee(1_999_999, 1)).isEqualTo(1);
        assertThat(Classifier.proportionalFee(Long.MAX_VALUE / 2, 1_000_000)).isEqualTo(Long.MAX_VALUE / 2);
    }
}
