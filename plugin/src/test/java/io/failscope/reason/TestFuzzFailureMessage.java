package io.failscope.reason;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.failscope.tlv.DecodeException;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target of the BOLT #4 failure-message decoder (docs/fuzzing.md). Any bytes either decode or
 * give a {@link DecodeException}; a decoded message encodes back to the very bytes it came from,
 * since the data after a code's fields is kept verbatim as the extension ({@code bolt-notes.md},
 * "BOLT #4 failure messages"). Seeds: one message per code, in {@code TestFuzzFailureMessageInputs}.
 */
final class TestFuzzFailureMessage
{
    @FuzzTest(maxDuration = "10s")
    void decodesOrRefusesAndRoundTrips(byte[] input)
    {
        FailureMessage message;
        try {
            message = FailureMessage.decode(input);
        }
        catch (DecodeException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(message.encode().hex()).isEqualTo(HexFormat.of().formatHex(input));
        assertThat(message.code()).isEqualTo(((input[0] & 0xff) << 8) | (input[1] & 0xff));
    }
}
