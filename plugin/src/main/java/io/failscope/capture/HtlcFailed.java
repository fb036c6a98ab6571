package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.record.RecordedReason;
import io.failscope.tlv.Bytes;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A failed HTLC as it was reported, whichever node reported it: Core Lightning's {@code forward_event}
 * and {@code sendpay_failure}, a JVM node's {@code htlc_handling_failed}, and failscope's own
 * interception failures. Capture joins it with what the hook saw, adds the node's context, and when the
 * node did not state the reason, classifies it from the wire code.
 *
 * <p>Values no HTLC can have are refused here, naming the field and the value: amounts above Bitcoin's
 * supply, wire codes outside 16 bits. A node is read leniently (a field it leaves out or renames is
 * simply absent), but an impossible value is never stored.
 *
 * @param nodeId the node that failed it, when the report names it; else the node's own id is used
 * @param sendId our own payment part's id at the node (Core Lightning's sendpay id), for {@code send}
 * @param failcode the BOLT #4 code that went on the wire, when known
 * @param statedReason the reason as the node (or failscope's own decision) states it; when empty, a local
 *         failure's reason is classified from {@code failcode} and the node's context
 * @param failureData what went on the wire after the code, when the reporter knows it
 */
public record HtlcFailed(
        FailureType type,
        FailureSource source,
        Optional<NodeId> nodeId,
        Optional<ShortChannelId> inChannel,
        OptionalLong inHtlcId,
        OptionalLong sendId,
        OptionalLong inMsat,
        OptionalLong cltvExpiry,
        Optional<NodeId> inPeer,
        Optional<ShortChannelId> outChannel,
        Optional<NodeId> outPeer,
        OptionalLong outMsat,
        OptionalLong feeMsat,
        Optional<PaymentHash> paymentHash,
        OptionalInt failcode,
        Optional<RecordedReason> statedReason,
        Bytes failureData,
        Optional<String> rule,
        Instant receivedTime,
        Optional<Instant> resolvedTime)
{
    public HtlcFailed
    {
        requireNonNull(type, "type is null");
        requireNonNull(source, "source is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(inChannel, "inChannel is null");
        requireNonNull(inPeer, "inPeer is null");
        requireNonNull(outChannel, "outChannel is null");
        requireNonNull(outPeer, "outPeer is null");
        requireNonNull(paymentHash, "paymentHash is null");
        requireNonNull(failcode, "failcode is null");
        requireNonNull(statedReason, "statedReason is null");
        requireNonNull(failureData, "failureData is null");
        requireNonNull(rule, "rule is null");
        requireNonNull(receivedTime, "receivedTime is null");
        requireNonNull(resolvedTime, "resolvedTime is null");
        checkAmount("in_msat", inMsat);
        checkAmount("out_msat", outMsat);
        checkAmount("fee_msat", feeMsat);
        checkRange("in_htlc_id", inHtlcId, Long.MAX_VALUE);
        checkRange("send_id", sendId, Long.MAX_VALUE);
        checkRange("cltv_expiry", cltvExpiry, 0xFFFF_FFFFL);
        if (failcode.isPresent() && (failcode.getAsInt() < 0 || failcode.getAsInt() > 0xFFFF)) {
            throw new IllegalArgumentException("failcode must be between 0 and 65535, got " + failcode.getAsInt());
        }
    }

    public static Builder builder(FailureType type, FailureSource source, Instant receivedTime)
    {
        return new Builder(type, source, receivedTime);
    }

    private static void checkAmount(String name, OptionalLong value)
    {
        checkRange(name, value, HtlcSeen.MAX_MSAT);
    }

    private static void checkRange(String name, OptionalLong value, long max)
    {
        if (value.isPresent() && (value.getAsLong() < 0 || value.getAsLong() > max)) {
            throw new IllegalArgumentException(name + " must be between 0 and " + max + ", got " + value.getAsLong());
        }
    }

    public static final class Builder
    {
        private final FailureType type;
        private final FailureSource source;
        private final Instant receivedTime;
        private Optional<NodeId> nodeId = Optional.empty();
        private Optional<ShortChannelId> inChannel = Optional.empty();
        private OptionalLong inHtlcId = OptionalLong.empty();
        private OptionalLong sendId = OptionalLong.empty();
        private OptionalLong inMsat = OptionalLong.empty();
        private OptionalLong cltvExpiry = OptionalLong.empty();
        private Optional<NodeId> inPeer = Optional.empty();
        private Optional<ShortChannelId> outChannel = Optional.empty();
        private Optional<NodeId> outPeer = Optional.empty();
        private OptionalLong outMsat = OptionalLong.empty();
        private OptionalLong feeMsat = OptionalLong.empty();
        private Optional<PaymentHash> paymentHash = Optional.empty();
        private OptionalInt failcode = OptionalInt.empty();
        private Optional<RecordedReason> statedReason = Optional.empty();
        private Bytes failureData = Bytes.EMPTY;
        private Optional<String> rule = Optional.empty();
        private Optional<Instant> resolvedTime = Optional.empty();

        private Builder(FailureType type, FailureSource source, Instant receivedTime)
        {
            this.type = type;
            this.source = source;
            this.receivedTime = receivedTime;
        }

        public Builder nodeId(Optional<NodeId> value)
        {
            nodeId = value;
            return this;
        }

        public Builder inChannel(Optional<ShortChannelId> value)
        {
            inChannel = value;
            return this;
        }

        public Builder inHtlcId(OptionalLong value)
        {
            inHtlcId = value;
            return this;
        }

        public Builder sendId(OptionalLong value)
        {
            sendId = value;
            return this;
        }

        public Builder inMsat(OptionalLong value)
        {
            inMsat = value;
            return this;
        }

        public Builder cltvExpiry(OptionalLong value)
        {
            cltvExpiry = value;
            return this;
        }

        public Builder inPeer(Optional<NodeId> value)
        {
            inPeer = value;
            return this;
        }

        public Builder outChannel(Optional<ShortChannelId> value)
        {
            outChannel = value;
            return this;
        }

        public Builder outPeer(Optional<NodeId> value)
        {
            outPeer = value;
            return this;
        }

        public Builder outMsat(OptionalLong value)
        {
            outMsat = value;
            return this;
        }

        public Builder feeMsat(OptionalLong value)
        {
            feeMsat = value;
            return this;
        }

        public Builder paymentHash(Optional<PaymentHash> value)
        {
            paymentHash = value;
            return this;
        }

        public Builder failcode(OptionalInt value)
        {
            failcode = value;
            return this;
        }

        public Builder statedReason(Optional<RecordedReason> value)
        {
            statedReason = value;
            return this;
        }

        public Builder failureData(Bytes value)
        {
            failureData = value;
            return this;
        }

        public Builder rule(Optional<String> value)
        {
            rule = value;
            return this;
        }

        public Builder resolvedTime(Optional<Instant> value)
        {
            resolvedTime = value;
            return this;
        }

        public HtlcFailed build()
        {
            return new HtlcFailed(type, source, nodeId, inChannel, inHtlcId, sendId, inMsat, cltvExpiry, inPeer, outChannel, outPeer, outMsat, feeMsat,
                    paymentHash, failcode, statedReason, failureData, rule, receivedTime, resolvedTime);
        }
    }
}
