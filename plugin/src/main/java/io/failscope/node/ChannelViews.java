package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.ShortChannelId;
import io.failscope.json.Json;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Views of single channels fresher than the last snapshot ({@code listpeerchannels short_channel_id=...}),
 * each with when it was taken, so that many failures on one channel share one look-up instead of asking
 * the node once each: during a probing storm the node must not be made to work for failscope. While the
 * node's RPC fails, no look-up is tried for a few seconds: the last views are used.
 */
final class ChannelViews
{
    private static final System.Logger LOG = System.getLogger(ChannelViews.class.getName());
    /** After a failed look-up, none is tried for this long. */
    static final Duration BACKOFF = Duration.ofSeconds(5);

    private record View(List<ChannelContext> channels, Instant at) {}

    private final NodeRpcClient client;
    private final Clock clock;
    private final Map<ShortChannelId, View> views = new ConcurrentHashMap<>();
    private volatile Instant quietUntil = Instant.MIN;

    ChannelViews(NodeRpcClient client, Clock clock)
    {
        this.client = requireNonNull(client, "client is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * {@code context} with each channel of {@code notBefore} as the node reported it at or after the
     * instant given for it: the view taken for an earlier failure when that is recent enough, else a new
     * look-up. A channel the node does not answer for keeps the freshest view there is.
     */
    NodeContext with(NodeContext context, Map<ShortChannelId, Instant> notBefore)
    {
        Map<ShortChannelId, ChannelContext> merged = new HashMap<>(context.channels());
        for (Map.Entry<ShortChannelId, Instant> wanted : notBefore.entrySet()) {
            ShortChannelId scid = wanted.getKey();
            View view = views.get(scid);
            Instant snapshotAt = context.channel(scid).isPresent() ? context.refreshedAt() : Instant.MIN;
            boolean viewIsNewer = view != null && view.at().isAfter(snapshotAt);
            Instant freshest = viewIsNewer ? view.at() : snapshotAt;
            if (freshest.isBefore(wanted.getValue())) {
                View fresh = lookUp(scid);
                if (fresh != null) {
                    merged.putAll(NodeContext.index(fresh.channels()));
                    continue;
                }
            }
            if (viewIsNewer) {
                merged.putAll(NodeContext.index(view.channels()));
            }
        }
        return new NodeContext(context.nodeId(), context.blockHeight(), merged, context.settings(), context.refreshedAt());
    }

    private View lookUp(ShortChannelId scid)
    {
        Instant now = clock.instant();
        if (now.isBefore(quietUntil)) {
            return null;
        }
        try {
            JsonNode answer = client.call("listpeerchannels", Json.object().put("short_channel_id", scid.toString()));
            List<ChannelContext> channels = new ArrayList<>();
            for (JsonNode channel : answer.path("channels")) {
                channels.add(ChannelContext.fromListPeerChannels(channel));
            }
            View view = new View(List.copyOf(channels), now);
            views.put(scid, view);
            return view;
        }
        catch (NodeRpcException | RuntimeException e) {
            quietUntil = now.plus(BACKOFF);
            LOG.log(Level.DEBUG, "no fresh view of " + scid + ", using the last one: " + e.getMessage());
            return null;
        }
    }

    /** A new snapshot has every channel: older single views are of no more use. */
    void snapshotTaken(Instant at)
    {
        views.values().removeIf(view -> !view.at().isAfter(at));
    }
}
