package io.failscope.realnet;

import com.fasterxml.jackson.databind.node.ObjectNode;

import static java.util.Objects.requireNonNull;

/**
 * One hop of a {@code sendpay} route: the node it reaches, the channel it takes, the amount that node
 * receives and the CLTV delay of the HTLC it receives (relative to the sender's height).
 */
public record Hop(String nodeId, String channel, long amountMsat, int delay)
{
    public Hop
    {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(channel, "channel is null");
        if (amountMsat <= 0) {
            throw new IllegalArgumentException("amountMsat must be positive, got " + amountMsat);
        }
    }

    public Hop withAmountMsat(long amount)
    {
        return new Hop(nodeId, channel, amount, delay);
    }

    public Hop withDelay(int newDelay)
    {
        return new Hop(nodeId, channel, amountMsat, newDelay);
    }

    public Hop withChannel(String scid)
    {
        return new Hop(nodeId, scid, amountMsat, delay);
    }

    ObjectNode json()
    {
        return Bitcoind.MAPPER.createObjectNode()
                .put("id", nodeId)
                .put("channel", channel)
                .put("amount_msat", amountMsat)
                .put("delay", delay);
    }
}
