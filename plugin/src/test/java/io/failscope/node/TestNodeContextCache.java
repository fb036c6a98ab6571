package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.ShortChannelId;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestNodeContextCache
{
    /** A node RPC answering from a map, recording calls; a missing answer is a failure. */
    private static final class FakeNode
            implements NodeRpcClient
    {
        final Map<String, String> answers = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public JsonNode call(String method, JsonNode params)
                throws NodeRpcException
        {
            calls.add(method);
            String answer = answers.get(method);
            if (answer == null) {
                throw new NodeRpcException(method + " is down");
            }
            try {
                return TestJson.MAPPER.readTree(answer);
            }
            catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static FakeNode node()
    {
        FakeNode node = new FakeNode();
        node.answers.put("getinfo", "{\"id\":\"023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb\",\"blockheight\":800000,\"new_field\":1}");
        node.answers.put("listpeerchannels", """
                {"channels":[{"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8","peer_connected":false,
                  "state":"CHANNELD_NORMAL","short_channel_id":"103x1x0","alias":{"local":"5x6x7"},"spendable_msat":80000,
                  "minimum_htlc_out_msat":1000,"maximum_htlc_out_msat":"990000000msat","fee_base_msat":1000,"fee_proportional_millionths":10,
                  "max_accepted_htlcs":30,"their_max_htlc_value_in_flight_msat":5000000,
                  "updates":{"local":{"cltv_expiry_delta":34}},
                  "htlcs":[{"direction":"out","amount_msat":1000},{"direction":"in","amount_msat":7},{"direction":"out","amount_msat":2000}]}]}
                """);
        node.answers.put("listconfigs", "{\"configs\":{\"cltv-delta\":{\"value_int\":34},\"max-dust-htlc-exposure-msat\":{\"value_msat\":50000000},\"alias\":{\"value_str\":\"x\"}}}");
        return node;
    }

    @Test
    void aRefreshReadsTheNodeLenientlyIntoOneSnapshot()
            throws Exception
    {
        try (NodeContextCache cache = new NodeContextCache(node(), Duration.ofHours(1), Clock.systemUTC())) {
            assertThat(cache.current()).isEqualTo(NodeContext.EMPTY);
            NodeContext context = cache.refresh();
            assertThat(cache.current()).isSameAs(context);
            assertThat(context.nodeId()).map(Object::toString).contains("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb");
            assertThat(context.blockHeight()).hasValue(800_000);
            ChannelContext channel = context.channel(ShortChannelId.parse("103x1x0")).orElseThrow();
            assertThat(context.channel(ShortChannelId.parse("5x6x7"))).contains(channel);
            assertThat(channel.peerConnected()).isFalse();
            assertThat(channel.spendableMsat()).hasValue(80_000);
            assertThat(channel.maximumHtlcOutMsat()).hasValue(990_000_000);
            assertThat(channel.cltvExpiryDelta()).hasValue(34);
            assertThat(channel.htlcsOut()).isEqualTo(2);
            assertThat(channel.htlcsOutMsat()).isEqualTo(3000);
            assertThat(channel.theirMaxHtlcValueInFlightMsat()).hasValue(5_000_000);
            assertThat(context.settings()).isEqualTo(Map.of("cltv-delta", "34", "max-dust-htlc-exposure-msat", "50000000"));
        }
    }

    @Test
    void aFailingNodeLeavesTheLastSnapshotAndBlocksMoveTheHeightAtOnce()
            throws Exception
    {
        FakeNode node = node();
        try (NodeContextCache cache = new NodeContextCache(node, Duration.ofHours(1), Clock.systemUTC())) {
            NodeContext first = cache.refresh();
            node.answers.remove("listpeerchannels");
            assertThatThrownBy(cache::refresh).isInstanceOf(NodeRpcException.class).hasMessage("listpeerchannels is down");
            assertThat(cache.current()).isSameAs(first);
            cache.blockAdded(800_005);
            assertThat(cache.current().blockHeight()).hasValue(800_005);
            cache.blockAdded(799_999);
            assertThat(cache.current().blockHeight()).as("an old block does not move the height back").hasValue(800_005);
        }
    }

    @Test
    void aFailureIsJudgedOnAViewTakenAfterItArrivedAndOneLookUpServesEveryFailureBeforeIt()
            throws Exception
    {
        FakeNode node = node();
        Instant start = Instant.parse("2026-12-01T00:00:00Z");
        MutableClock clock = new MutableClock(start);
        ShortChannelId scid = ShortChannelId.parse("103x1x0");
        try (NodeContextCache cache = new NodeContextCache(node, Duration.ofHours(1), clock)) {
            NodeContext context = cache.currentOrRefreshed();
            assertThat(context.blockHeight()).hasValue(800_000);
            assertThat(cache.currentOrRefreshed()).isSameAs(context);
            // the channel changed since the snapshot: a failure that arrived after it gets a fresh view
            node.answers.put("listpeerchannels", "{\"channels\":[{\"short_channel_id\":\"103x1x0\",\"state\":\"CHANNELD_NORMAL\",\"peer_connected\":true,\"spendable_msat\":5}]}");
            clock.now = start.plusSeconds(2);
            NodeContext fresh = cache.withChannelsViewedSince(context, Map.of(scid, start.plusSeconds(1)));
            assertThat(fresh.channel(scid).orElseThrow().spendableMsat()).hasValue(5);
            assertThat(context.channel(scid).orElseThrow().spendableMsat()).hasValue(80_000);
            long lookUps = node.calls.stream().filter("listpeerchannels"::equals).count();
            // another failure that arrived before that look-up is served by it, without asking the node again
            assertThat(cache.withChannelsViewedSince(context, Map.of(scid, start.plusMillis(1500))).channel(scid).orElseThrow().spendableMsat()).hasValue(5);
            // and one that needs only a few seconds' old view takes the freshest there is
            assertThat(cache.withChannelsViewedSince(context, Map.of(scid, start.minusSeconds(5))).channel(scid).orElseThrow().spendableMsat()).hasValue(5);
            assertThat(node.calls.stream().filter("listpeerchannels"::equals).count()).isEqualTo(lookUps);
            // one that arrived after the look-up needs a new one
            clock.now = start.plusSeconds(4);
            cache.withChannelsViewedSince(context, Map.of(scid, start.plusSeconds(3)));
            assertThat(node.calls.stream().filter("listpeerchannels"::equals).count()).isEqualTo(lookUps + 1);
            // a node that does not answer leaves the freshest view, and is not asked again for a few seconds
            node.answers.remove("listpeerchannels");
            clock.now = start.plusSeconds(6);
            assertThat(cache.withChannelsViewedSince(context, Map.of(scid, start.plusSeconds(5))).channel(scid).orElseThrow().spendableMsat()).hasValue(5);
            cache.withChannelsViewedSince(context, Map.of(scid, start.plusSeconds(6)));
            assertThat(node.calls.stream().filter("listpeerchannels"::equals).count()).isEqualTo(lookUps + 2);
        }
    }

    /** A clock tests move by hand. */
    private static final class MutableClock
            extends Clock
    {
        volatile Instant now;

        MutableClock(Instant now)
        {
            this.now = now;
        }

        @Override
        public ZoneId getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone)
        {
            return this;
        }

        @Override
        public Instant instant()
        {
            return now;
        }
    }

    @Test
    void requestedRefreshesHappenInTheBackground()
            throws Exception
    {
        FakeNode node = node();
        try (NodeContextCache cache = new NodeContextCache(node, Duration.ofHours(1), Clock.systemUTC())) {
            cache.requestRefresh();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (cache.current().blockHeight().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(cache.current().blockHeight()).hasValue(800_000);
        }
    }
}
