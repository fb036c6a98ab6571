package io.failscope.record;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.TlvRecord;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records behind the golden files in {@code src/test/resources/golden/}: what each file must
 * decode to. The files were written once by the format version they are named after and are never
 * rewritten; a change that breaks one breaks every database written before it.
 */
final class GoldenRecords
{
    static final NodeId NODE = NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb");
    static final PaymentHash HASH = PaymentHash.fromHex("613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee");
    static final Instant RECEIVED = Instant.ofEpochSecond(1755675000L, 123456789);
    static final Instant RESOLVED = Instant.ofEpochSecond(1755675003L, 250000000);

    private GoldenRecords() {}

    private static HtlcFailureRecord.Builder forward()
    {
        return HtlcFailureRecord.builder()
                .nodeId(NODE)
                .type(FailureType.FORWARD)
                .source(FailureSource.LOCAL)
                .inChannel(ShortChannelId.parse("101x1x0"))
                .inHtlcId(7)
                .inMsat(1_001_001)
                .cltvExpiry(431)
                .outChannel(ShortChannelId.parse("103x1x0"))
                .paymentHash(HASH)
                .receivedTime(RECEIVED)
                .createdIndex(42);
    }

    /** Records as format v1 wrote them: the reason is always the canonical one for the code. */
    static Map<String, HtlcFailureRecord> v1()
    {
        Map<String, HtlcFailureRecord> records = new LinkedHashMap<>();
        records.put("local-temporary-channel-failure", forward()
                .reason(RecordedReason.fromCode(0x1007))
                .failureData(Bytes.fromHex("0000"))
                .build());
        records.put("downstream-without-code", forward()
                .source(FailureSource.DOWNSTREAM)
                .outMsat(1_000_000)
                .feeMsat(1_001)
                .resolvedTime(RESOLVED)
                .build());
        records.put("downstream-malformed", forward()
                .source(FailureSource.DOWNSTREAM)
                .reason(RecordedReason.fromCode(0xC005))
                .failureData(Bytes.fromHex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"))
                .outMsat(1_000_000)
                .feeMsat(1_001)
                .resolvedTime(RESOLVED)
                .build());
        records.put("intercepted-by-rule", forward()
                .type(FailureType.INTERCEPTED)
                .reason(RecordedReason.fromCode(0x400F))
                .failureData(Bytes.fromHex("00000000000f4240000c3500"))
                .rule("no-probes-from-peer-β")
                .build());
        records.put("send-unknown-code", HtlcFailureRecord.builder()
                .nodeId(NODE)
                .type(FailureType.SEND)
                .source(FailureSource.DOWNSTREAM)
                .reason(RecordedReason.fromCode(0x5555))
                .outChannel(ShortChannelId.parse("103x1x0"))
                .outMsat(5_000_000)
                .paymentHash(HASH)
                .receivedTime(RECEIVED)
                .resolvedTime(RESOLVED)
                .build());
        return records;
    }

    /** Records as format v2 writes them. */
    static Map<String, HtlcFailureRecord> v2()
    {
        Map<String, HtlcFailureRecord> records = new LinkedHashMap<>();
        records.put("inferred-htlc-maximum", forward()
                .reason(RecordedReason.inferred(FailureReason.of(LocalReason.HTLC_MAXIMUM), Evidence.builder()
                        .put("htlc_maximum_msat", 500_000)
                        .put("requested_msat", 1_000_000)
                        .build()))
                .failureData(Bytes.fromHex("0000"))
                .build());
        records.put("inferred-fee-insufficient", forward()
                .reason(RecordedReason.inferred(FailureReason.of(LocalReason.FEE_INSUFFICIENT), Evidence.builder()
                        .put("offered_fee_msat", 1_001)
                        .put("required_fee_msat", 2_000)
                        .build()))
                .failureData(Bytes.fromHex("00000000000f47290000"))
                .build());
        records.put("policy-failed", forward()
                .type(FailureType.INTERCEPTED)
                .reason(new RecordedReason(new FailureReason(LocalReason.POLICY_FAILED, 0x100C), ReasonSource.NODE, Evidence.NONE))
                .failureData(Bytes.fromHex("00000000000f47290000"))
                .rule("fee-floor")
                .build());
        records.put("node-reported-dust", forward()
                .reason(RecordedReason.fromNode(FailureReason.of(LocalReason.DUST_LIMIT_HOLDER)))
                .failureData(Bytes.fromHex("0000"))
                .build());
        records.put("code-only-unknown-failure-code", forward()
                .reason(RecordedReason.fromCode(0x5555))
                .build());
        records.put("downstream-without-code", forward()
                .source(FailureSource.DOWNSTREAM)
                .outMsat(1_000_000)
                .feeMsat(1_001)
                .resolvedTime(RESOLVED)
                .build());
        records.put("unknown-odd-fields", forward()
                .reason(RecordedReason.inferred(FailureReason.of(LocalReason.PEER_OFFLINE), Evidence.builder().put("peer_connected", 0).build()))
                .failureData(Bytes.fromHex("0000"))
                .unknownFields(new UnknownFields(
                        List.of(new TlvRecord(39, Bytes.fromHex("cafe")), new TlvRecord(65537, Bytes.fromHex("0102030405"))),
                        List.of(new TlvRecord(1, Bytes.fromHex("ff")), new TlvRecord(3, Bytes.EMPTY))))
                .build());
        return records;
    }
}
