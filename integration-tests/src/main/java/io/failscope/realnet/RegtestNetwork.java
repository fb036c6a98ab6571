package io.failscope.realnet;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A throwaway regtest network: one bitcoind and lightningd nodes in fresh directories under one
 * root, on free loopback ports. It funds nodes by mining to them, opens channels with both sides
 * funded ({@code push_msat}), and waits on conditions, never on the clock. {@link #close()} stops
 * every node and bitcoind, kills what does not stop, and fails if any process it started survived.
 */
public final class RegtestNetwork
        implements AutoCloseable
{
    /** A node to start: its name (also its directory) and extra lightningd options. */
    public record NodeSpec(String name, List<String> options)
    {
        public NodeSpec
        {
            requireNonNull(name, "name is null");
            options = List.copyOf(options);
        }
    }

    /** A channel to open: {@code opener} funds {@code capacitySat} and gives {@code pushMsat} to {@code peer}. */
    public record ChannelSpec(LightningNode opener, LightningNode peer, long capacitySat, long pushMsat)
    {
        public ChannelSpec
        {
            requireNonNull(opener, "opener is null");
            requireNonNull(peer, "peer is null");
        }
    }

    private static final Duration CHANNEL_WAIT = Duration.ofSeconds(90);

    private final Path root;
    private final ProcessGuard guard;
    private final Bitcoind bitcoind;
    private final Map<String, LightningNode> nodes = new LinkedHashMap<>();
    private final boolean keepDirectory;
    private String miningAddress;

    private RegtestNetwork(Path root, ProcessGuard guard, Bitcoind bitcoind, boolean keepDirectory)
    {
        this.root = requireNonNull(root, "root is null");
        this.guard = requireNonNull(guard, "guard is null");
        this.bitcoind = requireNonNull(bitcoind, "bitcoind is null");
        this.keepDirectory = keepDirectory;
    }

    /**
     * Starts bitcoind, then the nodes side by side, under a new directory in {@code /tmp} (unix socket
     * paths must stay short). The directory is removed on close unless {@code keepDirectory}.
     */
    public static RegtestNetwork start(Binaries binaries, List<NodeSpec> specs, boolean keepDirectory)
            throws IOException, InterruptedException
    {
        Path root = Files.createTempDirectory(Path.of("/tmp"), "realnet-");
        ProcessGuard guard = new ProcessGuard();
        RegtestNetwork network = null;
        try {
            network = new RegtestNetwork(root, guard, Bitcoind.start(binaries, root.resolve("bitcoind"), guard), keepDirectory);
            RegtestNetwork starting = network;
            List<LightningNode> started = parallel(specs.stream()
                    .map(spec -> (Step<LightningNode>) () -> LightningNode.start(spec.name(), root, binaries, starting.bitcoind, spec.options(), guard))
                    .toList());
            started.forEach(node -> starting.nodes.put(node.name(), node));
            network.miningAddress = started.get(0).newAddress();
            return network;
        }
        catch (IOException | InterruptedException | RuntimeException e) {
            if (network != null) {
                network.close();
            }
            else {
                guard.close();
            }
            throw e;
        }
    }

    public Path root()
    {
        return root;
    }

    public LightningNode node(String name)
    {
        LightningNode node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return node;
    }

    /**
     * Gives each node {@code coinbases} spendable outputs of 50 BTC (one per channel it will open:
     * a second open cannot spend the first one's unconfirmed change), then matures them.
     */
    public void fund(Map<LightningNode, Integer> coinbases)
            throws IOException, InterruptedException
    {
        for (Map.Entry<LightningNode, Integer> entry : coinbases.entrySet()) {
            bitcoind.mine(entry.getValue(), entry.getKey().newAddress());
        }
        mine(100);
        for (LightningNode node : coinbases.keySet()) {
            Poll.until(node.name() + "'s confirmed outputs", Duration.ofSeconds(60),
                    () -> node.call("listfunds").path("outputs").size() >= coinbases.get(node));
        }
    }

    /** Mines {@code blocks} blocks and waits until every running node has seen them; the new height. */
    public long mine(int blocks)
            throws IOException, InterruptedException
    {
        long height = bitcoind.mine(blocks, miningAddress);
        for (LightningNode node : nodes.values()) {
            node.awaitHeight(height);
        }
        return height;
    }

    /**
     * Opens the channels (each opener connects to its peer first), confirms them all in one go and
     * waits until both ends of each are in {@code CHANNELD_NORMAL} with the peer connected.
     */
    public List<Channel> openChannels(List<ChannelSpec> specs)
            throws IOException, InterruptedException
    {
        List<String> channelIds = new ArrayList<>();
        for (ChannelSpec spec : specs) {
            connect(spec.opener(), spec.peer());
            JsonNode funded = spec.opener().call("fundchannel", "id", spec.peer().id(), "amount", spec.capacitySat(), "push_msat", spec.pushMsat());
            channelIds.add(funded.get("channel_id").asText());
        }
        bitcoind.awaitMempool(specs.size());
        mine(6);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            ChannelSpec spec = specs.get(i);
            String scid = awaitNormal(spec.opener(), spec.peer(), channelIds.get(i));
            awaitNormal(spec.peer(), spec.opener(), channelIds.get(i));
            channels.add(new Channel(spec.opener(), spec.peer(), channelIds.get(i), scid));
        }
        return channels;
    }

    /** Connects {@code from} to {@code to} and waits until every channel between them is usable again. */
    public void connect(LightningNode from, LightningNode to)
            throws IOException, InterruptedException
    {
        // a node that has just started answers its RPC a moment before it listens for peers
        Poll.until(from.name() + " connected to " + to.name(), CHANNEL_WAIT, () -> {
            try {
                from.call("connect", "id", to.id(), "host", "127.0.0.1", "port", to.port());
                return true;
            }
            catch (LightningRpcException e) {
                return false;
            }
        });
        for (JsonNode channel : from.call("listpeerchannels", "id", to.id()).path("channels")) {
            if ("CHANNELD_NORMAL".equals(channel.path("state").asText())) {
                awaitNormal(from, to, channel.get("channel_id").asText());
                awaitNormal(to, from, channel.get("channel_id").asText());
            }
        }
    }

    /** Waits until {@code node} sees the channel normal, its peer connected and channeld in charge; its scid. */
    private static String awaitNormal(LightningNode node, LightningNode peer, String channelId)
            throws IOException, InterruptedException
    {
        return Poll.value(node.name() + "'s channel " + channelId + " with " + peer.name() + " in CHANNELD_NORMAL", CHANNEL_WAIT, () -> {
            for (JsonNode channel : node.call("listpeerchannels", "id", peer.id()).path("channels")) {
                if (channel.path("channel_id").asText().equals(channelId)
                        && channel.path("state").asText().equals("CHANNELD_NORMAL")
                        && channel.path("peer_connected").asBoolean()
                        && channel.path("owner").asText().equals("channeld")
                        && channel.path("reestablished").asBoolean(true)
                        && channel.hasNonNull("short_channel_id")) {
                    return Optional.of(channel.get("short_channel_id").asText());
                }
            }
            return Optional.empty();
        });
    }

    /** {@code node}'s view of one of its channels ({@code listpeerchannels short_channel_id=...}). */
    public static JsonNode channelView(LightningNode node, String scid)
            throws IOException
    {
        JsonNode channels = node.call("listpeerchannels", "short_channel_id", scid).path("channels");
        if (channels.isEmpty()) {
            throw new IOException(node.name() + " has no channel " + scid);
        }
        return channels.get(0);
    }

    /** Stops every node and bitcoind (gracefully, then by force), checks that no process survived, removes the directory. */
    @Override
    public void close()
            throws InterruptedException
    {
        try {
            parallel(nodes.values().stream().map(node -> (Step<Void>) () -> {
                node.stop();
                return null;
            }).toList());
        }
        catch (IOException e) {
            // a node that would not stop is killed below
        }
        finally {
            bitcoind.stop(guard);
            guard.close();
            if (!keepDirectory) {
                deleteTree(root);
            }
        }
    }

    private static void deleteTree(Path root)
    {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("could not remove " + root, e);
        }
    }

    /** One piece of work done side by side with others. */
    @FunctionalInterface
    interface Step<T>
    {
        T run()
                throws IOException, InterruptedException;
    }

    /** Runs the steps side by side; their results in order, or the first failure. */
    static <T> List<T> parallel(List<Step<T>> steps)
            throws IOException, InterruptedException
    {
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, steps.size()));
        try {
            List<Future<T>> futures = steps.stream().map(step -> executor.submit(step::run)).toList();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                try {
                    results.add(future.get());
                }
                catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(e.getCause());
                }
            }
            return results;
        }
        finally {
            executor.shutdownNow();
        }
    }
}
