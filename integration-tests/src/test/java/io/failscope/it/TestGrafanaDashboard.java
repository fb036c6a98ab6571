package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.PluginRuntime;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeRpcException;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config/grafana/failscope.json and config/prometheus/failscope-rules.yml name only series failscope
 * exports: every metric in every expression is one a real scrape of {@code GET /metrics} shows, taken
 * after traffic that makes every labelled series appear (a record, verdicts, a held HTLC).
 */
final class TestGrafanaDashboard
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "Inf", "NaN");
    private static final Pattern IDENTIFIER = Pattern.compile("(\\$?)([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    @TempDir
    Path directory;

    @Test
    void everyExpressionOfTheDashboardNamesOnlyMetricsFailscopeExports()
            throws Exception
    {
        Set<String> exported = exportedNames();
        JsonNode dashboard = TestJson.MAPPER.readTree(Prometheus.ROOT.resolve("config/grafana/failscope.json").toFile());
        List<String> expressions = new ArrayList<>();
        collectExpressions(dashboard.path("panels"), expressions);
        assertThat(expressions).as("the dashboard's panel queries").hasSizeGreaterThan(15);
        Set<String> used = new TreeSet<>();
        for (String expression : expressions) {
            Set<String> names = metricNames(expression);
            assertThat(names).as("metrics in %s", expression).isNotEmpty();
            assertThat(exported).as("series of %s", expression).containsAll(names);
            used.addAll(names);
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("query").isObject() ? variable.path("query").path("query").asText() : variable.path("query").asText();
            Matcher metric = LABEL_VALUES.matcher(query);
            if (metric.find()) {
                assertThat(exported).as("variable %s", variable.path("name").asText()).contains(metric.group(1));
            }
        }
        assertThat(used).as("the dashboard shows the failures, hooks, holds, store and node")
                .contains("failscope_htlc_failures_total", "failscope_hook_verdicts_total", "failscope_hook_latency_seconds_bucket", "failscope_held_htlcs",
                        "failscope_store_records", "failscope_store_write_latency_seconds_bucket", "failscope_capture_dropped_records_total", "failscope_node_context_age_seconds");
    }

    @Test
    void everyMetricTheAlertingRulesReadIsOneFailscopeExports()
            throws Exception
    {
        Set<String> exported = exportedNames();
        String rules = Files.readString(Prometheus.ROOT.resolve("config/prometheus/failscope-rules.yml"));
        Matcher metric = Pattern.compile("(?<![a-z_:])failscope_[a-z_]+").matcher(rules);
        Set<String> named = new TreeSet<>();
        while (metric.find()) {
            named.add(metric.group());
        }
        assertThat(named).contains("failscope_htlc_failures_total", "failscope_hooks_failed_open_total", "failscope_held_htlc_deadline_seconds");
        assertThat(exported).containsAll(named);
    }

    @Test
    void theExtractorFindsMetricsAndSkipsFunctionsLabelsAndVariables()
    {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, instance) (rate(failscope_hook_latency_seconds_bucket{instance=~\"$instance\",hook=\"x\"}[$__rate_interval])))"))
                .containsExactly("failscope_hook_latency_seconds_bucket");
        assertThat(metricNames("a_total > on (instance) 3 * (b:rate1h offset 5m) or vector(0)")).containsExactly("a_total", "b:rate1h");
    }

    private static void collectExpressions(JsonNode panels, List<String> into)
    {
        for (JsonNode panel : panels) {
            panel.path("targets").forEach(target -> {
                if (target.has("expr")) {
                    into.add(target.get("expr").asText());
                }
            });
            collectExpressions(panel.path("panels"), into);
        }
    }

    /** The metric names in a PromQL expression: identifiers that are not functions, keywords, labels, durations, strings or Grafana variables. */
    static Set<String> metricNames(String promql)
    {
        String bare = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\boffset\\s+\\S+", " ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            boolean variable = !identifier.group(1).isEmpty();
            boolean function = identifier.group(3) != null;
            if (!variable && !function && !PROMQL_WORDS.contains(identifier.group(2))) {
                names.add(identifier.group(2));
            }
        }
        return names;
    }

    /** The series names of real scrapes after a record, verdicts, and a held HTLC (scraped while held and after). */
    private Set<String> exportedNames()
            throws Exception
    {
        Files.writeString(directory.resolve("policy.json"), """
                {"rules":[
                  {"name":"no-big-to-103","match":{"out_channel":"103x1x0","min_msat":1000000},"action":"fail","code":"temporary_channel_failure"},
                  {"name":"hold-105","match":{"out_channel":"105x1x0"},"action":"hold"}
                ]}""");
        FailscopeConfig config = FailscopeConfig.read(Map.of("http.port", "0", "policy.file", "policy.json", "hold.timeout", "10m"), directory, Function.identity());
        PluginRuntime runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, (method, params) -> {
            if (method.equals("getinfo")) {
                return PluginProcess.MAPPER.createObjectNode().put("id", "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb").put("blockheight", 800_000);
            }
            if (method.equals("listpeerchannels")) {
                return PluginProcess.MAPPER.createObjectNode().set("channels", PluginProcess.MAPPER.createArrayNode());
            }
            if (method.equals("listconfigs")) {
                return PluginProcess.MAPPER.createObjectNode().set("configs", PluginProcess.MAPPER.createObjectNode());
            }
            throw new NodeRpcException("unknown method " + method);
        }, TestJson.MAPPER);
        try {
            int port = runtime.httpPort();
            post(port, intercepted(2_000_000, "103x1x0", 1));
            post(port, intercepted(50_000, "104x1x0", 2));
            CompletableFuture<HttpResponse<String>> held = CLIENT.sendAsync(request(port, intercepted(50_000, "105x1x0", 3)), HttpResponse.BodyHandlers.ofString());
            Set<String> names = new TreeSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            MetricsScrape whileHeld = MetricsScrape.of(port, null);
            // a scrape reads its series one after another: one that raced the hold may show it in some only
            while ((whileHeld.value("failscope_held_htlcs") < 1 || whileHeld.all("failscope_held_htlc_deadline_seconds").isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                whileHeld = MetricsScrape.of(port, null);
            }
            assertThat(whileHeld.value("failscope_held_htlcs")).as("an HTLC is held while scraped").isEqualTo(1);
            names.addAll(whileHeld.names());
            post(port, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resumeinterceptedhtlc\",\"params\":{\"id\":\"101x1x0/3\"}}");
            held.get();
            // the fail verdict above wrote a record (type intercepted), so the failure counter has its series
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            MetricsScrape after = MetricsScrape.of(port, null);
            while (after.value("failscope_htlc_failures_total") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                after = MetricsScrape.of(port, null);
            }
            names.addAll(after.names());
            return names;
        }
        finally {
            runtime.close();
        }
    }

    private static HttpRequest request(int port, String body)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void post(int port, String body)
            throws Exception
    {
        HttpResponse<String> response = CLIENT.send(request(port, body), HttpResponse.BodyHandlers.ofString());
        assertThat(PluginProcess.MAPPER.readTree(response.body()).has("result")).as(response.body()).isTrue();
    }

    private static String intercepted(long amountMsat, String outChannel, int htlcId)
    {
        return """
                {"jsonrpc":"2.0","id":%d,"method":"htlc_intercepted","params":
                 {"intercept_id":"%s","requested_next_hop_scid":"%s",
                  "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee",
                  "inbound_amount_msat":%d,"expected_outbound_amount_msat":%d,
                  "incoming":{"short_channel_id":"101x1x0","htlc_id":%d,"cltv_expiry":800100,"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8"},
                  "block_height":800000}}
                """.formatted(htlcId, "ab".repeat(32), outChannel, amountMsat, amountMsat - 1000, htlcId);
    }
}
