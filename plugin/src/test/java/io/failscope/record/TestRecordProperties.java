package io.failscope.record;

import io.failscope.reason.LocalReason;
import io.failscope.testing.RandomRecords;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.TlvRecord;
import io.failscope.tlv.TlvStream;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * 100,000 cases each, every build. Seeds are fixed so a failure reproduces; set
 * {@code -Dproperty.seed=N} to explore other cases.
 */
final class TestRecordProperties
{
    private static final int CASES = 100_000;
    private static final long SEED = Long.getLong("property.seed", 20261122L);

    @Test
    void anyRecordSurvivesEncodeAndDecode()
            throws DecodeException
    {
        RandomRecords records = new RandomRecords(SEED);
        for (int i = 0; i < CASES; i++) {
            HtlcFailureRecord record = records.next();
            Bytes encoded = RecordCodec.encode(record);
            DecodedRecord decoded = RecordCodec.decode(encoded);
            if (!decoded.record().equals(record)) {
                fail("case " + i + " (seed " + SEED + "): " + encoded.hex() + "\n decoded " + decoded.record() + "\n expected " + record);
            }
            assertThat(decoded.format()).isEqualTo(record.reason().isPresent() ? RecordFormat.V2 : RecordFormat.V1);
        }
    }

    @Test
    void anyRecordWrittenAsV1ReadsBackWithTheCanonicalReasonForItsCode()
            throws DecodeException
    {
        RandomRecords records = new RandomRecords(SEED + 1);
        for (int i = 0; i < CASES; i++) {
            HtlcFailureRecord record = records.next();
            HtlcFailureRecord decoded = RecordCodec.decode(RecordCodec.encode(record, RecordFormat.V1)).record();
            HtlcFailureRecord expected = record.toBuilder()
                    .reason(record.reason().map(reason -> RecordedReason.fromCode(reason.wireCode())))
                    .unknownFields(new UnknownFields(record.unknownFields().topLevel(), List.of()))
                    .build();
            if (!decoded.equals(expected)) {
                fail("case " + i + " (seed " + (SEED + 1) + "):\n decoded " + decoded + "\n expected " + expected);
            }
        }
    }

    @Test
    void randomBytesDecodeToARecordOrADecodeException()
    {
        Random random = new Random(SEED + 2);
        int decodedCount = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (decodeOrReject(bytes, i)) {
                decodedCount++;
            }
        }
        // random bytes almost never form a record: mostly this exercises the rejections
        assertThat(decodedCount).isLessThan(CASES / 10);
    }

    @Test
    void mutatedRecordsDecodeToARecordOrADecodeException()
    {
        RandomRecords records = new RandomRecords(SEED + 3);
        Random random = records.random();
        int decodedCount = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] bytes = RecordCodec.encode(records.next(), random.nextInt(4) == 0 ? RecordFormat.V1 : RecordFormat.V2).toArray();
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                bytes = mutate(bytes, random);
            }
            if (decodeOrReject(bytes, i)) {
                decodedCount++;
            }
        }
        // both outcomes must really occur, or the mutations are too weak or too wild
        assertThat(decodedCount).isBetween(CASES / 100, CASES - CASES / 100);
    }

    /**
     * Decodes {@code bytes}: a record, or a {@link DecodeException}, and nothing else. A record that
     * decodes must encode back to the same bytes (every valid encoding is canonical), unless its reason
     * index is one this version does not know (then it falls back to the canonical reason, by design).
     */
    private static boolean decodeOrReject(byte[] bytes, int caseNumber)
    {
        DecodedRecord decoded;
        try {
            decoded = RecordCodec.decode(bytes);
        }
        catch (DecodeException e) {
            assertThat(e.getMessage()).isNotBlank();
            return false;
        }
        catch (RuntimeException | Error e) {
            throw new AssertionError("case " + caseNumber + ": decoding " + HexFormat.of().formatHex(bytes) + " threw " + e, e);
        }
        byte[] reencoded = RecordCodec.encode(decoded.record(), decoded.format()).toArray();
        if (reasonIndexIsKnown(bytes) && !Arrays.equals(reencoded, bytes)) {
            fail("case " + caseNumber + ": not canonical:\n in  " + HexFormat.of().formatHex(bytes) + "\n out " + HexFormat.of().formatHex(reencoded));
        }
        return true;
    }

    private static boolean reasonIndexIsKnown(byte[] bytes)
    {
        try {
            for (TlvRecord record : TlvStream.decode(bytes, type -> true, "record")) {
                if (record.type() == RecordTypes.REASON) {
                    int index = ((record.value().get(2) & 0xFF) << 8) | (record.value().get(3) & 0xFF);
                    return LocalReason.forIndex(index).isPresent();
                }
            }
            return true;
        }
        catch (DecodeException e) {
            throw new AssertionError("a record that decoded must be a valid stream", e);
        }
    }

    private static byte[] mutate(byte[] bytes, Random random)
    {
        if (bytes.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(bytes.length);
        switch (random.nextInt(6)) {
            case 0 -> {
                byte[] copy = bytes.clone();
                copy[at] ^= (byte) (1 << random.nextInt(8));
                return copy;
            }
            case 1 -> {
                byte[] copy = bytes.clone();
                copy[at] = (byte) random.nextInt(256);
                return copy;
            }
            case 2 -> {
                byte[] copy = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, copy, 0, at);
                copy[at] = (byte) random.nextInt(256);
                System.arraycopy(bytes, at, copy, at + 1, bytes.length - at);
                return copy;
            }
            case 3 -> {
                byte[] copy = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, copy, 0, at);
                System.arraycopy(bytes, at + 1, copy, at, bytes.length - at - 1);
                return copy;
            }
            case 4 -> {
                return Arrays.copyOf(bytes, at);
            }
            default -> {
                // append a random odd or even record at the end
                byte[] tail = {(byte) (random.nextInt(200) + 40), (byte) random.nextInt(3), (byte) random.nextInt(256), (byte) random.nextInt(256)};
                byte[] copy = Arrays.copyOf(bytes, bytes.length + 2 + (tail[1] & 0xFF));
                System.arraycopy(tail, 0, copy, bytes.length, 2 + (tail[1] & 0xFF));
                return copy;
            }
        }
    }
}
