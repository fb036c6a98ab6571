package io.failscope.store.sqlite;

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
import io.failscope.record.UnknownFields;
import io.failscope.store.RetentionConfig;
import io.failscope.store.WriteOutcome;
import io.failscope.testing.RandomRecords;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.TlvRecord;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Writes {@code databases/schema-v5.sqlite3}, the test database of the store's first layout (schema
 * version 5: one row per record with the whole TLV record as a blob). It was run once, with the store
 * of that layout, and its output checked in next to it; later layouts must open and migrate that file.
 * Run again today it would write the current layout, so the checked-in file is the reference, not this.
 *
 * <p>The records are varied on purpose: three node ids, every failure type and source, reasons from
 * the node, inferred with evidence and from a bare code, downstream failures without a reason, our own
 * payments (send ids), unknown odd fields at the top level and inside the reason, rule names in any
 * script, replays and richer updates (so some rows have an updated index), and random records from
 * {@link RandomRecords} with amounts kept below 2^42 msat so the old daily totals stay exact.
 *
 * <pre>java -cp ... io.failscope.store.V2EraDatabase OUTPUT_DIRECTORY</pre>
 */
public final class V2EraDatabase
{
    static final int INSERTS = 10_500;
    private static final long AMOUNT_BOUND = 1L << 42;
    private static final Instant START = Instant.ofEpochSecond(1_751_328_000L);

    private V2EraDatabase() {}

    /** Copies the checked-in database into {@code directory} and returns each record's blob by created index. */
    static Map<Long, byte[]> copyTo(Path directory)
            throws Exception
    {
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        try (InputStream in = V2EraDatabase.class.getResourceAsStream("/databases/schema-v5.sqlite3")) {
            Files.copy(in, file);
        }
        Map<Long, byte[]> blobs = new HashMap<>();
        try (Connection connection = Database.connect(file); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT created_index, record FROM htlc_failures")) {
            while (rows.next()) {
                blobs.put(rows.getLong(1), rows.getBytes(2));
            }
        }
        return blobs;
    }

