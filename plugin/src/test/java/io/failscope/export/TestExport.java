package io.failscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.rpc.ListHtlcFailures;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.rpc.RpcException;
import io.failscope.store.RetentionConfig;
import io.failscope.store.sqlite.SqliteFailureStore;
import io.failscope.testing.Schemas;
import io.failscope.testing.TestJson;
import io.failscope.tlv.Bytes;
import io.failscope.transport.http.HttpConfig;
import io.failscope.transport.http.HttpTransport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Export as a user sees it: the file {@code exporthtlcfailures} writes and the bodies of
 * {@code GET /export.csv} and {@code /export.jsonl} hold exactly what {@code listhtlcfailures} returns
 * for the same filters, across more records than one store page, quoted as RFC 4180 says.
 */
final class TestExport
{
    private static final Instant T0 = Instant.ofEpochSecond(1_755_648_000L);
    private static final String NODE = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";
    private static final String PEER = "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8";
    private static final String HASH = "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee";
    /** More than one store page ({@code FailureStore.SCAN_BATCH}), so that paging is part of what is checked. */
    private static final int BALANCE_FAILURES = 1_300;
    private static final String AWKWARD_RULE = "say \"no\", politely\r\nthen stop";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private SqliteFailureStore store;
    private RpcDispatcher rpc;
    private HttpTransport http;

