package io.failscope.testing;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.record.UnknownFields;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.Secp256k1;
import io.failscope.tlv.TlvRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** Random but valid HTLC failure records, for property tests and benchmarks. */
public final class RandomRecords
{
    private static final String RULE_CHARACTERS = "abcdefghijklmnopqrstuvwxyz-_0123456789 äöüéñ日本語⚡";
    private static final String[] EVIDENCE_NAMES = {"required_fee_msat", "offered_fee_msat", "spendable_msat", "requested_msat", "htlc_minimum_msat", "htlc_maximum_msat", "block_height", "outgoing_cltv_value", "cltv_delta", "htlcs_in_flight"};

    private final Random random;
    private final List<NodeId> nodeIds = new ArrayList<>();

    public RandomRecords(long seed)
    {
        this.random = new Random(seed);
        while (nodeIds.size() < 4) {
            byte[] key = randomBytes(33);
            key[0] = (byte) (random.nextBoolean() ? 0x02 : 0x03);
            if (Secp256k1.isValidCompressedPoint(key)) {
                nodeIds.add(new NodeId(Bytes.of(key)));
            }
        }
    }

    public Random random()
    {
        return random;
    }

    public HtlcFailureRecord next()
    {
        FailureSource source = random.nextInt(4) == 0 ? FailureSource.DOWNSTREAM : FailureSource.LOCAL;
        HtlcFailureRecord.Builder builder = HtlcFailureRecord.builder()
                .nodeId(nodeIds.get(random.nextInt(nodeIds.size())))
                .type(pick(FailureType.values()))
                .source(source)
                .receivedTime(Instant.ofEpochSecond(1_500_000_000L + random.nextInt(400_000_000), random.nextInt(1_000_000_000)));
        boolean hasReason = source == FailureSource.LOCAL || random.nextBoolean();
        if (hasReason) {
            builder.reason(reason());
            if (random.nextBoolean()) {
                builder.failureData(Bytes.of(randomBytes(1 + random.nextInt(40))));
            }
        }
        if (random.nextInt(5) > 0) {
            builder.inChannel(new ShortChannelId(random.nextLong())).inHtlcId(amount()).inMsat(amount()).cltvExpiry(random.nextInt() & 0xFFFF_FFFFL);
        }
        if (random.nextBoolean()) {
            builder.outChannel(new ShortChannelId(random.nextLong()));
            if (random.nextInt(6) == 0) {
                builder.requestedOutChannel(new ShortChannelId(random.nextLong()));
            }
        }
        if (random.nextBoolean()) {
            builder.inPeer(nodeIds.get(random.nextInt(nodeIds.size())));
        }
        if (random.nextBoolean()) {
            builder.outPeer(nodeIds.get(random.nextInt(nodeIds.size())));
        }
        if (random.nextBoolean()) {
            builder.outMsat(amount()).feeMsat(amount());
        }
        if (random.nextInt(4) > 0) {
            builder.paymentHash(new PaymentHash(Bytes.of(randomBytes(32))));
        }
        if (random.nextBoolean()) {
            builder.resolvedTime(Instant.ofEpochSecond(1_500_000_000L + random.nextInt(400_000_000), random.nextInt(1_000_000_000)));
        }
        if (random.nextInt(3) == 0) {
            builder.rule(rule());
        }
        if (random.nextBoolean()) {
            builder.createdIndex(amount());
        }
        if (random.nextInt(8) == 0) {
            builder.unknownFields(new UnknownFields(oddRecords(1001, 1 << 20), hasReason ? oddRecords(1, 1 << 16) : List.of()));
        }
        return builder.build();
    }

    public RecordedReason reason()
    {
        LocalReason reason = pick(LocalReason.values());
        int code = reason.fixedCode().map(fixed -> fixed.code()).orElseGet(() -> random.nextInt(0x10000));
        ReasonSource reasonSource = pick(ReasonSource.values());
        Evidence evidence = Evidence.NONE;
        if (reasonSource != ReasonSource.CODE && random.nextBoolean()) {
            Evidence.Builder builder = Evidence.builder();
            int count = 1 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                builder.put(pick(EVIDENCE_NAMES), random.nextBoolean() ? amount() : random.nextLong());
            }
            evidence = builder.build();
        }
        return new RecordedReason(new FailureReason(reason, code), reasonSource, evidence);
    }

    private List<TlvRecord> oddRecords(long from, long range)
    {
        TreeSet<Long> types = new TreeSet<>();
        int count = 1 + random.nextInt(3);
        while (types.size() < count) {
            types.add((from + random.nextInt((int) range)) | 1);
        }
        List<TlvRecord> records = new ArrayList<>();
        for (long type : types) {
            records.add(new TlvRecord(type, Bytes.of(randomBytes(random.nextInt(12)))));
        }
        return records;
    }

    private long amount()
    {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(1000);
            case 1 -> random.nextInt(Integer.MAX_VALUE);
            case 2 -> random.nextLong() & Long.MAX_VALUE;
            default -> 0;
        };
    }

    private String rule()
    {
        StringBuilder rule = new StringBuilder();
        int length = 1 + random.nextInt(24);
        for (int i = 0; i < length; i++) {
            rule.append(RULE_CHARACTERS.charAt(random.nextInt(RULE_CHARACTERS.length())));
        }
        return rule.toString();
    }

    public byte[] randomBytes(int length)
    {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private <T> T pick(T[] values)
    {
        return values[random.nextInt(values.length)];
    }
}