    public static void main(String[] args)
            throws Exception
    {
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        RandomRecords randomRecords = new RandomRecords(2026);
        Random random = randomRecords.random();
        List<NodeId> nodes = new ArrayList<>();
        List<NodeId> peers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            HtlcFailureRecord sample = randomRecords.next();
            (i < 3 ? nodes : peers).add(sample.nodeId());
        }
        List<ShortChannelId> channels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            channels.add(ShortChannelId.of(800_000 + random.nextInt(90_000), random.nextInt(3000), random.nextInt(3)));
        }
        List<HtlcFailureRecord> written = new ArrayList<>();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            List<CompletableFuture<WriteOutcome>> futures = new ArrayList<>();
            long[] htlcIds = new long[channels.size()];
            long sendId = 1;
            for (int i = 0; i < INSERTS; i++) {
                HtlcFailureRecord record;
                int kind = random.nextInt(100);
                if (kind < 15) {
                    record = bounded(randomRecords.next());
                }
                else if (kind < 23) {
                    record = send(random, randomRecords, nodes, peers, channels, sendId++, i);
                }
                else {
                    int in = random.nextInt(channels.size());
                    record = routed(random, randomRecords, nodes, peers, channels, in, htlcIds[in]++, i);
                }
                written.add(record);
                futures.add(store.submit(record));
                // a replay (nothing new) or a richer event (resolved later) of an earlier HTLC
                if (random.nextInt(25) == 0 && !written.isEmpty()) {
                    HtlcFailureRecord earlier = written.get(random.nextInt(written.size()));
                    futures.add(store.submit(random.nextBoolean() ? earlier : earlier.toBuilder().resolvedTime(earlier.receivedTime().plusMillis(1 + random.nextInt(5000))).build()));
                }
            }
            futures.forEach(CompletableFuture::join);
        }
        // one file, no WAL beside it
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(SqliteFailureStore.FILE_NAME));
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode = DELETE");
            statement.execute("VACUUM");
        }
    }

    private static HtlcFailureRecord routed(Random random, RandomRecords randomRecords, List<NodeId> nodes, List<NodeId> peers, List<ShortChannelId> channels, int in, long htlcId, int i)
    {
        FailureType[] types = {FailureType.FORWARD, FailureType.FORWARD, FailureType.FORWARD, FailureType.INVALID_FORWARD, FailureType.INVALID_ONION, FailureType.RECEIVE, FailureType.INTERCEPTED};
        FailureType type = types[random.nextInt(types.length)];
        boolean downstream = type == FailureType.FORWARD && random.nextInt(5) == 0;
        int out = random.nextInt(channels.size());
        long inMsat = 1 + (long) (Math.abs(random.nextGaussian()) * 200_000_000L);
        long fee = 1_000 + inMsat / 1_000_000;
        HtlcFailureRecord.Builder builder = HtlcFailureRecord.builder()
                .nodeId(nodes.get(i % 7 == 0 ? 1 + random.nextInt(2) : 0))
                .type(type)
                .source(downstream ? FailureSource.DOWNSTREAM : FailureSource.LOCAL)
                .inChannel(channels.get(in))
                .inHtlcId(htlcId)
                .inPeer(peers.get(in % peers.size()))
                .inMsat(inMsat)
                .cltvExpiry(880_000 + random.nextInt(3000))
                .receivedTime(START.plusSeconds(i * 160L).plusNanos(random.nextInt(1_000_000_000)));
        if (random.nextInt(4) > 0) {
            builder.paymentHash(new PaymentHash(Bytes.of(randomRecords.randomBytes(32))));
        }
        if (type == FailureType.FORWARD || type == FailureType.INTERCEPTED) {
            builder.outChannel(channels.get(out)).outPeer(peers.get(out % peers.size())).outMsat(inMsat - fee).feeMsat(fee);
        }
        if (downstream) {
            builder.resolvedTime(START.plusSeconds(i * 160L + 2));
            return builder.build();
        }
        switch (type) {
            case FORWARD -> {
                switch (random.nextInt(4)) {
                    case 0 -> builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.CHANNEL_BALANCE_OVERDRAWN),
                            Evidence.builder().put("spendable_msat", inMsat / 2).put("requested_msat", inMsat - fee).build())).failureData(Bytes.fromHex("0000"));
                    case 1 -> builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.PEER_OFFLINE), Evidence.builder().put("peer_connected", 0).build()));
                    case 2 -> builder.reason(RecordedReason.inferred(FailureReason.of(LocalReason.FEE_INSUFFICIENT),
                            Evidence.builder().put("offered_fee_msat", fee / 2).put("required_fee_msat", fee).build())).failureData(Bytes.fromHex("00000000000f42400000"));
                    default -> builder.reason(RecordedReason.fromCode(0x1007));
                }
            }
            case INVALID_FORWARD -> builder.reason(RecordedReason.fromCode(0x400A));
            case INVALID_ONION -> builder.reason(RecordedReason.fromCode(0xC005)).failureData(Bytes.of(randomRecords.randomBytes(32)));
            case RECEIVE -> builder.reason(RecordedReason.fromNode(FailureReason.of(LocalReason.INCORRECT_PAYMENT_DETAILS))).failureData(Bytes.fromHex("0000000000989680000d5d32"));
            case INTERCEPTED -> builder.rule(random.nextBoolean() ? "no-probes" : "hold ⚡ large").reason(RecordedReason.fromNode(new FailureReason(LocalReason.POLICY_FAILED, 0x2002)));
            case SEND -> throw new IllegalStateException("routed records are not sends");
        }
        if (random.nextInt(20) == 0) {
            // a field of a newer writer, at the top level and in the reason's tail
            builder.unknownFields(new UnknownFields(List.of(new TlvRecord(1001, Bytes.of(randomRecords.randomBytes(random.nextInt(9))))), List.of(new TlvRecord(3, Bytes.fromHex("07")))));
        }
        return builder.build();
    }

    private static HtlcFailureRecord send(Random random, RandomRecords randomRecords, List<NodeId> nodes, List<NodeId> peers, List<ShortChannelId> channels, long sendId, int i)
    {
        HtlcFailureRecord.Builder builder = HtlcFailureRecord.builder()
                .nodeId(nodes.get(0))
                .type(FailureType.SEND)
                .source(random.nextBoolean() ? FailureSource.DOWNSTREAM : FailureSource.LOCAL)
                .sendId(sendId)
                .outChannel(channels.get(random.nextInt(channels.size())))
                .outPeer(peers.get(random.nextInt(peers.size())))
                .outMsat(1 + random.nextInt(500_000_000))
                .paymentHash(new PaymentHash(Bytes.of(randomRecords.randomBytes(32))))
                .receivedTime(START.plusSeconds(i * 160L + 7));
        builder.reason(random.nextBoolean() ? RecordedReason.fromCode(0x400F) : RecordedReason.fromNode(FailureReason.of(LocalReason.TEMPORARY_CHANNEL_FAILURE)));
        return builder.build();
    }

    /** A random record with its amounts below {@link #AMOUNT_BOUND}, so that sums of thousands fit a long. */
    private static HtlcFailureRecord bounded(HtlcFailureRecord record)
    {
        HtlcFailureRecord.Builder builder = record.toBuilder();
        record.inMsat().ifPresent(msat -> builder.inMsat(msat % AMOUNT_BOUND));
        record.outMsat().ifPresent(msat -> builder.outMsat(msat % AMOUNT_BOUND));
        record.feeMsat().ifPresent(msat -> builder.feeMsat(msat % AMOUNT_BOUND));
        return builder.build();
    }
}