    @BeforeEach
    void start()
    {
        store = SqliteFailureStore.open(directory.resolve("store"), RetentionConfig.DEFAULT, Clock.fixed(T0, ZoneOffset.UTC));
        Exporter exporter = new Exporter(store, TestJson.MAPPER);
        rpc = new RpcDispatcher(Map.of(ListHtlcFailures.INFO, new ListHtlcFailures(store), ExportHtlcFailures.INFO, new ExportHtlcFailures(exporter)));
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < BALANCE_FAILURES; i++) {
            writes.add(store.submit(forward(i)
                    .reason(RecordedReason.inferred(FailureReason.of(LocalReason.CHANNEL_BALANCE_OVERDRAWN), Evidence.builder().put("spendable_msat", 80_000).put("requested_msat", 120_000).build()))
                    .failureData(Bytes.fromHex("0000"))
                    .build()));
            if (i % 10 == 0) {
                writes.add(store.submit(forward(100_000 + i).reason(RecordedReason.fromCode(0x100C)).feeMsat(1_000).build()));
            }
        }
        writes.add(store.submit(forward(200_000)
                .type(FailureType.INTERCEPTED)
                .reason(new RecordedReason(new FailureReason(LocalReason.POLICY_FAILED, 0x1007), ReasonSource.NODE, Evidence.NONE))
                .rule(AWKWARD_RULE)
                .build()));
        writes.add(store.submit(forward(200_001).source(FailureSource.DOWNSTREAM).outMsat(1_199_000).feeMsat(1_000).resolvedTime(T0.plusSeconds(9)).build()));
        writes.forEach(CompletableFuture::join);
        http = new HttpTransport(new HttpConfig(OptionalInt.of(0), "127.0.0.1", Optional.empty(), 1 << 20, 100, 1 << 25, Duration.ofSeconds(30), 4096),
                rpc, TestJson.MAPPER, Set.of(new ExportPage.Csv(exporter, TestJson.MAPPER), new ExportPage.JsonLines(exporter, TestJson.MAPPER)));
        http.start();
    }

    @AfterEach
    void stop()
    {
        http.stop();
        store.close();
    }

    private static HtlcFailureRecord.Builder forward(int htlcId)
    {
        return HtlcFailureRecord.builder()
                .nodeId(NodeId.fromHex(NODE))
                .type(FailureType.FORWARD)
                .source(FailureSource.LOCAL)
                .inChannel(ShortChannelId.parse(htlcId % 2 == 0 ? "101x1x0" : "102x1x0"))
                .inHtlcId(htlcId)
                .inPeer(NodeId.fromHex(PEER))
                .inMsat(1_200_000 + htlcId)
                .cltvExpiry(800_144)
                .outChannel(ShortChannelId.parse("103x1x0"))
                .paymentHash(PaymentHash.fromHex(HASH))
                .receivedTime(T0.plusSeconds(htlcId % 7_200).plusNanos(123_456_789));
    }

    private JsonNode call(String method, String paramsJson)
            throws Exception
    {
        JsonNode params = TestJson.MAPPER.readTree(paramsJson);
        Schemas.assertValid(method + ".request", params);
        JsonNode result = rpc.call(method, params);
        Schemas.assertValid(method + ".response", result);
        return result;
    }

    /** Every record listhtlcfailures returns for {@code filters}, page after page. */
    private List<JsonNode> listed(String filters)
            throws Exception
    {
        List<JsonNode> items = new ArrayList<>();
        long start = 0;
        while (true) {
            ObjectNode params = (ObjectNode) TestJson.MAPPER.readTree(filters);
            params.put("index", "created").put("start", start).put("limit", 500);
            JsonNode page = call("listhtlcfailures", params.toString()).get("htlcfailures");
            page.forEach(items::add);
            if (page.size() < 500) {
                return items;
            }
            start = page.get(page.size() - 1).get("created_index").asLong() + 1;
        }
    }

    private static List<CSVRecord> parseCsv(String csv)
            throws Exception
    {
        try (CSVParser parser = CSVParser.parse(new StringReader(csv), CSVFormat.RFC4180)) {
            return parser.getRecords();
        }
    }

    /** What the CSV row of a listhtlcfailures item must be: each column's field, objects as compact JSON, absent ones empty. */
    private static List<String> expectedRow(JsonNode item)
            throws Exception
    {
        List<String> cells = new ArrayList<>();
        for (String column : ExportFormat.COLUMNS) {
            cells.add(cell(item.get(column)));
        }
        return cells;
    }

    private static String cell(JsonNode value)
            throws Exception
    {
        if (value == null) {
            return "";
        }
        if (value.isTextual()) {
            return value.asText();
        }
        return value.isContainerNode() ? value.toString() : TestJson.MAPPER.writeValueAsString(value);
    }

    private HttpResponse<String> get(String pathAndQuery)
            throws Exception
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCsvFileHoldsExactlyTheFilteredRecordsOneRowPerListItemAcrossStorePages()
            throws Exception
    {
        Path file = directory.resolve("balance.csv");
        JsonNode result = call("exporthtlcfailures", "{\"path\":\"" + file + "\",\"reason\":\"channel_balance_overdrawn\",\"in_channel\":\"101x1x0\"}");
        List<JsonNode> expected = listed("{\"reason\":\"channel_balance_overdrawn\",\"in_channel\":\"101x1x0\"}");
        assertThat(expected).hasSize(BALANCE_FAILURES / 2);
        assertThat(result.get("rows").asLong()).isEqualTo(expected.size());
        assertThat(result.get("format").asText()).isEqualTo("csv");
        assertThat(result.get("path").asText()).isEqualTo(file.toString());

        String csv = Files.readString(file);
        List<CSVRecord> rows = parseCsv(csv);
        assertThat(rows.get(0).toList()).isEqualTo(ExportFormat.COLUMNS);
        assertThat(rows).hasSize(expected.size() + 1);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(rows.get(i + 1).toList()).isEqualTo(expectedRow(expected.get(i)));
        }
        assertThat(csv.split("\r\n", -1)).as("every line ends in CRLF").hasSize(expected.size() + 2);
        assertThat(Files.list(directory)).as("no partial file is left").noneMatch(path -> path.getFileName().toString().endsWith(".partial"));
    }

    @Test
    void csvQuotesFieldsWithCommasQuotesAndLineEndsAsRfc4180Says()
            throws Exception
    {
        Path file = directory.resolve("policy.csv");
        call("exporthtlcfailures", "{\"path\":\"" + file + "\",\"type\":\"intercepted\"}");
        String csv = Files.readString(file);
        // the rule's name holds a quote, a comma and CRLF: one field, in quotes, its quotes doubled
        assertThat(csv).contains(",\"say \"\"no\"\", politely\r\nthen stop\",");
        assertThat(csv).doesNotContain("\\\"");
        List<CSVRecord> rows = parseCsv(csv);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get(ExportFormat.COLUMNS.indexOf("rule"))).isEqualTo(AWKWARD_RULE);
        assertThat(rows.get(1).toList()).isEqualTo(expectedRow(listed("{\"type\":\"intercepted\"}").get(0)));

        Path evidence = directory.resolve("evidence.csv");
        call("exporthtlcfailures", "{\"path\":\"" + evidence + "\",\"reason\":\"channel_balance_overdrawn\"}");
        // evidence is compact JSON in one quoted cell
        assertThat(Files.readString(evidence)).contains(",\"{\"\"requested_msat\"\":120000,\"\"spendable_msat\"\":80000}\",");
    }

    @Test
    void jsonLinesHoldOneListItemPerLine()
            throws Exception
    {
        Path file = directory.resolve("fees.jsonl");
        JsonNode result = call("exporthtlcfailures", "{\"path\":\"" + file + "\",\"format\":\"jsonl\",\"failcode\":\"fee_insufficient\"}");
        List<JsonNode> expected = listed("{\"failcode\":\"fee_insufficient\"}");
        assertThat(expected).hasSize(BALANCE_FAILURES / 10);
        assertThat(result.get("rows").asLong()).isEqualTo(expected.size());
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(expected.size());
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).isEqualTo(TestJson.MAPPER.writeValueAsString(expected.get(i)));
        }
    }

    @Test
    void httpExportsStreamTheSameRowsForTheQueryFilters()
            throws Exception
    {
        String since = T0.plusSeconds(200).getEpochSecond() + "";
        HttpResponse<String> csv = get("/export.csv?reason=channel_balance_overdrawn&reason=fee_insufficient&since=" + since + "&until=" + (T0.getEpochSecond() + 1200));
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
        List<JsonNode> expected = listed("{\"reason\":[\"channel_balance_overdrawn\",\"fee_insufficient\"],\"since\":" + since + ",\"until\":" + (T0.getEpochSecond() + 1200) + "}");
        assertThat(expected).isNotEmpty().anyMatch(item -> item.get("reason").asText().equals("fee_insufficient"));
        List<CSVRecord> rows = parseCsv(csv.body());
        assertThat(rows).hasSize(expected.size() + 1);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(rows.get(i + 1).toList()).isEqualTo(expectedRow(expected.get(i)));
        }

        HttpResponse<String> jsonl = get("/export.jsonl?peer_id=" + PEER + "&type=forward&source=downstream");
        assertThat(jsonl.statusCode()).isEqualTo(200);
        List<String> lines = jsonl.body().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).isEqualTo(TestJson.MAPPER.writeValueAsString(listed("{\"source\":\"downstream\"}").get(0)));

        HttpResponse<String> all = get("/export.jsonl");
        assertThat(all.body().lines().count()).isEqualTo(listed("{}").size());
    }

    @Test
    void aBadFilterGetsAJsonErrorNamingItOverHttpAndFromTheMethod()
            throws Exception
    {
        HttpResponse<String> response = get("/export.csv?reason=" + URLEncoder.encode("fee_insuficient", StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = TestJson.MAPPER.readTree(response.body()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32602);
        assertThat(error.get("data").get("param").asText()).isEqualTo("reason");
        assertThat(error.get("message").asText()).contains("'fee_insuficient' is not a reason").contains("did you mean fee_insufficient?");

        JsonNode unknown = TestJson.MAPPER.readTree(get("/export.jsonl?colour=red").body()).get("error");
        assertThat(unknown.get("message").asText()).startsWith("unknown parameter colour");
        JsonNode channel = TestJson.MAPPER.readTree(get("/export.jsonl?out_channel=103-1-0").body()).get("error");
        assertThat(channel.get("message").asText()).startsWith("out_channel: should be a short channel id");

        Path file = directory.resolve("x.csv");
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"" + file + "\",\"since\":\"yesterday\"}")))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.toJson().get("data").get("param").asText()).isEqualTo("since"));
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"" + file + "\",\"format\":\"xlsx\"}")))
                .hasMessage("format: should be csv or jsonl, got \"xlsx\"");
        assertThat(file).doesNotExist();
    }

    @Test
    void withATokenConfiguredTheExportsNeedIt()
            throws Exception
    {
        Path token = Files.writeString(directory.resolve("token"), "s3cret\n");
        Exporter exporter = new Exporter(store, TestJson.MAPPER);
        HttpTransport guarded = new HttpTransport(new HttpConfig(OptionalInt.of(0), "127.0.0.1", Optional.of(token), 1 << 20, 100, 1 << 25, Duration.ofSeconds(30), 4096),
                rpc, TestJson.MAPPER, Set.of(new ExportPage.Csv(exporter, TestJson.MAPPER), new ExportPage.JsonLines(exporter, TestJson.MAPPER)));
        guarded.start();
        try {
            for (String path : List.of("/export.csv", "/export.jsonl")) {
                URI uri = URI.create("http://127.0.0.1:" + guarded.port() + path + "?type=intercepted");
                assertThat(CLIENT.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
                HttpResponse<String> allowed = CLIENT.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer s3cret").GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(allowed.statusCode()).isEqualTo(200);
                assertThat(allowed.body()).contains("politely");
            }
        }
        finally {
            guarded.stop();
        }
    }

    @Test
    void pathProblemsAreClearAndLeaveNothingBehind()
            throws Exception
    {
        Path missing = directory.resolve("no-such-dir").resolve("out.csv");
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"" + missing + "\"}")))
                .hasMessage("path: the directory " + missing.getParent() + " does not exist, got \"" + missing + "\"");

        Path existing = Files.writeString(directory.resolve("keep.csv"), "mine");
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"" + existing + "\"}")))
                .hasMessageStartingWith("path: " + existing + " exists already; failscope writes only new files");
        assertThat(Files.readString(existing)).isEqualTo("mine");

        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"" + existing + "/out.csv\"}")))
                .hasMessageStartingWith("path: " + existing + " is not a directory");
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"" + directory + "\"}")))
                .hasMessageStartingWith("path: " + directory + " is a directory; name a new file in it");

        // /proc takes no new files, not even from root
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{\"path\":\"/proc/failscope-export.csv\"}")))
                .hasMessageStartingWith("path: the directory /proc is not writable by failscope");
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.readTree("{}")))
                .hasMessageStartingWith("path: is required");

        // found by fuzzing: a name longer than the file system allows once came back whole, twice, in the error
        String tooLong = directory.resolve("x".repeat(3000)).toString();
        assertThatThrownBy(() -> rpc.call("exporthtlcfailures", TestJson.MAPPER.createObjectNode().put("path", tooLong)))
                .hasMessageStartingWith("path: the directory " + directory + " is not writable by failscope (File name too long)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
        try (Stream<Path> left = Files.list(directory)) {
            assertThat(left.map(path -> path.getFileName().toString())).noneMatch(name -> name.endsWith(".partial"));
        }
    }
}
