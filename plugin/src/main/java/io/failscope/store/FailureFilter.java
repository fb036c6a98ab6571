package io.failscope.store;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Which records a query or a delete applies to; every part is optional and they combine with AND.
 * {@code peer} matches the incoming or the outgoing peer; {@code since} is inclusive and {@code until}
 * exclusive, on the received time; amounts bound the HTLC's amount ({@code in_msat}, or
 * {@code out_msat} for our own payments). {@code nodes} names the nodes whose records count (a
 * database may hold several nodes' records); empty means every node.
 */
public record FailureFilter(
        Set<NodeId> nodes,
        Set<LocalReason> reasons,
        OptionalInt failcode,
        Optional<FailureType> type,
        Optional<FailureSource> source,
        Optional<ShortChannelId> inChannel,
        Optional<ShortChannelId> outChannel,
        Optional<NodeId> peer,
        Optional<PaymentHash> paymentHash,
        Optional<Instant> since,
        Optional<Instant> until,
        OptionalLong minMsat,
        OptionalLong maxMsat)
{
    public static final FailureFilter ALL = new FailureFilter(Set.of(), Set.of(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty());

    public FailureFilter
    {
        nodes = Set.copyOf(requireNonNull(nodes, "nodes is null"));
        reasons = Set.copyOf(requireNonNull(reasons, "reasons is null"));
        requireNonNull(failcode, "failcode is null");
        requireNonNull(type, "type is null");
        requireNonNull(source, "source is null");
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(outChannel, "outChannel is null");
        requireNonNull(peer, "peer is null");
        requireNonNull(paymentHash, "paymentHash is null");
        requireNonNull(since, "since is null");
        requireNonNull(until, "until is null");
        requireNonNull(minMsat, "minMsat is null");
        requireNonNull(maxMsat, "maxMsat is null");
    }

    public Builder toBuilder()
    {
        return new Builder(this);
    }

    public static Builder builder()
    {
        return new Builder(ALL);
    }

    public static final class Builder
    {
        private Set<NodeId> nodes;
        private Set<LocalReason> reasons;
        private OptionalInt failcode;
        private Optional<FailureType> type;
        private Optional<FailureSource> source;
        private Optional<ShortChannelId> inChannel;
        private Optional<ShortChannelId> outChannel;
        private Optional<NodeId> peer;
        private Optional<PaymentHash> paymentHash;
        private Optional<Instant> since;
        private Optional<Instant> until;
        private OptionalLong minMsat;
        private OptionalLong maxMsat;

        private Builder(FailureFilter filter)
        {
            nodes = filter.nodes;
            reasons = filter.reasons;
            failcode = filter.failcode;
            type = filter.type;
            source = filter.source;
            inChannel = filter.inChannel;
            outChannel = filter.outChannel;
            peer = filter.peer;
            paymentHash = filter.paymentHash;
            since = filter.since;
            until = filter.until;
            minMsat = filter.minMsat;
            maxMsat = filter.maxMsat;
        }

        public Builder nodes(Set<NodeId> nodes)
        {
            this.nodes = nodes;
            return this;
        }

        public Builder reasons(Set<LocalReason> reasons)
        {
            this.reasons = reasons;
            return this;
        }

        public Builder failcode(int failcode)
        {
            this.failcode = OptionalInt.of(failcode);
            return this;
        }

        public Builder type(FailureType type)
        {
            this.type = Optional.of(type);
            return this;
        }

        public Builder source(FailureSource source)
        {
            this.source = Optional.of(source);
            return this;
        }

        public Builder inChannel(ShortChannelId inChannel)
        {
            this.inChannel = Optional.of(inChannel);
            return this;
        }

        public Builder outChannel(ShortChannelId outChannel)
        {
            this.outChannel = Optional.of(outChannel);
            return this;
        }

        public Builder peer(NodeId peer)
        {
            this.peer = Optional.of(peer);
            return this;
        }

        public Builder paymentHash(PaymentHash paymentHash)
        {
            this.paymentHash = Optional.of(paymentHash);
            return this;
        }

        public Builder since(Instant since)
        {
            this.since = Optional.of(since);
            return this;
        }

        public Builder until(Instant until)
        {
            this.until = Optional.of(until);
            return this;
        }

        public Builder minMsat(long minMsat)
        {
            this.minMsat = OptionalLong.of(minMsat);
            return this;
        }

        public Builder maxMsat(long maxMsat)
        {
            this.maxMsat = OptionalLong.of(maxMsat);
            return this;
        }

        public FailureFilter build()
        {
            return new FailureFilter(nodes, reasons, failcode, type, source, inChannel, outChannel, peer, paymentHash, since, until, minMsat, maxMsat);
        }
    }
}
