package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.json.Json;
import io.failscope.status.StatusSection;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * The node's context (identity, block height, channels, settings), refreshed in the background on a
 * schedule and whenever a notification says it changed. Readers get the latest snapshot at once and
 * never wait for the node: the hook path must not block on the node's RPC.
 */
public final class NodeContextCache
        implements StatusSection, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(NodeContextCache.class.getName());

    /** listconfigs entries the classifier reads. */
    /** A height this high would be a time, not a block: no node reports one. */
    private static final long MAX_HEIGHT = 500_000_000L;

    static final Set<String> SETTINGS = Set.of("cltv-delta", "cltv-final", "max-dust-htlc-exposure-msat", "max-concurrent-htlcs", "htlc-minimum-msat", "htlc-maximum-msat", "fee-base", "fee-per-satoshi");

    private final NodeRpcClient client;
    private final Duration interval;
    private final Clock clock;
    private final AtomicReference<NodeContext> current = new AtomicReference<>(NodeContext.EMPTY);
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "failscope-node-context");
        thread.setDaemon(true);
        return thread;
    });
    private final List<LongConsumer> heightListeners = new CopyOnWriteArrayList<>();
    private final ChannelViews views;
    private volatile boolean failing;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile Instant quietUntil = Instant.MIN;

    public NodeContextCache(NodeRpcClient client, Duration interval, Clock clock)
    {
        this.client = requireNonNull(client, "client is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.views = new ChannelViews(client, clock);
    }

    public void start()
    {
        executor.scheduleWithFixedDelay(this::refreshQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latest snapshot; {@link NodeContext#EMPTY} until the first refresh succeeds. */
    public NodeContext current()
    {
        return current.get();
    }

    /** Asks for a refresh soon (channel state changed, a peer came or went); several requests make one refresh. */
    public void requestRefresh()
    {
        if (refreshQueued.compareAndSet(false, true)) {
            executor.execute(() -> {
                refreshQueued.set(false);
                refreshQuietly();
            });
        }
    }

    /** Hears each new block height the node reports, from a notification or a refresh. */
    public void onBlockHeight(LongConsumer listener)
    {
        heightListeners.add(requireNonNull(listener, "listener is null"));
    }

    /**
     * A new block: the height changes at once, without a call to the node. Heights only go up; one that
     * is no block height at all is ignored.
     */
    public void blockAdded(long height)
    {
        if (height < 0 || height >= MAX_HEIGHT) {
            LOG.log(Level.WARNING, "the node reported block height " + height + ", which cannot be; ignored");
            return;
        }
        NodeContext before = current.getAndUpdate(context -> context.blockHeight().isPresent() && context.blockHeight().getAsLong() >= height ? context : context.withBlockHeight(height));
        if (before.blockHeight().isEmpty() || before.blockHeight().getAsLong() < height) {
            heightListeners.forEach(listener -> listener.accept(height));
        }
    }

    /** Fetches a new snapshot now, on the calling thread. */
    public NodeContext refresh()
            throws NodeRpcException
    {
        JsonNode info = client.call("getinfo", Json.object());
        JsonNode peerChannels = client.call("listpeerchannels", Json.object());
        Map<String, String> settings = settings(client.call("listconfigs", Json.object()));
        List<ChannelContext> channels = new ArrayList<>();
        for (JsonNode channel : peerChannels.path("channels")) {
            channels.add(ChannelContext.fromListPeerChannels(channel));
        }
        Optional<NodeId> nodeId = Optional.empty();
        if (info.path("id").isTextual()) {
            try {
                nodeId = Optional.of(NodeId.fromHex(info.path("id").textValue()));
            }
            catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "getinfo returned an id that is not a node id: " + info.path("id"));
            }
        }
        OptionalLong height = NodeJson.number(info.path("blockheight")).stream().filter(value -> value < MAX_HEIGHT).findFirst();
        Instant taken = clock.instant();
        NodeContext context = new NodeContext(nodeId, height, NodeContext.index(channels), settings, taken);
        views.snapshotTaken(taken);
        OptionalLong previousHeight = current.get().blockHeight();
        // a block_added notification may have moved the height on while we were asking
        NodeContext installed = current.updateAndGet(previous -> previous.blockHeight().isPresent() && height.isPresent() && previous.blockHeight().getAsLong() > height.getAsLong()
                ? context.withBlockHeight(previous.blockHeight().getAsLong())
                : context);
        if (failing) {
            failing = false;
            LOG.log(Level.INFO, "the node's RPC answers again");
        }
        if (installed.blockHeight().isPresent() && !installed.blockHeight().equals(previousHeight)) {
            long newHeight = installed.blockHeight().getAsLong();
            heightListeners.forEach(listener -> listener.accept(newHeight));
        }
        return installed;
    }

    /**
     * The snapshot, refreshed first (on the calling thread) if it has never been filled, unless a refresh
     * failed a moment ago. For the notification path only: the hook path must never wait on the node.
     */
    public NodeContext currentOrRefreshed()
    {
        NodeContext context = current.get();
        if (context.nodeId().isEmpty() && !clock.instant().isBefore(quietUntil)) {
            refreshQuietly();
            context = current.get();
        }
        return context;
    }

    /**
     * The snapshot with each of {@code notBefore}'s channels as the node reported it at or after the
     * instant given for it ({@link ChannelViews}): a failure is judged against its channels as they were
     * when it failed, not as they were at the last refresh, and one look-up serves every failure of the
     * same channel that came before it.
     */
    public NodeContext withChannelsViewedSince(NodeContext context, Map<ShortChannelId, Instant> notBefore)
    {
        return views.with(context, notBefore);
    }

    private void refreshQuietly()
    {
        try {
            refresh();
        }
        catch (NodeRpcException | RuntimeException e) {
            lastError = e.getMessage();
            lastErrorAt = clock.instant();
            quietUntil = lastErrorAt.plus(ChannelViews.BACKOFF);
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "cannot refresh the node context, keeping the last one: " + e.getMessage());
            }
        }
    }

    /** listconfigs in both shapes: {@code {"configs": {"name": {"value_int": 34}}}} (v23.08+) and the older flat one. */
    static Map<String, String> settings(JsonNode listconfigs)
    {
        Map<String, String> settings = new HashMap<>();
        JsonNode configs = listconfigs.has("configs") ? listconfigs.get("configs") : listconfigs;
        Iterator<Map.Entry<String, JsonNode>> fields = configs.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!SETTINGS.contains(field.getKey())) {
                continue;
            }
            JsonNode value = field.getValue();
            if (value.isObject()) {
                for (String name : List.of("value_int", "value_msat", "value_str", "value_bool")) {
                    if (value.has(name)) {
                        settings.put(field.getKey(), value.get(name).asText());
                        break;
                    }
                }
            }
            else if (value.isValueNode()) {
                settings.put(field.getKey(), value.asText().replace("msat", ""));
            }
        }
        return settings;
    }

    @Override
    public String name()
    {
        return "node";
    }

    /** Who the node is, its height, how old the context is, and the last error of its RPC. */
    @Override
    public ObjectNode report()
    {
        NodeContext context = current.get();
        Instant now = clock.instant();
        ObjectNode report = Json.object();
        context.nodeId().ifPresent(id -> report.put("node_id", id.toString()));
        context.blockHeight().ifPresent(height -> report.put("block_height", height));
        if (!context.refreshedAt().equals(Instant.EPOCH)) {
            report.put("context_age_seconds", Duration.between(context.refreshedAt(), now).toSeconds());
        }
        report.put("channels", context.channels().values().stream().distinct().count());
        report.put("rpc_failing", failing);
        if (lastError != null) {
            report.put("last_error", lastError);
            report.put("last_error_age_seconds", Duration.between(lastErrorAt, now).toSeconds());
        }
        return report;
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
