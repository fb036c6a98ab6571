package io.failscope.rpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.testing.FuzzedJson;
import io.failscope.testing.FuzzedPlugin;
import io.failscope.testing.Schemas;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target of the parameter reading of every user and operator method (docs/fuzzing.md): fuzzed
 * params, by name or by position, go through the real dispatcher of the whole plugin (store in a
 * temporary directory). Every call gets one valid JSON-RPC answer: a result valid against the method's
 * response schema, or an error of a documented code with a message, never "internal error" (which is what
 * an unexpected exception becomes), and the answer can be written as JSON.
 */
final class TestFuzzRpcParams
{
    private static final IntNode ID = IntNode.valueOf(7);

    @FuzzTest(maxDuration = "10s")
    void everyMethodReadsAnyParams(FuzzedDataProvider data)
            throws Exception
    {
        FuzzedPlugin plugin = FuzzedPlugin.get();
        FuzzedPlugin.Method method = data.pickValue(plugin.methods());
        JsonNode params;
        switch (data.consumeInt(0, 3)) {
            case 0 -> params = null;
            case 1 -> {
                ArrayNode positional = Json.array();
                int count = data.consumeInt(0, method.parameters().size() + 1);
                for (int i = 0; i < count; i++) {
                    positional.add(FuzzedJson.value(data, 2));
                }
                params = positional;
            }
            default -> params = FuzzedJson.object(data, method.parameters(), 2);
        }
        confinePath(plugin, method, params);
        ObjectNode request = Json.object().put("jsonrpc", "2.0").put("method", method.name());
        request.set("id", ID);
        request.set("params", params);
        Optional<ObjectNode> answer = plugin.messages().handle(new JsonRpc.Message(Optional.of(ID), method.name(), params, request)).get(30, TimeUnit.SECONDS);

        assertThat(answer).as("the answer to %s", request).isPresent();
        ObjectNode response = answer.get();
        // what the transports do with it: write it as JSON (a value that cannot be written leaves the caller waiting)
        JsonNode written = plugin.mapper().readTree(plugin.mapper().writeValueAsBytes(response));
        assertThat(written.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(written.get("id")).isEqualTo(ID);
        assertThat(written.has("result")).as("exactly one of result and error in %s", written).isNotEqualTo(written.has("error"));
        if (written.has("result")) {
            Schemas.assertValid(method.name() + ".response", written.get("result"));
            return;
        }
        JsonNode error = written.get("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("code").asInt()).as("%s answered to %s", error, request).isNotEqualTo(RpcErrorCode.INTERNAL_ERROR.code());
        assertThat(error.path("message").asText().length()).as("the message of %s", error).isLessThanOrEqualTo(1000);
    }

    /** A fuzzed file path (exporthtlcfailures' path) stays inside the plugin's temporary directory: the fuzzer must not write files into the build's working directory. */
    private static void confinePath(FuzzedPlugin plugin, FuzzedPlugin.Method method, JsonNode params)
    {
        int position = method.parameters().indexOf("path");
        if (position < 0 || params == null) {
            return;
        }
        if (params instanceof ObjectNode named && named.path("path").isTextual()) {
            named.put("path", plugin.confined(named.get("path").textValue()));
        }
        if (params instanceof ArrayNode positional && positional.path(position).isTextual()) {
            positional.set(position, Json.text(plugin.confined(positional.get(position).textValue())));
        }
    }
}
