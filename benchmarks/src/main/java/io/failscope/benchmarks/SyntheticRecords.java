package io.failscope.benchmarks;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.Secp256k1;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Failure records shaped like a busy routing node's: 400 channels with 150 peers, mostly liquidity and
 * offline-peer failures with evidence, a fifth downstream failures, a few policy failures, received over
 * 90 days.
 */
final class SyntheticRecords
{
    static final Instant START = Instant.ofEpochSecond(1_748_736_000L);
    private static final long SPAN_SECONDS = 90L * 86_400;

    private final Random random;
    private final NodeId node;
    private final List<NodeId> peers = new ArrayList<>();
    private final List<ShortChannelId> channels = new ArrayList<>();
    private long htlcId;

    SyntheticRecords(long seed)
    {
        random = new Random(seed);
        node = randomNodeId();
        for (int i = 0; i < 150; i++) {
            peers.add(randomNodeId());
        }
        for (int i = 0; i < 400; i++) {
            channels.add(ShortChannelId.of(700_000 + random.nextInt(200_000), random.nextInt(3000), random.nextInt(4)));
        }
    }

    NodeId node()
    {
        return node;
    }

    List<NodeId> peers()
    {
        return peers;
    }

    List<ShortChannelId> channels()
    {
        return channels;
    }

    HtlcFailureRecord next(long index, long total)
    {
        int in = random.nextInt(channels.size());
        int out = random.nextInt(channels.size());
        long inMsat = 1_000 + (long) (Math.abs(random.nextGaussian()) * 500_000_000L);
        long fee = 1_000 + inMsat / 1_000_000;
        HtlcFailureRecord.Builder builder = HtlcFailureRecord.builder()
                .nodeId(node)
                .type(FailureType.FORWARD)
                .source(FailureSource.LOCAL)
                .inChannel(channels.get(in))
                .inHtlcId(htlcId++)
                .inPeer(peers.get(in % peers.size()))
                .inMsat(inMsat)
                .cltvExpiry(850_000 + random.nextInt(2000))
                .outChannel(channels.get(out))
                .outPeer(peers.get(out % peers.size()))
                .paymentHash(new PaymentHash(Bytes.of(bytes(32))))
                .receivedTime(START.plusMillis(index * SPAN_SECONDS * 1000 / total));
        int kind = random.nextInt(100);
        if (kind < 20) {
            builder.source(FailureSource.DOWNSTREAM).outMsat(inMsat - fee).feeMsat(fee).resolvedTime(START.plusMillis(index * SPAN_SECONDS * 1000 / total + 1500));
        }
        else if (kind < 55) {
            builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.CHANNEL_BALANCE_OVERDRAWN),
                    Evidence.builder().put("spendable_msat", inMsat / 2).put("requested_msat", inMsat - fee).build())).failureData(Bytes.fromHex("0000"));
        }
        else if (kind < 75) {
            builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.PEER_OFFLINE), Evidence.builder().put("peer_connected", 0).build())).failureData(Bytes.fromHex("0000"));
        }
        else if (kind < 85) {
            builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.FEE_INSUFFICIENT),
                    Evidence.builder().put("offered_fee_msat", fee / 2).put("required_fee_msat", fee).build())).failureData(Bytes.fromHex("00000000000f42400000"));
        }
        else if (kind < 92) {
            builder.reason(RecordedReason.fromCode(0x400A));
        }
        else if (kind < 97) {
            builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.HTLC_MAXIMUM),
                    Evidence.builder().put("htlc_maximum_msat", inMsat / 3).put("requested_msat", inMsat - fee).build())).failureData(Bytes.fromHex("0000"));
        }
        else {
            builder.type(FailureType.INTERCEPTED).rule("rate-limit-per-peer")
                    .reason(RecordedReason.fromNode(new FailureReason(LocalReason.POLICY_FAILED, 0x1007))).failureData(Bytes.fromHex("0000"));
        }
        return builder.build();
    }

    private NodeId randomNodeId()
    {
        while (true) {
            byte[] key = bytes(33);
            key[0] = (byte) (random.nextBoolean() ? 2 : 3);
            if (Secp256k1.isValidCompressedPoint(key)) {
                return new NodeId(Bytes.of(key));
            }
        }
    }

    private byte[] bytes(int length)
    {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
