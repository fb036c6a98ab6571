package io.failscope.store;

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
import io.failscope.testing.RandomRecords;
import io.failscope.tlv.Bytes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Records that share channels, peers, hashes, reasons and nodes, so filters and groupings have
 * something to select, and a reference implementation of {@link FailureFilter} to check a store's
 * queries against.
 */
public final class StoreSamples
{
    public static final Instant T0 = Instant.ofEpochSecond(1_755_648_000L); // a midnight UTC
    public static final List<ShortChannelId> CHANNELS = List.of(ShortChannelId.parse("101x1x0"), ShortChannelId.parse("103x1x0"), ShortChannelId.parse("105x2x1"), ShortChannelId.parse("107x3x0"));
    public static final List<NodeId> PEERS = List.of(
            NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb"),
            NodeId.fromHex("0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8"),
            NodeId.fromHex("02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01"));
    public static final List<PaymentHash> HASHES = List.of(
            PaymentHash.fromHex("613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"),
            PaymentHash.fromHex("0000000000000000000000000000000000000000000000000000000000000001"),
            PaymentHash.fromHex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00"));
    public static final List<LocalReason> REASONS = List.of(LocalReason.PEER_OFFLINE, LocalReason.HTLC_MAXIMUM, LocalReason.CHANNEL_BALANCE_OVERDRAWN,
            LocalReason.FEE_INSUFFICIENT, LocalReason.UNKNOWN_NEXT_PEER, LocalReason.TEMPORARY_CHANNEL_FAILURE);

    private StoreSamples() {}

    /** {@code count} records with distinct identities, received over ten days from {@link #T0}. */
    public static List<HtlcFailureRecord> records(int count, long seed)
    {
        RandomRecords random = new RandomRecords(seed);
        Random r = random.random();
        List<HtlcFailureRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LocalReason reason = REASONS.get(r.nextInt(REASONS.size()));
            boolean downstream = r.nextInt(5) == 0;
            long inMsat = 1_000 + r.nextInt(10_000_000);
            HtlcFailureRecord.Builder builder = HtlcFailureRecord.builder()
                    // a second node's records now and then, as in a database that holds several nodes'
                    .nodeId(r.nextInt(5) == 0 ? PEERS.get(1) : PEERS.get(0))
                    .type(r.nextInt(6) == 0 ? FailureType.INTERCEPTED : FailureType.FORWARD)
                    .source(downstream ? FailureSource.DOWNSTREAM : FailureSource.LOCAL)
                    .inChannel(CHANNELS.get(r.nextInt(CHANNELS.size())))
                    .inHtlcId(i)
                    .inMsat(inMsat)
                    .cltvExpiry(800_000 + r.nextInt(1000))
                    .outChannel(CHANNELS.get(r.nextInt(CHANNELS.size())))
                    .inPeer(PEERS.get(r.nextInt(PEERS.size())))
                    .receivedTime(T0.plusSeconds(r.nextInt(10 * 86_400)).plusNanos(r.nextInt(1_000_000_000)));
            if (!downstream) {
                builder.reason(reason.isCanonical()
                        ? RecordedReason.fromCode(reason.fixedCode().orElseThrow().code())
                        : RecordedReason.inferred(FailureReason.of(reason), Evidence.builder().put("requested_msat", inMsat).build()));
                builder.failureData(Bytes.fromHex("0000"));
            }
            if (r.nextBoolean()) {
                builder.outPeer(PEERS.get(r.nextInt(PEERS.size())));
            }
            if (r.nextBoolean()) {
                builder.outMsat(inMsat - 1_000).feeMsat(1_000);
            }
            if (r.nextInt(3) > 0) {
                builder.paymentHash(HASHES.get(r.nextInt(HASHES.size())));
            }
            records.add(builder.build());
        }
        return records;
    }

    /** What the store must return for {@code filter}, worked out in Java. */
    public static boolean matches(FailureFilter filter, HtlcFailureRecord record)
    {
        if (!filter.nodes().isEmpty() && !filter.nodes().contains(record.nodeId())) {
            return false;
        }
        if (!filter.reasons().isEmpty() && (record.reason().isEmpty() || !filter.reasons().contains(record.reason().get().reason().reason()))) {
            return false;
        }
        if (filter.failcode().isPresent() && !record.wireCode().equals(filter.failcode())) {
            return false;
        }
        if (filter.type().isPresent() && filter.type().get() != record.type()) {
            return false;
        }
        if (filter.source().isPresent() && filter.source().get() != record.source()) {
            return false;
        }
        if (filter.inChannel().isPresent() && !filter.inChannel().equals(record.inChannel())) {
            return false;
        }
        if (filter.outChannel().isPresent() && !filter.outChannel().equals(record.outChannel())) {
            return false;
        }
        if (filter.peer().isPresent() && !filter.peer().equals(record.inPeer()) && !filter.peer().equals(record.outPeer())) {
            return false;
        }
        if (filter.paymentHash().isPresent() && !filter.paymentHash().equals(record.paymentHash())) {
            return false;
        }
        if (filter.since().isPresent() && record.receivedTime().isBefore(filter.since().get())) {
            return false;
        }
        if (filter.until().isPresent() && !record.receivedTime().isBefore(filter.until().get())) {
            return false;
        }
        long amount = record.inMsat().isPresent() ? record.inMsat().getAsLong() : record.outMsat().orElse(-1);
        if (filter.minMsat().isPresent() && (amount < 0 || amount < filter.minMsat().getAsLong())) {
            return false;
        }
        return filter.maxMsat().isEmpty() || (amount >= 0 && amount <= filter.maxMsat().getAsLong());
    }
}
