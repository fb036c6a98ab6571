package io.failscope.record;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.failscope.reason.LocalReason;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.TlvRecord;
import io.failscope.tlv.TlvStream;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target of the record codec (docs/fuzzing.md): any bytes decode to a record or give a
 * {@link DecodeException}, nothing else; a record that decodes encodes back, in the format it was read
 * in, to the same bytes (every valid encoding is canonical, {@link RecordCodec}) — except when its reason
 * index is one this version does not know, which falls back to the canonical reason by design
 * (docs/record-format.md). Seeds: the golden records of every format.
 */
final class TestFuzzRecordCodec
{
    @FuzzTest(maxDuration = "10s")
    void decodesOrRefusesAndRoundTrips(byte[] input)
    {
        DecodedRecord decoded;
        try {
            decoded = RecordCodec.decode(input);
        }
        catch (DecodeException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        byte[] encoded = RecordCodec.encode(decoded.record(), decoded.format()).toArray();
        if (reasonIndexIsKnown(input)) {
            assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(HexFormat.of().formatHex(input));
        }
    }

    private static boolean reasonIndexIsKnown(byte[] input)
    {
        TlvRecord reason = reasonField(input);
        if (reason == null) {
            return true;
        }
        int index = ((reason.value().get(2) & 0xFF) << 8) | (reason.value().get(3) & 0xFF);
        return LocalReason.forIndex(index).isPresent();
    }

    /** The reason field of bytes that decoded as a record (so a well-formed TLV stream). */
    private static TlvRecord reasonField(byte[] input)
    {
        try {
            for (TlvRecord record : TlvStream.decode(input, type -> true, "record")) {
                if (record.type() == RecordTypes.REASON) {
                    return record;
                }
            }
            return null;
        }
        catch (DecodeException e) {
            throw new AssertionError("a record that decoded is not a TLV stream: " + e.getMessage(), e);
        }
    }
}
