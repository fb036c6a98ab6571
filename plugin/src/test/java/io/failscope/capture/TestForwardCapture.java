package io.failscope.capture;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.node.NodeContext;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.rpc.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

final class TestForwardCapture
{
    private static final NodeContext CONTEXT = new NodeContext(Optional.of(NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")),
            OptionalLong.of(800_000), Map.of(), Map.of(), Instant.EPOCH);

    private static ForwardEvent event(String json)
            throws Exception
    {
        return ForwardEvent.fromNotification(Json.MAPPER.readTree("{\"forward_event\":" + json + "}")).orElseThrow();
    }

    @Test
    void anOnionThatCouldNotBeReadIsAnInvalidOnionFailure()
            throws Exception
    {
        // before the hook: no out_channel, no style (cln-plugin-protocol.md §6.1)
        HtlcFailureRecord record = ForwardCapture.record(event("""
                {"created_index":3,"in_channel":"101x1x0","in_htlc_id":9,"in_msat":1000,"status":"local_failed","failcode":49157,
                 "failreason":"WIRE_INVALID_ONION_HMAC","received_time":1755675000.5}"""), Optional.empty(), CONTEXT);
        assertThat(record.type()).isEqualTo(FailureType.INVALID_ONION);
        assertThat(record.source()).isEqualTo(FailureSource.LOCAL);
        assertThat(record.reason().orElseThrow().reason().reason()).isEqualTo(LocalReason.INVALID_ONION_HMAC);
        assertThat(record.outChannel()).isEmpty();
        assertThat(record.receivedTime()).isEqualTo(Instant.ofEpochSecond(1_755_675_000L, 500_000_000));
    }

    @Test
    void aMalformedDownstreamFailureKeepsItsCodeAsDownstream()
            throws Exception
    {
        HtlcFailureRecord record = ForwardCapture.record(event("""
                {"in_channel":"101x1x0","in_htlc_id":9,"out_channel":"103x1x0","in_msat":2000,"out_msat":1000,"fee_msat":1000,"status":"failed",
                 "failcode":49156,"style":"tlv","received_time":1755675000,"resolved_time":1755675001,"unknown_new_field":[1]}"""), Optional.empty(), CONTEXT);
        assertThat(record.type()).isEqualTo(FailureType.FORWARD);
        assertThat(record.source()).isEqualTo(FailureSource.DOWNSTREAM);
        assertThat(record.wireCode()).hasValue(0xC004);
        assertThat(record.feeMsat()).hasValue(1000);
    }

    @Test
    void otherStatusesAndUnreadableEventsAreNotFailures()
            throws Exception
    {
        assertThat(ForwardEvent.fromNotification(Json.MAPPER.readTree("{\"forward_event\":{\"in_channel\":\"101x1x0\",\"in_htlc_id\":1,\"status\":\"offered\",\"received_time\":1}}"))).isEmpty();
        assertThat(ForwardEvent.fromNotification(Json.MAPPER.readTree("{\"forward_event\":{\"in_channel\":\"nope\",\"in_htlc_id\":1,\"status\":\"failed\",\"received_time\":1}}"))).isEmpty();
        assertThat(ForwardEvent.fromNotification(Json.MAPPER.readTree("{\"something_else\":{}}"))).isEmpty();
        assertThat(ForwardEvent.fromNotification(null)).isEmpty();
    }

    @Test
    void theJoinTableForgetsTheOldestWhenFull()
    {
        AcceptedHtlcs table = new AcceptedHtlcs(2);
        for (int id = 1; id <= 3; id++) {
            table.put(new AcceptedHtlc(ShortChannelId.parse("101x1x0"), id, 1000, 800_100, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        }
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.get(ShortChannelId.parse("101x1x0"), 1)).isEmpty();
        assertThat(table.get(ShortChannelId.parse("101x1x0"), 3)).isPresent();
        assertThat(AcceptedHtlc.fromHook(Json.MAPPER.createObjectNode())).isEmpty();
    }
}
