package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.sim.PluginProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on stdin gets the right JSON-RPC error, and the plugin keeps serving: after every case a
 * valid request is still answered, and stdout never carries anything but JSON-RPC objects.
 */
final class TestStdioMalformedInput
{
    @TempDir
    Path lightningDir;

    private FakeLightningRpc node;
    private PluginProcess plugin;

    @BeforeEach
    void start()
            throws Exception
    {
        node = new FakeLightningRpc(lightningDir.resolve("lightning-rpc"));
        plugin = PluginProcess.start(lightningDir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE);
        plugin.request("init", TestStdioPlugin.initParams(lightningDir, PluginProcess.MAPPER.createObjectNode()));
    }

    @AfterEach
    void stop()
            throws Exception
    {
        // still serving
        assertThat(plugin.request("listhtlcfailures", null).get("result").toString()).isEqualTo("{\"htlcfailures\":[]}");
        plugin.close();
        node.close();
        assertThat(plugin.violations()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            invalid JSON                 | {"jsonrpc":"2.0","id":"x","method":}                              | -32700
            truncated by a blank line    | `{"jsonrpc":"2.0","id":"x",\n\n`                                   | -32700
            not an object                | "hello"                                                            | -32600
            wrong jsonrpc                | {"jsonrpc":"1.0","id":"x","method":"listhtlcfailures"}             | -32600
            missing jsonrpc              | {"id":"x","method":"listhtlcfailures"}                             | -32600
            odd id                       | {"jsonrpc":"2.0","id":{"a":1},"method":"listhtlcfailures"}        | -32600
            method not a string          | {"jsonrpc":"2.0","id":"x","method":42}                            | -32600
            params a number              | {"jsonrpc":"2.0","id":"x","method":"listhtlcfailures","params":5} | -32602
            a batch                      | [{"jsonrpc":"2.0","id":"x","method":"listhtlcfailures"}]          | -32600
            text                         | GET / HTTP/1.1                                                     | -32700
            """)
    void answersWithTheRightError(String name, String input, int code)
            throws Exception
    {
        plugin.sendRaw((input.replace("\\n", "\n") + "\n\n").getBytes(StandardCharsets.UTF_8));
        JsonNode response;
        if (input.contains("\"id\":\"x\"") && code != -32700 && !input.startsWith("[")) {
            response = plugin.response("x");
        }
        else {
            response = plugin.nullIdResponses(1, Duration.ofSeconds(10)).get(0);
        }
        assertThat(response.get("error").get("code").asInt()).as(response.toString()).isEqualTo(code);
        assertThat(response.get("error").get("message").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("io.failscope");
    }

    @Test
    void unknownMethodsAndWrongParamTypesAreNamed()
            throws Exception
    {
        JsonNode unknown = plugin.request("listhtlcfailurez", null);
        assertThat(unknown.get("error").get("code").asInt()).isEqualTo(-32601);
        JsonNode wrongType = plugin.request("listhtlcfailures", PluginProcess.MAPPER.readTree("{\"limit\":\"ten\"}"));
        assertThat(wrongType.get("error").get("message").asText()).isEqualTo("limit: should be a whole number between 1 and 10000, got \"ten\"");
        JsonNode numericId = plugin.request("listhtlcfailures", null);
        assertThat(numericId.has("result")).isTrue();
    }

    @Test
    void anOversizedMessageIsRejectedAndTheNextOneServed()
            throws Exception
    {
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        huge.writeBytes("{\"jsonrpc\":\"2.0\",\"id\":\"big\",\"method\":\"listhtlcfailures\",\"params\":{\"reason\":\"".getBytes(StandardCharsets.UTF_8));
        huge.writeBytes("a".repeat(17 << 20).getBytes(StandardCharsets.UTF_8));
        huge.writeBytes("\"}}\n\n".getBytes(StandardCharsets.UTF_8));
        plugin.sendRaw(huge.toByteArray());
        List<JsonNode> errors = plugin.nullIdResponses(1, Duration.ofSeconds(30));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("error").get("message").asText()).contains("larger than");
    }

    @Test
    void binaryGarbageIsSkippedAndTheNextMessageServed()
            throws Exception
    {
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        plugin.sendRaw(garbage);
        plugin.sendRaw("\n\n".getBytes(StandardCharsets.UTF_8));
        // any number of parse errors may come back, each with id null; then a real request works
        assertThat(plugin.request("listhtlcfailures", null).has("result")).isTrue();
    }

    @Test
    void aBurstOfTenThousandBadMessagesGetsTenThousandErrors()
            throws Exception
    {
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            burst.append(i % 2 == 0 ? "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":5}" : "{oops").append("\n\n");
        }
        plugin.sendRaw(burst.toString().getBytes(StandardCharsets.UTF_8));
        List<JsonNode> errors = plugin.nullIdResponses(10_000, Duration.ofSeconds(120));
        assertThat(errors).hasSize(10_000);
        assertThat(errors).extracting(error -> error.get("error").get("code").asInt()).containsOnly(-32600, -32700);
    }
}
