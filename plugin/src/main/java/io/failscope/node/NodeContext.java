package io.failscope.node;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * One consistent snapshot of what the node told us: who it is, the block height, its channels and
 * the settings the classifier needs. Immutable; the cache swaps in a new one on every refresh.
 */
public record NodeContext(
        Optional<NodeId> nodeId,
        OptionalLong blockHeight,
        Map<ShortChannelId, ChannelContext> channels,
        Map<String, String> settings,
        Instant refreshedAt)
{
    public static final NodeContext EMPTY = new NodeContext(Optional.empty(), OptionalLong.empty(), Map.of(), Map.of(), Instant.EPOCH);

    public NodeContext
    {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(blockHeight, "blockHeight is null");
        channels = Map.copyOf(requireNonNull(channels, "channels is null"));
        settings = Map.copyOf(requireNonNull(settings, "settings is null"));
        requireNonNull(refreshedAt, "refreshedAt is null");
    }

    /** Channels by short channel id and by local alias (Core Lightning reports HTLCs on aliases before confirmation). */
    static Map<ShortChannelId, ChannelContext> index(List<ChannelContext> channels)
    {
        Map<ShortChannelId, ChannelContext> byScid = new HashMap<>();
        for (ChannelContext channel : channels) {
            channel.shortChannelId().ifPresent(scid -> byScid.put(scid, channel));
            channel.alias().ifPresent(alias -> byScid.putIfAbsent(alias, channel));
        }
        return byScid;
    }

    public Optional<ChannelContext> channel(ShortChannelId scid)
    {
        return Optional.ofNullable(channels.get(scid));
    }

    public NodeContext withBlockHeight(long height)
    {
        return new NodeContext(nodeId, OptionalLong.of(height), channels, settings, refreshedAt);
    }
}
