package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.json.Json;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStats;
import io.failscope.store.FailureStore;
import io.failscope.store.GroupKey;
import io.failscope.store.StatsGrouping;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * {@code htlcfailurestats}: counts, amounts and missed fees over a time range, grouped by reason,
 * failcode, type, channel, peer or time bucket. Periods pruned by retention come from the daily totals.
 */
public final class HtlcFailureStats
        implements RpcMethod
{
    private static final List<String> PARAMETERS = List.of("group_by", "since", "until", FilterParams.NODE_ID);

    public static final RpcMethod.Info INFO = new RpcMethod.Info("htlcfailurestats", PARAMETERS,
            "Totals of HTLC failures (count, amount, missed fees) over a time range, grouped by reason, failcode, type, out_channel, in_channel, peer_id, hour, day or node; node_id picks nodes of a fleet (default all).");

    private final FailureStore store;

    @Inject
    public HtlcFailureStats(FailureStore store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public JsonNode invoke(Params params)
            throws RpcException
    {
        String groupName = params.string("group_by").orElse("reason");
        StatsGrouping grouping = StatsGrouping.forJsonName(groupName).orElseThrow(() -> RpcException.invalidParam("group_by", params.raw("group_by"),
                "should be one of " + Stream.of(StatsGrouping.values()).map(StatsGrouping::jsonName).collect(Collectors.joining(", "))));
        FailureFilter.Builder range = FailureFilter.builder();
        params.time("since").ifPresent(range::since);
        params.time("until").ifPresent(range::until);
        range.nodes(FilterParams.nodes(params));
        FailureStats stats = store.stats(range.build(), grouping);

        ObjectNode result = Json.object();
        result.put("group_by", grouping.jsonName());
        ArrayNode groups = result.putArray("groups");
        for (FailureStats.Group group : stats.groups()) {
            ObjectNode item = groups.addObject();
            putKey(item, grouping, group.key());
            putTotals(item, group.totals());
        }
        putTotals(result.putObject("total"), stats.total());
        putTotals(result.putObject("unsplit"), stats.unsplit());
        return result;
    }

    private static void putKey(ObjectNode item, StatsGrouping grouping, Optional<GroupKey> key)
    {
        String name = grouping.jsonName();
        if (key.isEmpty()) {
            item.putNull(name);
            return;
        }
        key.get().accept(new GroupKey.Visitor<Void>()
        {
            @Override
            public Void reason(LocalReason reason)
            {
                item.put(name, reason.snakeName());
                return null;
            }

            @Override
            public Void failcode(int failcode)
            {
                item.put(name, failcode);
                item.put("failcode_name", FailureCode.wireName(failcode));
                return null;
            }

            @Override
            public Void type(FailureType type)
            {
                item.put(name, type.snakeName());
                return null;
            }

            @Override
            public Void channel(ShortChannelId channel)
            {
                item.put(name, channel.toString());
                return null;
            }

            @Override
            public Void node(NodeId node)
            {
                item.put(name, node.toString());
                return null;
            }

            @Override
            public Void time(Instant start)
            {
                item.put(name, start.getEpochSecond());
                return null;
            }
        });
    }

    private static void putTotals(ObjectNode node, FailureStats.Totals totals)
    {
        node.put("count", totals.count());
        node.put("amount_msat", totals.amountMsat());
        node.put("missed_fee_msat", totals.missedFeeMsat());
    }
}
