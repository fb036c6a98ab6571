package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.failscope.PluginRuntime;
import io.failscope.config.ConfigException;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.HttpNodeRpcClient;
import io.failscope.node.NodeRpcException;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;
import io.failscope.testing.TestJson;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP JSON-RPC endpoint on a real Jetty (port 0), called with a real HTTP client; WireMock is the JVM node. */
final class TestHttpTransport
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private PluginRuntime runtime;
    private WireMockServer node;

    @AfterEach
    void stop()
    {
        if (runtime != null) {
            runtime.close();
        }
        if (node != null) {
            node.stop();
        }
    }

    private URI start(Map<String, String> extra)
            throws Exception
    {
        node = new WireMockServer(options().dynamicPort());
        node.start();
        for (String method : new String[] {"getinfo", "listpeerchannels", "listconfigs"}) {
            String result = switch (method) {
                case "getinfo" -> "{\"id\":\"023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb\",\"blockheight\":812345}";
                case "listpeerchannels" -> "{\"channels\":[{\"peer_id\":\"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8\",\"short_channel_id\":\"103x1x0\",\"state\":\"CHANNELD_NORMAL\",\"peer_connected\":true,\"spendable_msat\":80000}]}";
                default -> "{\"configs\":{\"cltv-delta\":{\"value_int\":34}}}";
            };
            node.stubFor(post(urlEqualTo("/rpc")).withRequestBody(matchingJsonPath("$.method", WireMock.equalTo(method)))
                    .willReturn(aResponse().withHeader("Content-Type", "application/json")
                            .withTransformers("response-template")
                            .withBody("{\"jsonrpc\":\"2.0\",\"id\":\"{{jsonPath request.body '$.id'}}\",\"result\":" + result + "}")));
        }
        Map<String, String> values = new HashMap<>(Map.of("http.port", "0", "node.rpc-url", "http://127.0.0.1:" + node.port() + "/rpc", "node.refresh-interval", "1s"));
        values.putAll(extra);
        FailscopeConfig config = FailscopeConfig.read(values, directory, Function.identity());
        runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, new HttpNodeRpcClient(config.node().rpcUrl().orElseThrow(), config.node().rpcTimeout(), TestJson.MAPPER), TestJson.MAPPER);
        return URI.create("http://127.0.0.1:" + runtime.httpPort() + "/rpc");
    }

    private static HttpResponse<String> httpPost(URI uri, String body, String... headers)
            throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        SchemaConformance.assertAcceptedExchangesConform(body, response.body());
        return response;
    }

    @Test
    void servesSingleAndBatchRequestsAndReadsTheNodeThroughJsonrpc4j()
            throws Exception
    {
        URI rpc = start(Map.of());
        HttpResponse<String> single = httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\",\"params\":{\"limit\":5}}");
        assertThat(single.statusCode()).isEqualTo(200);
        assertThat(single.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode response = PluginProcess.MAPPER.readTree(single.body());
        assertThat(response.toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"htlcfailures\":[]}}");
        Schemas.assertValid("listhtlcfailures.response", response.get("result"));

        HttpResponse<String> batch = httpPost(rpc, "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"htlcfailurestats\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"listhtlcfailures\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"nosuchmethod\"}]");
        JsonNode responses = PluginProcess.MAPPER.readTree(batch.body());
        assertThat(responses).hasSize(2);
        assertThat(responses.get(0).get("id").asText()).isEqualTo("a");
        Schemas.assertValid("htlcfailurestats.response", responses.get(0).get("result"));
        assertThat(responses.get(1).get("error").get("code").asInt()).isEqualTo(-32601);

        HttpResponse<String> onlyNotifications = httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"method\":\"listhtlcfailures\"}");
        assertThat(onlyNotifications.statusCode()).isEqualTo(204);

        // the node's answers reached failscope through jsonrpc4j: a JVM node's request with a height far from
        // the node's own (812345, from getinfo) is refused, naming that height
        String intercepted = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"htlc_intercepted\",\"params\":{\"inbound_amount_msat\":2000,\"block_height\":700000,"
                + "\"incoming\":{\"short_channel_id\":\"101x1x0\",\"htlc_id\":1,\"cltv_expiry\":812400}}}";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode refused = PluginProcess.MAPPER.readTree(httpPost(rpc, intercepted).body());
        while (!refused.path("error").path("message").asText().contains("812345") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            refused = PluginProcess.MAPPER.readTree(httpPost(rpc, intercepted).body());
        }
        assertThat(refused.path("error").path("message").asText()).isEqualTo("block_height: differs from the node's own height 812345 by more than 144 blocks, got 700000");
        node.verify(postRequestedFor(urlEqualTo("/rpc")).withRequestBody(equalToJson("{\"jsonrpc\":\"2.0\",\"method\":\"getinfo\",\"params\":{}}", true, true)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            invalid JSON           | {"jsonrpc":"2.0","id":1,"method":              | 200 | -32700
            wrong jsonrpc          | {"jsonrpc":"1.0","id":1,"method":"listhtlcfailures"} | 200 | -32600
            missing id and method  | {"jsonrpc":"2.0"}                               | 200 | -32600
            odd id                 | {"jsonrpc":"2.0","id":[1],"method":"listhtlcfailures"} | 200 | -32600
            unknown method         | {"jsonrpc":"2.0","id":1,"method":"nope"}        | 200 | -32601
            wrong param type       | {"jsonrpc":"2.0","id":1,"method":"listhtlcfailures","params":{"limit":true}} | 200 | -32602
            params a string        | {"jsonrpc":"2.0","id":1,"method":"listhtlcfailures","params":"x"} | 200 | -32602
            empty batch            | []                                              | 200 | -32600
            empty body             | ``                                              | 200 | -32700
            duplicate key          | {"jsonrpc":"2.0","id":1,"id":2,"method":"listhtlcfailures"} | 200 | -32700
            trailing tokens        | {"jsonrpc":"2.0","id":1,"method":"listhtlcfailures"} {"x":1} | 200 | -32700
            """)
    void malformedRequestsGetTheRightJsonRpcError(String name, String body, int status, int code)
            throws Exception
    {
        URI rpc = start(Map.of());
        HttpResponse<String> response = httpPost(rpc, body);
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode error = PluginProcess.MAPPER.readTree(response.body()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("io.failscope").doesNotContain("\tat ");
        // and it keeps serving
        assertThat(httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"listhtlcfailures\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void transportErrorsGetTheirHttpStatus()
            throws Exception
    {
        URI rpc = start(Map.of("http.max-request-bytes", "2048"));
        assertThat(CLIENT.send(HttpRequest.newBuilder(rpc).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        assertThat(httpPost(rpc.resolve("/other"), "{}").statusCode()).isEqualTo(404);
        assertThat(httpPost(rpc, "{}", "Content-Type", "text/plain").statusCode()).isEqualTo(415);
        HttpResponse<String> tooLarge = httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\",\"params\":{\"reason\":\"" + "a".repeat(4000) + "\"}}");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).doesNotContain("Exception");
        byte[] garbage = new byte[1500];
        new Random(3).nextBytes(garbage);
        HttpResponse<String> binary = CLIENT.send(HttpRequest.newBuilder(rpc).POST(HttpRequest.BodyPublishers.ofByteArray(garbage)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(binary.statusCode()).isEqualTo(200);
        assertThat(PluginProcess.MAPPER.readTree(binary.body()).get("error").get("code").asInt()).isEqualTo(-32700);
    }

    @Test
    void aBurstOfTenThousandBadRequestsLeavesItServing()
            throws Exception
    {
        URI rpc = start(Map.of());
        for (int i = 0; i < 10_000; i++) {
            HttpResponse<String> response = httpPost(rpc, i % 2 == 0 ? "{oops" : "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"listhtlcfailures\",\"params\":{\"limit\":0}}");
            assertThat(response.statusCode()).isEqualTo(200);
        }
        assertThat(PluginProcess.MAPPER.readTree(httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\"}").body()).has("result")).isTrue();
    }

    @Test
    void aNonLoopbackAddressNeedsATokenAndChecksIt()
            throws Exception
    {
        assertThat(Assertions.catchThrowableOfType(
                () -> FailscopeConfig.read(Map.of("http.port", "0", "http.address", "0.0.0.0"), directory, Function.identity()),
                ConfigException.class).problems())
                .containsExactly("http.token-file: must be set when the HTTP endpoint listens on 0.0.0.0, which is not a loopback address");
        Files.writeString(directory.resolve("token"), "s3cret\n", StandardCharsets.UTF_8);
        URI rpc = start(Map.of("http.address", "0.0.0.0", "http.token-file", "token"));
        String request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\"}";
        HttpResponse<String> missing = httpPost(rpc, request);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(httpPost(rpc, request, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(httpPost(rpc, request, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void aBatchOrAnAnswerBeyondItsLimitIsRefusedNamingTheLimit()
            throws Exception
    {
        StringBuilder rules = new StringBuilder("{\"rules\":[");
        for (int i = 0; i < 30; i++) {
            rules.append(i == 0 ? "" : ",").append("{\"name\":\"rule-number-").append(i).append("\",\"action\":\"continue\"}");
        }
        Files.writeString(directory.resolve("policy.json"), rules.append("]}").toString());
        URI rpc = start(Map.of("http.max-batch", "3", "http.max-answer-bytes", "1024", "policy.file", "policy.json"));
        String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\",\"params\":{\"limit\":1}}";
        JsonNode tooMany = PluginProcess.MAPPER.readTree(httpPost(rpc, "[" + String.join(",", call, call, call, call) + "]").body());
        assertThat(tooMany.get("error").get("message").asText()).isEqualTo("a batch may hold at most 3 calls (http.max-batch), got 4");
        assertThat(PluginProcess.MAPPER.readTree(httpPost(rpc, "[" + String.join(",", call, call, call) + "]").body())).hasSize(3);

        // the 30 rules make an answer of about 2 KB: refused, naming the limit
        JsonNode single = PluginProcess.MAPPER.readTree(httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"listpolicy\"}").body());
        assertThat(single.get("error").get("message").asText())
                .isEqualTo("the answer would be larger than 1024 bytes (http.max-answer-bytes); ask for less (a lower limit, fewer calls)");
        String bad = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"listhtlcfailures\",\"params\":{\"reason\":\"" + "x".repeat(300) + "\"}}";
        JsonNode batch = PluginProcess.MAPPER.readTree(httpPost(rpc, "[" + String.join(",", bad, bad, bad) + "]").body());
        assertThat(batch.get("error").get("message").asText())
                .isEqualTo("the answers to this batch would be larger than 1024 bytes (http.max-answer-bytes); ask for less (a lower limit, fewer calls)");
    }

    @Test
    void slowClientsCannotHoldTheEndpointAndRefusalsDoNotReadTheBody()
            throws Exception
    {
        Files.writeString(directory.resolve("token"), "s3cret\n", StandardCharsets.UTF_8);
        URI rpc = start(Map.of("http.token-file", "token"));
        List<Socket> slow = new ArrayList<>();
        try {
            // more connections than the endpoint has threads, each declaring a large body and sending a byte of it
            for (int i = 0; i < 24; i++) {
                Socket socket = new Socket(rpc.getHost(), rpc.getPort());
                socket.getOutputStream().write(("POST /rpc HTTP/1.1\r\nHost: failscope\r\nContent-Type: application/json\r\nAuthorization: Bearer s3cret\r\n"
                        + "Content-Length: 1000000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            // without the token, a large declared body is answered at once, none of it read
            try (Socket noToken = new Socket(rpc.getHost(), rpc.getPort())) {
                noToken.setSoTimeout(10_000);
                noToken.getOutputStream().write("POST /rpc HTTP/1.1\r\nHost: failscope\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                noToken.getOutputStream().flush();
                String answer = new String(noToken.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(answer).isEqualTo("HTTP/1.1 401");
            }
            // and a client with the token is served meanwhile, on loopback too
            HttpResponse<String> served = CLIENT.send(HttpRequest.newBuilder(rpc).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer s3cret").POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\"}").statusCode()).as("the token is needed on loopback too").isEqualTo(401);
        }
        finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void anOversizedHeaderGetsAJsonErrorThatNamesNoServer()
            throws Exception
    {
        URI rpc = start(Map.of());
        try (Socket socket = new Socket(rpc.getHost(), rpc.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /rpc HTTP/1.1\r\nHost: failscope\r\nX-Padding: " + "a".repeat(100_000) + "\r\nContent-Length: 2\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 431");
            assertThat(answer).contains("\"code\":-32600").doesNotContainIgnoringCase("jetty").doesNotContain("<html");
        }
    }

    @Test
    void underCoreLightningTheJvmNodesMessagesAreNotServed()
            throws Exception
    {
        FailscopeConfig config = FailscopeConfig.read(Map.of("http.port", "0"), directory, Function.identity());
        runtime = PluginRuntime.start(config, PluginRuntime.Dialect.CLN, (method, params) -> {
            throw new NodeRpcException("no node in this test");
        }, TestJson.MAPPER);
        URI rpc = URI.create("http://127.0.0.1:" + runtime.httpPort() + "/rpc");
        for (String method : List.of("htlc_handling_failed", "htlc_intercepted", "htlc_accepted", "forward_event")) {
            JsonNode answer = PluginProcess.MAPPER.readTree(httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":{}}").body());
            assertThat(answer.get("error").get("code").asInt()).as(method).isEqualTo(-32601);
        }
        assertThat(PluginProcess.MAPPER.readTree(httpPost(rpc, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\"}").body()).has("result")).isTrue();
    }

    @Test
    void anEmptyTokenFileIsAConfigurationProblem()
            throws Exception
    {
        Files.writeString(directory.resolve("token"), "  \n", StandardCharsets.UTF_8);
        assertThat(Assertions.catchThrowableOfType(
                () -> FailscopeConfig.read(Map.of("http.port", "0", "http.token-file", "token"), directory, Function.identity()),
                ConfigException.class).problems())
                .containsExactly("http.token-file: the file " + directory.resolve("token") + " is empty; it must hold the bearer token");
    }
}
