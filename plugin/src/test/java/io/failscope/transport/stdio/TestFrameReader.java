package io.failscope.transport.stdio;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class TestFrameReader
{
    private static List<String> frames(String input, int max)
            throws Exception
    {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), max);
        List<String> frames = new ArrayList<>();
        FrameReader.Frame frame;
        while ((frame = reader.next()) != null) {
            frames.add(frame.complete() ? new String(frame.bytes(), StandardCharsets.UTF_8) : "BAD(" + frame.problem() + ")");
        }
        return frames;
    }

    @Test
    void splitsMessagesWhateverTheWhitespaceBetweenThem()
            throws Exception
    {
        assertThat(frames("{\"a\":1}\n\n{\"b\":\"}{\\\"\"}{\"c\":[1,{}]}  \n", 1000))
                .containsExactly("{\"a\":1}", "{\"b\":\"}{\\\"\"}", "{\"c\":[1,{}]}");
    }

    @Test
    void aBlankLineEndsABrokenMessageAndTheNextOneIsRead()
            throws Exception
    {
        assertThat(frames("{\"a\":\n\n{\"b\":2}\n\n", 1000))
                .containsExactly("BAD(message cut off by a blank line before its end)", "{\"b\":2}");
    }

    @Test
    void textBeforeAMessageIsSkippedUpToTheMessage()
            throws Exception
    {
        assertThat(frames("hello{\"a\":1}\nworld\n", 1000)).containsExactly("BAD(not a JSON object)", "{\"a\":1}", "BAD(not a JSON object)");
    }

    @Test
    void anOversizedMessageIsRejectedWholeAndTheInputEndingInsideOneToo()
            throws Exception
    {
        assertThat(frames("{\"a\":\"" + "x".repeat(100) + "\"}\n\n{\"b\":1}{\"c\":", 50))
                .containsExactly("BAD(message larger than 50 bytes)", "{\"b\":1}", "BAD(input ended inside a message)");
    }
}
