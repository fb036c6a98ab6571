package io.failscope.rpc;

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
import io.failscope.store.RetentionConfig;
import io.failscope.store.sqlite.SqliteFailureStore;
import io.failscope.testing.Schemas;
import io.failscope.testing.TestJson;
import io.failscope.tlv.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestQueryMethods
{
    private static final Instant T0 = Instant.ofEpochSecond(1_755_648_000L);
    private static final String NODE = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";
    private static final String PEER = "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8";
    private static final String HASH = "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee";

    @TempDir
    Path directory;

    private SqliteFailureStore store;
    private RpcDispatcher rpc;

    @BeforeEach
    void start()
    {
        store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.fixed(T0, ZoneOffset.UTC));
        rpc = new RpcDispatcher(Map.of(ListHtlcFailures.INFO, new ListHtlcFailures(store), HtlcFailureStats.INFO, new HtlcFailureStats(store), DelHtlcFailures.INFO, new DelHtlcFailures(store)));
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            writes.add(store.submit(forward(i)
                    .reason(RecordedReason.inferred(FailureReason.of(LocalReason.CHANNEL_BALANCE_OVERDRAWN), Evidence.builder().put("spendable_msat", 80_000).put("requested_msat", 120_000).build()))
                    .failureData(Bytes.fromHex("0000"))
                    .build()));
        }
        writes.add(store.submit(forward(100)
                .type(FailureType.INTERCEPTED)
                .reason(new RecordedReason(new FailureReason(LocalReason.POLICY_FAILED, 0x100C), ReasonSource.NODE, Evidence.NONE))
                .failureData(Bytes.fromHex("0000000000124f800000"))
                .rule("fee-floor")
                .build()));
        writes.add(store.submit(forward(101).source(FailureSource.DOWNSTREAM).outMsat(1_199_000).feeMsat(1_000).resolvedTime(T0.plusSeconds(102)).build()));
        writes.add(store.submit(forward(102).reason(RecordedReason.fromCode(0x5555)).build()));
        writes.forEach(CompletableFuture::join);
    }

    @AfterEach
    void stop()
    {
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
                .receivedTime(T0.plusSeconds(htlcId).plusNanos(123_456_789));
    }

    private JsonNode call(String method, String paramsJson)
            throws Exception
    {
        JsonNode params = TestJson.MAPPER.readTree(paramsJson);
        if (params.isObject()) {
            Schemas.assertValid(method + ".request", params);
        }
        JsonNode result = rpc.call(method, params);
        Schemas.assertValid(method + ".response", result);
        return result;
    }

    @Test
    void nodeIdPicksTheRecordsOfOneOrSeveralNodesOfAFleet()
            throws Exception
    {
        // a second node's records in the same database, as a fleet's plugins write them
        String second = "02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01";
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(store.submit(forward(i).nodeId(NodeId.fromHex(second)).reason(RecordedReason.fromCode(0x1007)).build()));
        }
        writes.forEach(CompletableFuture::join);

        assertThat(call("listhtlcfailures", "{}").get("htlcfailures")).hasSize(48);
        JsonNode secondOnly = call("listhtlcfailures", "{\"node_id\": \"" + second + "\"}").get("htlcfailures");
        assertThat(secondOnly).hasSize(5);
        secondOnly.forEach(item -> assertThat(item.get("node_id").asText()).isEqualTo(second));
        assertThat(call("listhtlcfailures", "{\"node_id\": [\"" + NODE + "\", \"" + second + "\"]}").get("htlcfailures")).hasSize(48);
        assertThat(call("listhtlcfailures", "{\"node_id\": \"" + NODE + "\", \"reason\": \"temporary_channel_failure\"}").get("htlcfailures")).isEmpty();
        assertThat(call("listhtlcfailures", "{\"node_id\": \"" + PEER + "\"}").get("htlcfailures")).isEmpty();

        JsonNode byNode = call("htlcfailurestats", "{\"group_by\": \"node\"}");
        assertThat(byNode.get("groups")).hasSize(2);
        assertThat(byNode.get("groups").get(1).get("node").asText()).isEqualTo(second);
        assertThat(byNode.get("groups").get(1).get("count").asLong()).isEqualTo(5);
        assertThat(call("htlcfailurestats", "{\"group_by\": \"reason\", \"node_id\": \"" + second + "\"}").get("total").get("count").asLong()).isEqualTo(5);

        assertThatThrownBy(() -> rpc.call("listhtlcfailures", TestJson.MAPPER.readTree("{\"node_id\": \"02abc\"}")))
                .hasMessageContaining("node_id")
                .hasMessageContaining("02abc");
        assertThat(Schemas.problems("listhtlcfailures.request", TestJson.MAPPER.readTree("{\"node_id\": \"02abc\"}"))).isNotEmpty();
    }

    @Test
    void listsEveryRecordWithItsReasonEvidenceAndASentence()
            throws Exception
    {
        JsonNode result = call("listhtlcfailures", "{}");
        JsonNode items = result.get("htlcfailures");
        assertThat(items).hasSize(43);
        JsonNode first = items.get(0);
        assertThat(first.get("created_index").asLong()).isEqualTo(1);
        assertThat(first.get("reason").asText()).isEqualTo("channel_balance_overdrawn");
        assertThat(first.get("reason_source").asText()).isEqualTo("inferred");
        assertThat(first.get("failcode").asInt()).isEqualTo(4103);
        assertThat(first.get("failcode_name").asText()).isEqualTo("WIRE_TEMPORARY_CHANNEL_FAILURE");
        assertThat(first.get("evidence").toString()).isEqualTo("{\"requested_msat\":120000,\"spendable_msat\":80000}");
        assertThat(first.get("reason_detail").asText()).isEqualTo("the outgoing channel could spend 80000 msat; the HTLC needed 120000 msat");
        assertThat(first.get("in_channel").asText()).isEqualTo("101x1x0");
        assertThat(first.get("in_peer_id").asText()).isEqualTo(PEER);
        assertThat(TestJson.MAPPER.writeValueAsString(first.get("received_time"))).isEqualTo("1755648000.123456789");

        JsonNode policy = items.get(40);
        assertThat(policy.get("type").asText()).isEqualTo("intercepted");
        assertThat(policy.get("rule").asText()).isEqualTo("fee-floor");
        assertThat(policy.get("reason_detail").asText()).isEqualTo("failscope rule 'fee-floor' failed the HTLC with fee_insufficient");
        JsonNode downstream = items.get(41);
        assertThat(downstream.has("failcode")).isFalse();
        assertThat(downstream.has("reason")).isFalse();
        assertThat(downstream.get("reason_detail").asText()).isEqualTo("a later hop failed the HTLC; its reason is encrypted for the sender");
        assertThat(items.get(42).get("failcode_name").asText()).isEqualTo("UNKNOWN 21845");
        assertThat(items.get(42).get("reason_detail").asText()).isEqualTo("a wire code this version of failscope does not know (UNKNOWN 21845)");
    }

    @Test
    void filtersCombineAndPageByIndex()
            throws Exception
    {
        assertThat(call("listhtlcfailures", "{\"reason\":\"channel_balance_overdrawn\",\"in_channel\":\"102x1x0\"}").get("htlcfailures")).hasSize(20);
        assertThat(call("listhtlcfailures", "{\"reason\":[\"policy_failed\",\"unknown_failure_code\"]}").get("htlcfailures")).hasSize(2);
        assertThat(call("listhtlcfailures", "{\"failcode\":\"WIRE_FEE_INSUFFICIENT\"}").get("htlcfailures")).hasSize(1);
        assertThat(call("listhtlcfailures", "{\"failcode\":\"0x100c\",\"type\":\"intercepted\"}").get("htlcfailures")).hasSize(1);
        assertThat(call("listhtlcfailures", "{\"source\":\"downstream\",\"peer_id\":\"" + PEER + "\",\"payment_hash\":\"" + HASH + "\"}").get("htlcfailures")).hasSize(1);
        assertThat(call("listhtlcfailures", "{\"since\":1755648010.5,\"until\":1755648020,\"min_msat\":\"1200012msat\",\"max_msat\":1200015}").get("htlcfailures"))
                .extracting(item -> item.get("in_htlc_id").asInt()).containsExactly(12, 13, 14, 15);
        JsonNode page = call("listhtlcfailures", "{\"index\":\"created\",\"start\":10,\"limit\":3,\"out_channel\":\"103x1x0\"}").get("htlcfailures");
        assertThat(page).extracting(item -> item.get("created_index").asLong()).containsExactly(10L, 11L, 12L);
        assertThat(call("listhtlcfailures", "{\"index\":\"updated\"}").get("htlcfailures")).isEmpty();
    }

    @Test
    void acceptsCoreLightningsArrayFormWhereNullMeansNotGiven()
            throws Exception
    {
        JsonNode byPosition = rpc.call("listhtlcfailures", TestJson.MAPPER.readTree("[\"policy_failed\", null, \"intercepted\"]"));
        Schemas.assertValid("listhtlcfailures.response", byPosition);
        assertThat(byPosition.get("htlcfailures")).hasSize(1);
        JsonNode paged = rpc.call("listhtlcfailures", TestJson.MAPPER.readTree("[null,null,null,null,null,null,null,null,null,null,null,null,\"created\",41,2]"));
        assertThat(paged.get("htlcfailures")).extracting(item -> item.get("created_index").asLong()).containsExactly(41L, 42L);
    }

    @Test
    void statisticsAddUpForEveryGrouping()
            throws Exception
    {
        for (String grouping : List.of("reason", "failcode", "type", "out_channel", "in_channel", "peer_id", "hour", "day")) {
            JsonNode stats = call("htlcfailurestats", "{\"group_by\":\"" + grouping + "\"}");
            assertThat(stats.get("total").get("count").asLong()).as(grouping).isEqualTo(43);
            long sum = 0;
            for (JsonNode group : stats.get("groups")) {
                assertThat(group.has(grouping)).as(grouping).isTrue();
                sum += group.get("count").asLong();
            }
            assertThat(sum).as(grouping).isEqualTo(43);
        }
        JsonNode byReason = call("htlcfailurestats", "{}");
        assertThat(byReason.get("groups").get(0).toString())
                .isEqualTo("{\"reason\":\"channel_balance_overdrawn\",\"count\":40,\"amount_msat\":" + (40 * 1_200_000 + 780) + ",\"missed_fee_msat\":0}");
        JsonNode missed = call("htlcfailurestats", "{\"group_by\":\"type\",\"since\":1755648101,\"until\":1755648102}");
        assertThat(missed.get("groups").get(0).toString()).isEqualTo("{\"type\":\"forward\",\"count\":1,\"amount_msat\":1200101,\"missed_fee_msat\":1000}");
        JsonNode byPeer = call("htlcfailurestats", "{\"group_by\":\"peer_id\"}");
        assertThat(byPeer.get("groups").get(0).get("peer_id").isNull()).isTrue();
    }

    @Test
    void deletesWhatMatchesAndRefusesToDeleteEverything()
            throws Exception
    {
        assertThat(call("delhtlcfailures", "{\"before\":1755648010,\"reason\":\"channel_balance_overdrawn\"}").get("deleted").asLong()).isEqualTo(10);
        assertThat(call("listhtlcfailures", "{}").get("htlcfailures")).hasSize(33);
        assertThatThrownBy(() -> rpc.call("delhtlcfailures", TestJson.MAPPER.readTree("{}")))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcErrorCode.INVALID_PARAMS))
                .hasMessageContaining("needs before or at least one filter");
        assertThat(Schemas.problems("delhtlcfailures.request", TestJson.MAPPER.readTree("{}"))).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"colour":"red"}                          | unknown parameter colour (with value "red")
            {"in_channel":"103:1:0"}                  | in_channel: should be a short channel id such as 103x1x0, got "103:1:0"
            {"out_channel":103}                       | out_channel: should be a short channel id such as 103x1x0, got 103
            {"payment_hash":"abcd"}                   | payment_hash: should be a payment hash: 64 hex digits, got "abcd"
            {"peer_id":"zz"}                          | peer_id: should be a node id: 66 hex digits starting with 02 or 03, got "zz"
            {"limit":0}                               | limit: should be between 1 and 10000, got 0
            {"limit":10001}                           | limit: should be between 1 and 10000, got 10001
            {"limit":"many"}                          | limit: should be a whole number between 1 and 10000, got "many"
            {"start":5}                               | start: needs index ("created" or "updated") to say which index it counts, got 5
            {"index":"deleted"}                       | index: should be "created" or "updated", got "deleted"
            {"reason":"peer_ofline"}                  | reason: 'peer_ofline' is not a reason (did you mean peer_offline?), got "peer_ofline"
            {"reason":[1]}                            | reason: should be a string or a list of strings, got [1]
            {"failcode":"0x1g07"}                     | failcode: should be a failure code: a number (4103), hex ("0x1007") or a name ("temporary_channel_failure"), got "0x1g07"
            {"type":"forwarded"}                      | type: should be one of forward, invalid_forward, invalid_onion, receive, send, intercepted, got "forwarded"
            {"source":"remote"}                       | source: should be one of local, downstream, got "remote"
            {"since":-1}                              | since: should be unix seconds between 0 and 253402300799 (year 9999), got -1
            {"until":"yesterday"}                     | until: should be unix seconds, such as 1755675000.5, got "yesterday"
            {"min_msat":"5sat"}                       | min_msat: should be an amount in msat (a whole number, or a string like "1000msat"), got "5sat"
            {"max_msat":-5}                           | max_msat: should be an amount in msat (a whole number, or a string like "1000msat"), got -5
            """)
    void invalidParamsNameTheParameterAndTheValue(String params, String message)
    {
        assertThatThrownBy(() -> rpc.call("listhtlcfailures", TestJson.MAPPER.readTree(params)))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(RpcErrorCode.INVALID_PARAMS);
                    assertThat(e.toJson().get("code").asInt()).isEqualTo(-32602);
                })
                .hasMessageStartingWith(message);
    }

    @Test
    void aHugeStringParameterIsRefusedAtOnceQuotingAShortPart()
    {
        // a 1 MB reason once cost seconds of "did you mean" and came back twice in the error
        String huge = "y".repeat(1_000_000);
        assertThatThrownBy(() -> rpc.call("listhtlcfailures", TestJson.MAPPER.createObjectNode().put("reason", huge)))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(RpcErrorCode.INVALID_PARAMS);
                    assertThat(e.getMessage()).startsWith("reason: ").contains("1000000").hasSizeLessThan(300);
                    assertThat(e.toJson().toString()).hasSizeLessThan(1000);
                });
    }

    @Test
    void otherMethodsRejectBadParamsToo()
    {
        assertThatThrownBy(() -> rpc.call("htlcfailurestats", TestJson.MAPPER.readTree("{\"group_by\":\"week\"}")))
                .hasMessage("group_by: should be one of reason, failcode, type, out_channel, in_channel, peer_id, hour, day, node, got \"week\"");
        assertThatThrownBy(() -> rpc.call("listhtlcfailures", TestJson.MAPPER.readTree("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]")))
                .hasMessageStartingWith("too many parameters: 17 given, at most 16");
        assertThatThrownBy(() -> rpc.call("listhtlcfailures", TestJson.MAPPER.readTree("\"created\"")))
                .hasMessage("params must be an object or an array, got \"created\"");
        assertThatThrownBy(() -> rpc.call("listhtlcfailure", null))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcErrorCode.METHOD_NOT_FOUND))
                .hasMessage("unknown method \"listhtlcfailure\"");
    }

    @Test
    void aStoreProblemIsAClearErrorNotACrash()
    {
        store.close();
        assertThatThrownBy(() -> rpc.call("listhtlcfailures", null))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcErrorCode.STORE_UNAVAILABLE))
                .hasMessage("the failure store cannot serve listhtlcfailures: the store is closed");
    }

    @Test
    void theSchemasReasonNamesAreExactlyTheReasonEnum()
    {
        JsonNode names = Schemas.schema("listhtlcfailures.request").getSchemaNode().at("/$defs/reason/enum");
        Set<String> schemaNames = new HashSet<>();
        names.forEach(name -> schemaNames.add(name.asText()));
        assertThat(schemaNames).containsExactlyInAnyOrderElementsOf(Stream.of(LocalReason.values()).map(LocalReason::snakeName).toList());
        ObjectNode unknown = TestJson.MAPPER.createObjectNode().put("colour", "red");
        assertThat(Schemas.problems("listhtlcfailures.request", unknown)).isNotEmpty();
    }
}
