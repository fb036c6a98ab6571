package io.failscope.realnet;

import static java.util.Objects.requireNonNull;

/** A channel the harness opened: who funded it, the peer, and its ids once confirmed. */
public record Channel(LightningNode opener, LightningNode peer, String channelId, String scid)
{
    public Channel
    {
        requireNonNull(opener, "opener is null");
        requireNonNull(peer, "peer is null");
        requireNonNull(channelId, "channelId is null");
        requireNonNull(scid, "scid is null");
    }

    @Override
    public String toString()
    {
        return scid + " (" + opener.name() + "-" + peer.name() + ")";
    }
}
