package io.failscope.realnet;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The network the scenarios, the demo and the storm run on: A → B → C, with a channel A–B funded by A
 * and a channel B–C funded by B, each pushing part of its balance to the other side, so both
 * directions carry HTLCs. B is funded for one more channel than it opens.
 */
public record Line(RegtestNetwork network, LightningNode a, LightningNode b, LightningNode c, Channel ab, Channel bc)
        implements AutoCloseable
{
    /** A–B capacity for a handful of payments. */
    public static final long AB_CAPACITY_SAT = 5_000_000;
    public static final long BC_CAPACITY_SAT = 1_000_000;

    public Line
    {
        requireNonNull(network, "network is null");
        requireNonNull(a, "a is null");
        requireNonNull(b, "b is null");
        requireNonNull(c, "c is null");
        requireNonNull(ab, "ab is null");
        requireNonNull(bc, "bc is null");
    }

    /** Starts the three nodes with their extra lightningd options, funds them and opens both channels. */
    public static Line start(Binaries binaries, List<String> aOptions, List<String> bOptions, List<String> cOptions, long abCapacitySat, boolean keepDirectory)
            throws IOException, InterruptedException
    {
        RegtestNetwork network = RegtestNetwork.start(binaries, List.of(
                new RegtestNetwork.NodeSpec("a", aOptions),
                new RegtestNetwork.NodeSpec("b", bOptions),
                new RegtestNetwork.NodeSpec("c", cOptions)), keepDirectory);
        try {
            LightningNode a = network.node("a");
            LightningNode b = network.node("b");
            LightningNode c = network.node("c");
            network.fund(Map.of(a, 1, b, 2));
            List<Channel> channels = network.openChannels(List.of(
                    new RegtestNetwork.ChannelSpec(a, b, abCapacitySat, abCapacitySat * 1000 / 5),
                    new RegtestNetwork.ChannelSpec(b, c, BC_CAPACITY_SAT, BC_CAPACITY_SAT * 1000 / 2)));
            return new Line(network, a, b, c, channels.get(0), channels.get(1));
        }
        catch (IOException | InterruptedException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** The route A → B → C that delivers {@code amountMsat} to C with the fee and delta B charges. */
    public List<Hop> route(long amountMsat)
            throws IOException
    {
        return route(amountMsat, bc);
    }

    /** The same, with the onion naming {@code toC} as B's outgoing channel. */
    public List<Hop> route(long amountMsat, Channel toC)
            throws IOException
    {
        return Payments.route(amountMsat, List.of(new Payments.Leg(a, b, ab.scid()), new Payments.Leg(b, c, toC.scid())));
    }

    @Override
    public void close()
            throws InterruptedException
    {
        network.close();
    }
}
