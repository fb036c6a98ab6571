package io.failscope.transport.stdio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.testing.FuzzedPlugin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzz target of what lightningd's bytes go through on stdin (docs/fuzzing.md): the frame reader, the
 * JSON and JSON-RPC parsing of {@link StdioTransport}, and past it the Core Lightning dialect and the
 * user methods of the whole plugin ({@link FuzzedPlugin}). Whatever the bytes, stdout carries only
 * JSON-RPC objects, each followed by a blank line ({@code cln-plugin-protocol.md} §0, §1.2); every request
 * that was read gets exactly one answer with its id; an {@code htlc_accepted} hook gets a verdict, never
 * an error; and nothing answers "internal error", which is what an unexpected exception becomes.
 * Seeds: messages as lightningd writes them, in {@code TestFuzzStdioTransportInputs}.
 */
final class TestFuzzStdioTransport
{
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = "10s")
    void everyMessageIsAnsweredWithJsonRpc(byte[] input)
            throws Exception
    {
        FuzzedPlugin plugin = FuzzedPlugin.get();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Recording handler = new Recording(plugin.messages());
        new StdioTransport(new ByteArrayInputStream(input), plugin.mapper(), new ProtocolWriter(stdout, plugin.mapper()), handler).run();

        // answers of methods that read the store arrive once it has answered
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<JsonNode> messages = messages(stdout.toByteArray(), plugin);
        while (answered(messages) < handler.requests.size() && System.nanoTime() < deadline) {
            Thread.sleep(1);
            messages = messages(stdout.toByteArray(), plugin);
        }
        List<JsonNode> unanswered = new ArrayList<>(handler.requests.stream().map(message -> message.id().get()).toList());
        for (JsonNode message : messages) {
            assertThat(message.path("jsonrpc").asText()).as("%s", message).isEqualTo("2.0");
            if (message.has("method")) {
                assertThat(message.path("method").asText()).as("the only notification failscope sends").isEqualTo("log");
                continue;
            }
            assertThat(message.has("id")).as("%s", message).isTrue();
            assertThat(message.has("result")).as("exactly one of result and error in %s", message).isNotEqualTo(message.has("error"));
            assertThat(message.path("error").path("code").asInt()).as("%s", message).isNotEqualTo(RpcErrorCode.INTERNAL_ERROR.code());
            unanswered.remove(message.get("id"));
        }
        assertThat(unanswered).as("requests without an answer").isEmpty();
        for (JsonRpc.Message hook : handler.hooks) {
            JsonNode answer = messages.stream().filter(message -> hook.id().get().equals(message.get("id"))).findFirst().orElseThrow();
            assertThat(answer.path("result").path("result").asText()).as("the verdict to %s", hook.raw()).isIn("continue", "fail", "resolve");
        }
    }

    /** Each message on stdout: a JSON object ended by a blank line, and nothing between them. */
    private static List<JsonNode> messages(byte[] stdout, FuzzedPlugin plugin)
    {
        List<JsonNode> messages = new ArrayList<>();
        int start = 0;
        while (start < stdout.length) {
            int end = indexOf(stdout, start);
            if (end < 0) {
                // a message being written right now; the next look sees it whole
                break;
            }
            try {
                JsonNode message = plugin.mapper().readTree(stdout, start, end - start);
                assertThat(message.isObject()).as("stdout carries JSON objects only").isTrue();
                messages.add(message);
            }
            catch (Exception e) {
                fail("stdout carries something other than JSON: " + new String(stdout, start, end - start, StandardCharsets.UTF_8), e);
            }
            start = end + END.length;
        }
        return messages;
    }

    private static int indexOf(byte[] bytes, int from)
    {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == END[0] && bytes[i + 1] == END[1]) {
                return i;
            }
        }
        return -1;
    }

    private static long answered(List<JsonNode> messages)
    {
        return messages.stream().filter(message -> message.has("id")).count();
    }

    /** The plugin's handler, noting which requests and hooks got past the transport. */
    private static final class Recording
            implements StdioTransport.Handler
    {
        private final MessageHandler delegate;
        final List<JsonRpc.Message> requests = new CopyOnWriteArrayList<>();
        final List<JsonRpc.Message> hooks = new CopyOnWriteArrayList<>();

        Recording(MessageHandler delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public boolean urgent(JsonRpc.Message message)
        {
            return delegate.urgent(message);
        }

        @Override
        public CompletableFuture<Optional<ObjectNode>> handle(JsonRpc.Message message)
        {
            if (!message.isNotification()) {
                requests.add(message);
                if (message.method().equals("htlc_accepted")) {
                    hooks.add(message);
                }
            }
            return delegate.handle(message);
        }

        @Override
        public void endOfInput()
        {
            // the plugin stays up for the next input
        }
    }
}
