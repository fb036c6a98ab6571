package io.failscope.store;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * The key of one statistics group, typed by what was grouped. Java 17 has no switch over sealed
 * types, so code that must handle every kind goes through a {@link Visitor}: a new kind is then a
 * compile error wherever it is not handled.
 */
public sealed interface GroupKey
{
    <R> R accept(Visitor<R> visitor);

    interface Visitor<R>
    {
        R reason(LocalReason reason);

        R failcode(int failcode);

        R type(FailureType type);

        R channel(ShortChannelId channel);

        /** A peer ({@code peer_id} groups by the outgoing peer) or a node ({@code node} groups by the node that recorded the failure). */
        R node(NodeId node);

        /** The start of an hour or a day, in UTC. */
        R time(Instant start);
    }

    record Reason(LocalReason reason)
            implements GroupKey
    {
        public Reason
        {
            requireNonNull(reason, "reason is null");
        }

        @Override
        public <R> R accept(Visitor<R> visitor)
        {
            return visitor.reason(reason);
        }
    }

    record Failcode(int failcode)
            implements GroupKey
    {
        public Failcode
        {
            if (failcode < 0 || failcode > 0xFFFF) {
                throw new IllegalArgumentException("failcode must be a u16: " + failcode);
            }
        }

        @Override
        public <R> R accept(Visitor<R> visitor)
        {
            return visitor.failcode(failcode);
        }
    }

    record Type(FailureType type)
            implements GroupKey
    {
        public Type
        {
            requireNonNull(type, "type is null");
        }

        @Override
        public <R> R accept(Visitor<R> visitor)
        {
            return visitor.type(type);
        }
    }

    record Channel(ShortChannelId channel)
            implements GroupKey
    {
        public Channel
        {
            requireNonNull(channel, "channel is null");
        }

        @Override
        public <R> R accept(Visitor<R> visitor)
        {
            return visitor.channel(channel);
        }
    }

    record Node(NodeId node)
            implements GroupKey
    {
        public Node
        {
            requireNonNull(node, "node is null");
        }

        @Override
        public <R> R accept(Visitor<R> visitor)
        {
            return visitor.node(node);
        }
    }

    record Time(Instant start)
            implements GroupKey
    {
        public Time
        {
            requireNonNull(start, "start is null");
        }

        @Override
        public <R> R accept(Visitor<R> visitor)
        {
            return visitor.time(start);
        }
    }
}
