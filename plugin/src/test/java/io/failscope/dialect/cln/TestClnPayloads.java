package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.HtlcSeen;
import io.failscope.NodeId;
import io.failscope.capture.FailureRecords;
import io.failscope.capture.HtlcFailed;
import io.failscope.node.NodeContext;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

final class TestClnPayloads
{
    private static final NodeContext CONTEXT = new NodeContext(Optional.of(NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")),
            OptionalLong.of(800_000), Map.of(), Map.of(), Instant.EPOCH);

    private static final NodeId NODE = CONTEXT.nodeId().orElseThrow();

    private static HtlcFailed event(String json)
            throws Exception
    {
        return ClnPayloads.forwardFailure(TestJson.MAPPER.readTree("{\"forward_event\":" + json + "}")).orElseThrow();
    }

    private static Optional<HtlcFailureRecord> sendRecord(JsonNode params)
    {
        return ClnPayloads.sendpayFailure(params).map(failure -> FailureRecords.record(failure, Optional.empty(), CONTEXT, NODE));
    }

    @Test
    void anOnionThatCouldNotBeReadIsAnInvalidOnionFailure()
            throws Exception
    {
        // before the hook: no out_channel, no style (cln-plugin-protocol.md §6.1)
        HtlcFailureRecord record = FailureRecords.record(event("""
                {"created_index":3,"in_channel":"101x1x0","in_htlc_id":9,"in_msat":1000,"status":"local_failed","failcode":49157,
                 "failreason":"WIRE_INVALID_ONION_HMAC","received_time":1755675000.5}"""), Optional.empty(), CONTEXT, NODE);
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
        HtlcFailureRecord record = FailureRecords.record(event("""
                {"in_channel":"101x1x0","in_htlc_id":9,"out_channel":"103x1x0","in_msat":2000,"out_msat":1000,"fee_msat":1000,"status":"failed",
                 "failcode":49156,"style":"tlv","received_time":1755675000,"resolved_time":1755675001,"unknown_new_field":[1]}"""), Optional.empty(), CONTEXT, NODE);
        assertThat(record.type()).isEqualTo(FailureType.FORWARD);
        assertThat(record.source()).isEqualTo(FailureSource.DOWNSTREAM);
        assertThat(record.wireCode()).hasValue(0xC004);
        assertThat(record.feeMsat()).hasValue(1000);
    }

    @Test
    void otherStatusesAndUnreadableEventsAreNotFailures()
            throws Exception
    {
        assertThat(ClnPayloads.forwardFailure(TestJson.MAPPER.readTree("{\"forward_event\":{\"in_channel\":\"101x1x0\",\"in_htlc_id\":1,\"status\":\"offered\",\"received_time\":1}}"))).isEmpty();
        assertThat(ClnPayloads.forwardFailure(TestJson.MAPPER.readTree("{\"forward_event\":{\"in_channel\":\"nope\",\"in_htlc_id\":1,\"status\":\"failed\",\"received_time\":1}}"))).isEmpty();
        assertThat(ClnPayloads.forwardFailure(TestJson.MAPPER.readTree("{\"something_else\":{}}"))).isEmpty();
        assertThat(ClnPayloads.forwardFailure(null)).isEmpty();
    }

    @Test
    void aLocalSendFailureTakesTheNodesOwnWordsForItsReason()
            throws Exception
    {
        HtlcFailureRecord record = sendRecord(TestJson.MAPPER.readTree("""
                {"sendpay_failure":{"code":204,"message":"failed: WIRE_TEMPORARY_CHANNEL_FAILURE (WIRE_TEMPORARY_CHANNEL_FAILURE: Too many HTLCs)",
                 "data":{"created_index":4,"id":41,"payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee","groupid":1,
                 "amount_sent_msat":5000000,"created_at":1755675000,"completed_at":1755675001,"status":"failed","erring_index":0,"failcode":4103,
                 "failcodename":"WIRE_TEMPORARY_CHANNEL_FAILURE","erring_node":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8",
                 "erring_channel":"103x1x0","erring_direction":1}}}""")).orElseThrow();
        assertThat(record.type()).isEqualTo(FailureType.SEND);
        assertThat(record.source()).isEqualTo(FailureSource.LOCAL);
        assertThat(record.sendId()).hasValue(41);
        assertThat(record.reason().orElseThrow().reason().reason()).isEqualTo(LocalReason.TOO_MANY_HTLCS);
        assertThat(record.reason().orElseThrow().source()).isEqualTo(ReasonSource.NODE);
        assertThat(record.outChannel()).map(Object::toString).contains("103x1x0");
        assertThat(record.outMsat()).hasValue(5_000_000);
        assertThat(ClnPayloads.ownWords(0x1007, "failed: something else")).isEqualTo(RecordedReason.fromCode(0x1007));
        // words that do not fit the code are not believed
        assertThat(ClnPayloads.ownWords(0x2002, "Too many HTLCs")).isEqualTo(RecordedReason.fromCode(0x2002));
    }

    @Test
    void aDownstreamSendFailureKeepsTheDecryptedCode()
            throws Exception
    {
        HtlcFailureRecord record = sendRecord(TestJson.MAPPER.readTree("""
                {"sendpay_failure":{"code":203,"message":"failed: WIRE_INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS",
                 "data":{"id":42,"created_at":1755675000.5,"status":"failed","erring_index":3,"failcode":16399}}}""")).orElseThrow();
        assertThat(record.source()).isEqualTo(FailureSource.DOWNSTREAM);
        assertThat(record.reason().orElseThrow().reason().reason()).isEqualTo(LocalReason.INCORRECT_PAYMENT_DETAILS);
        assertThat(sendRecord(TestJson.MAPPER.readTree("{\"sendpay_failure\":{\"data\":{\"created_at\":1}}}"))).isEmpty();
        assertThat(sendRecord(null)).isEmpty();
    }

    @Test
    void aPeerIdThatIsNotAKeyIsLeftOutAndTheRecordStillDecodes()
            throws Exception
    {
        HtlcSeen htlc = ClnPayloads.htlcSeen(TestJson.MAPPER.readTree("""
                {"peer_id":"020303030303030303030303030303030303030303030303030303030303030303",
                 "onion":{"payload":"00","short_channel_id":"103x1x0","forward_msat":1000000,"outgoing_cltv_value":800066},
                 "htlc":{"short_channel_id":"101x1x0","id":7,"amount_msat":1001001,"cltv_expiry":800100,
                         "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"}}""")).orElseThrow();
        assertThat(htlc.peerId()).isEmpty();
        assertThat(htlc.forwardMsat()).hasValue(1_000_000);
    }
}
