package io.failscope.record;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.tlv.Bytes;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * One failed HTLC: what we were doing, who decided, why, and the HTLC's own facts. Stored as a
 * versioned TLV record ({@link RecordCodec}, {@code docs/record-format.md}).
 *
 * <p>The reason is absent only for a downstream failure whose wire code is unknown to us (the normal
 * case: the downstream error is encrypted for the sender). {@code failureData} is the data that went
 * on the wire after the code. Times have nanosecond precision, as Core Lightning reports them.
 */
public record HtlcFailureRecord(
        NodeId nodeId,
        FailureType type,
        FailureSource source,
        Optional<RecordedReason> reason,
        Bytes failureData,
        Optional<ShortChannelId> inChannel,
        OptionalLong inHtlcId,
        OptionalLong inMsat,
        OptionalLong cltvExpiry,
        Optional<ShortChannelId> outChannel,
        Optional<NodeId> inPeer,
        Optional<NodeId> outPeer,
        OptionalLong outMsat,
        OptionalLong feeMsat,
        Optional<PaymentHash> paymentHash,
        Instant receivedTime,
        Optional<Instant> resolvedTime,
        Optional<String> rule,
        OptionalLong createdIndex,
        OptionalLong sendId,
        Optional<ShortChannelId> requestedOutChannel,
        UnknownFields unknownFields)
{
    public static final int MAX_RULE_LENGTH = 256;

    public HtlcFailureRecord
    {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(type, "type is null");
        requireNonNull(source, "source is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(failureData, "failureData is null");
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(outChannel, "outChannel is null");
        requireNonNull(inPeer, "inPeer is null");
        requireNonNull(outPeer, "outPeer is null");
        requireNonNull(paymentHash, "paymentHash is null");
        requireNonNull(receivedTime, "receivedTime is null");
        requireNonNull(resolvedTime, "resolvedTime is null");
        requireNonNull(rule, "rule is null");
        requireNonNull(requestedOutChannel, "requestedOutChannel is null");
        requireNonNull(unknownFields, "unknownFields is null");
        if (source == FailureSource.LOCAL && reason.isEmpty()) {
            throw new IllegalArgumentException("a local failure needs its reason and wire code");
        }
        if (reason.isEmpty() && !failureData.isEmpty()) {
            throw new IllegalArgumentException("failure data without a wire code: " + failureData.hex());
        }
        if (reason.isEmpty() && !unknownFields.inReason().isEmpty()) {
            throw new IllegalArgumentException("unknown reason fields without a reason");
        }
        checkNotNegative("in_htlc_id", inHtlcId);
        checkNotNegative("in_msat", inMsat);
        checkNotNegative("out_msat", outMsat);
        checkNotNegative("fee_msat", feeMsat);
        checkNotNegative("created_index", createdIndex);
        checkNotNegative("send_id", sendId);
        if (cltvExpiry.isPresent() && (cltvExpiry.getAsLong() < 0 || cltvExpiry.getAsLong() > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("cltv_expiry out of u32 range: " + cltvExpiry.getAsLong());
        }
        checkTime("received_time", receivedTime);
        resolvedTime.ifPresent(time -> checkTime("resolved_time", time));
        rule.ifPresent(name -> {
            if (name.isEmpty() || name.length() > MAX_RULE_LENGTH) {
                throw new IllegalArgumentException("rule name must have 1 to " + MAX_RULE_LENGTH + " characters: '" + name + "'");
            }
        });
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public Builder toBuilder()
    {
        return new Builder(this);
    }

    /** The BOLT #4 code that went on the wire, when we know it. */
    public OptionalInt wireCode()
    {
        return reason.map(value -> OptionalInt.of(value.wireCode())).orElse(OptionalInt.empty());
    }

    private static void checkNotNegative(String name, OptionalLong value)
    {
        if (value.isPresent() && value.getAsLong() < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value.getAsLong());
        }
    }

    private static void checkTime(String name, Instant time)
    {
        if (time.isBefore(Instant.EPOCH) || time.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L) {
            throw new IllegalArgumentException(name + " out of range: " + time);
        }
    }

    /** Nanoseconds since the epoch, the stored form of a time. */
    static long toNanos(Instant time)
    {
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    static Instant fromNanos(long nanos)
    {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    public static final class Builder
    {
        private NodeId nodeId;
        private FailureType type;
        private FailureSource source;
        private Optional<RecordedReason> reason = Optional.empty();
        private Bytes failureData = Bytes.EMPTY;
        private Optional<ShortChannelId> inChannel = Optional.empty();
        private OptionalLong inHtlcId = OptionalLong.empty();
        private OptionalLong inMsat = OptionalLong.empty();
        private OptionalLong cltvExpiry = OptionalLong.empty();
        private Optional<ShortChannelId> outChannel = Optional.empty();
        private Optional<NodeId> inPeer = Optional.empty();
        private Optional<NodeId> outPeer = Optional.empty();
        private OptionalLong outMsat = OptionalLong.empty();
        private OptionalLong feeMsat = OptionalLong.empty();
        private Optional<PaymentHash> paymentHash = Optional.empty();
        private Instant receivedTime;
        private Optional<Instant> resolvedTime = Optional.empty();
        private Optional<String> rule = Optional.empty();
        private OptionalLong createdIndex = OptionalLong.empty();
        private OptionalLong sendId = OptionalLong.empty();
        private Optional<ShortChannelId> requestedOutChannel = Optional.empty();
        private UnknownFields unknownFields = UnknownFields.NONE;

        private Builder() {}

        private Builder(HtlcFailureRecord record)
        {
            nodeId = record.nodeId;
            type = record.type;
            source = record.source;
            reason = record.reason;
            failureData = record.failureData;
            inChannel = record.inChannel;
            inHtlcId = record.inHtlcId;
            inMsat = record.inMsat;
            cltvExpiry = record.cltvExpiry;
            outChannel = record.outChannel;
            inPeer = record.inPeer;
            outPeer = record.outPeer;
            outMsat = record.outMsat;
            feeMsat = record.feeMsat;
            paymentHash = record.paymentHash;
            receivedTime = record.receivedTime;
            resolvedTime = record.resolvedTime;
            rule = record.rule;
            createdIndex = record.createdIndex;
            sendId = record.sendId;
            requestedOutChannel = record.requestedOutChannel;
            unknownFields = record.unknownFields;
        }

        public Builder nodeId(NodeId nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        public Builder type(FailureType type)
        {
            this.type = type;
            return this;
        }

        public Builder source(FailureSource source)
        {
            this.source = source;
            return this;
        }

        public Builder reason(RecordedReason reason)
        {
            this.reason = Optional.of(reason);
            return this;
        }

        public Builder reason(Optional<RecordedReason> reason)
        {
            this.reason = reason;
            return this;
        }

        public Builder failureData(Bytes failureData)
        {
            this.failureData = failureData;
            return this;
        }

        public Builder inChannel(ShortChannelId inChannel)
        {
            this.inChannel = Optional.of(inChannel);
            return this;
        }

        public Builder inHtlcId(long inHtlcId)
        {
            this.inHtlcId = OptionalLong.of(inHtlcId);
            return this;
        }

        public Builder inMsat(long inMsat)
        {
            this.inMsat = OptionalLong.of(inMsat);
            return this;
        }

        public Builder cltvExpiry(long cltvExpiry)
        {
            this.cltvExpiry = OptionalLong.of(cltvExpiry);
            return this;
        }

        public Builder outChannel(ShortChannelId outChannel)
        {
            this.outChannel = Optional.of(outChannel);
            return this;
        }

        public Builder inPeer(NodeId inPeer)
        {
            this.inPeer = Optional.of(inPeer);
            return this;
        }

        public Builder outPeer(NodeId outPeer)
        {
            this.outPeer = Optional.of(outPeer);
            return this;
        }

        public Builder outMsat(long outMsat)
        {
            this.outMsat = OptionalLong.of(outMsat);
            return this;
        }

        public Builder feeMsat(long feeMsat)
        {
            this.feeMsat = OptionalLong.of(feeMsat);
            return this;
        }

        public Builder paymentHash(PaymentHash paymentHash)
        {
            this.paymentHash = Optional.of(paymentHash);
            return this;
        }

        public Builder receivedTime(Instant receivedTime)
        {
            this.receivedTime = receivedTime;
            return this;
        }

        public Builder resolvedTime(Instant resolvedTime)
        {
            this.resolvedTime = Optional.of(resolvedTime);
            return this;
        }

        public Builder rule(String rule)
        {
            this.rule = Optional.of(rule);
            return this;
        }

        public Builder createdIndex(long createdIndex)
        {
            this.createdIndex = OptionalLong.of(createdIndex);
            return this;
        }

        public Builder sendId(long sendId)
        {
            this.sendId = OptionalLong.of(sendId);
            return this;
        }

        /** The outgoing channel the onion named, kept when the node forwarded over another one. */
        public Builder requestedOutChannel(ShortChannelId requestedOutChannel)
        {
            this.requestedOutChannel = Optional.of(requestedOutChannel);
            return this;
        }

        public Builder unknownFields(UnknownFields unknownFields)
        {
            this.unknownFields = unknownFields;
            return this;
        }

        public HtlcFailureRecord build()
        {
            return new HtlcFailureRecord(nodeId, type, source, reason, failureData, inChannel, inHtlcId, inMsat, cltvExpiry,
                    outChannel, inPeer, outPeer, outMsat, feeMsat, paymentHash, receivedTime, resolvedTime, rule, createdIndex, sendId, requestedOutChannel, unknownFields);
        }
    }
}
