package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.PluginRuntime;
import io.failscope.dialect.cln.ClnManifest;
import io.failscope.dialect.jvm.JvmHtlcHandlingFailed;
import io.failscope.dialect.jvm.JvmHtlcIntercepted;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message of the end-to-end suite, checked against {@code rpc-schema/}: the params of each
 * request the plugin accepts and of each notification (to it or from it), and each result it gives,
 * in both dialects. Positional params (as {@code lightning-cli} sends them) are named in the method's
 * order first. A message with no schema at all is a problem too.
 */
final class SchemaConformance
        implements PluginProcess.SchemaCheck
{
    static final SchemaConformance INSTANCE = new SchemaConformance();

    /** Parameter names in positional order: the commands as the manifest lists them, and the JVM node's messages. */
    private static final Map<String, List<String>> METHODS = methods();

    private SchemaConformance() {}

    @Override
    public List<String> problems(String method, String kind, JsonNode json)
    {
        String name = method + "." + kind;
        if (SchemaConformance.class.getResource("/schemas/" + name + ".json") == null) {
            return List.of("no schema " + name + ".json for " + json);
        }
        JsonNode value = json == null || json.isNull() || json.isMissingNode() ? PluginProcess.MAPPER.createObjectNode() : json;
        if (value.isArray() && kind.equals("request")) {
            value = byName(method, (ArrayNode) value);
        }
        JsonNode checked = value;
        return Schemas.problems(name, checked).stream().map(problem -> name + ": " + problem.getMessage() + " in " + checked).toList();
    }

    /**
     * For an HTTP exchange (a single request or a batch): every request that got a result has params
     * and a result that conform. Requests answered with an error, notifications and bodies that are
     * not JSON are left alone: the tests that send them assert on the error.
     */
    static void assertAcceptedExchangesConform(String requestBody, String responseBody)
    {
        JsonNode requests;
        JsonNode responses;
        try {
            requests = PluginProcess.MAPPER.readTree(requestBody);
            responses = responseBody == null || responseBody.isEmpty() ? null : PluginProcess.MAPPER.readTree(responseBody);
        }
        catch (IOException e) {
            return;
        }
        if (requests == null || responses == null) {
            return;
        }
        List<JsonNode> sent = elements(requests);
        List<String> problems = new ArrayList<>();
        for (JsonNode response : elements(responses)) {
            if (!response.has("result")) {
                continue;
            }
            sent.stream().filter(request -> request.has("id") && request.get("id").equals(response.get("id"))).findFirst().ifPresent(request -> {
                String method = request.path("method").asText();
                problems.addAll(INSTANCE.problems(method, "request", request.get("params")));
                problems.addAll(INSTANCE.problems(method, "response", response.get("result")));
            });
        }
        assertThat(problems).as("messages against rpc-schema/").isEmpty();
    }

    private static List<JsonNode> elements(JsonNode message)
    {
        List<JsonNode> elements = new ArrayList<>();
        if (message.isArray()) {
            message.forEach(elements::add);
        }
        else {
            elements.add(message);
        }
        return elements;
    }

    private static Map<String, List<String>> methods()
    {
        Map<String, List<String>> methods = new HashMap<>();
        for (JsonNode command : ClnManifest.of(PluginRuntime.features(PluginRuntime.Dialect.CLN)).path("rpcmethods")) {
            String usage = command.path("usage").asText();
            methods.put(command.path("name").asText(), usage.isEmpty() ? List.of() : Stream.of(usage.split(" ")).map(parameter -> parameter.replaceAll("[\\[\\]]", "")).toList());
        }
        methods.put("htlc_intercepted", JvmHtlcIntercepted.PARAMETERS);
        methods.put("htlc_handling_failed", JvmHtlcHandlingFailed.PARAMETERS);
        return Map.copyOf(methods);
    }

    private static JsonNode byName(String method, ArrayNode positional)
    {
        List<String> parameters = METHODS.get(method);
        if (parameters == null) {
            return positional;
        }
        ObjectNode named = PluginProcess.MAPPER.createObjectNode();
        for (int i = 0; i < positional.size() && i < parameters.size(); i++) {
            if (!positional.get(i).isNull()) {
                named.set(parameters.get(i), positional.get(i));
            }
        }
        return named;
    }
}
