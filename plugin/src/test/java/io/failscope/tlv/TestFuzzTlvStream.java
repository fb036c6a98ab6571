package io.failscope.tlv;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target of the BOLT #1 TLV stream decoder (docs/fuzzing.md), read as the spec's namespace
 * {@code n1} (types 1, 2, 3 and 254 known; {@code bolt-notes.md}, "TLV stream rules"). Any bytes either
 * split into records or give a {@link DecodeException} naming the stream; records that decode encode
 * back to the same bytes, since every rule the decoder enforces (minimal BigSize, strictly increasing
 * types) leaves one encoding. Seeds: the BOLT #1 TLV and BigSize vectors.
 */
final class TestFuzzTlvStream
{
    private static final String STREAM = "n1";

    @FuzzTest(maxDuration = "10s")
    void decodesOrRefusesAndRoundTrips(byte[] input)
    {
        List<TlvRecord> records;
        try {
            records = TlvStream.decode(input, type -> type == 1 || type == 2 || type == 3 || type == 254, STREAM);
        }
        catch (DecodeException e) {
            assertThat(e.getMessage()).startsWith(STREAM + ": ");
            return;
        }
        assertThat(HexFormat.of().formatHex(TlvStream.encode(records))).isEqualTo(HexFormat.of().formatHex(input));
        for (TlvRecord record : records) {
            assertThat(BigSize.encode(record.type())).hasSize(BigSize.encodedLength(record.type()));
        }
    }
}
