package io.failscope.record;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.reason.StoredEnum;
import io.failscope.tlv.ByteWriter;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.DecodeException.Kind;
import io.failscope.tlv.TlvRecord;
import io.failscope.tlv.TlvStream;
import io.failscope.tlv.TlvValueReader;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

import static io.failscope.record.RecordTypes.CLTV_EXPIRY;
import static io.failscope.record.RecordTypes.CREATED_INDEX;
import static io.failscope.record.RecordTypes.EVIDENCE;
import static io.failscope.record.RecordTypes.FAILURE_DATA;
import static io.failscope.record.RecordTypes.FAILURE_SOURCE;
import static io.failscope.record.RecordTypes.FAILURE_TYPE;
import static io.failscope.record.RecordTypes.FEE_MSAT;
import static io.failscope.record.RecordTypes.IN_CHANNEL;
import static io.failscope.record.RecordTypes.IN_HTLC_ID;
import static io.failscope.record.RecordTypes.IN_MSAT;
import static io.failscope.record.RecordTypes.IN_PEER;
import static io.failscope.record.RecordTypes.NODE_ID;
import static io.failscope.record.RecordTypes.OUT_CHANNEL;
import static io.failscope.record.RecordTypes.OUT_MSAT;
import static io.failscope.record.RecordTypes.OUT_PEER;
import static io.failscope.record.RecordTypes.PAYMENT_HASH;
import static io.failscope.record.RecordTypes.REASON;
import static io.failscope.record.RecordTypes.REASON_SOURCE;
import static io.failscope.record.RecordTypes.RECEIVED_TIME;
import static io.failscope.record.RecordTypes.REQUESTED_OUT_CHANNEL;
import static io.failscope.record.RecordTypes.RESOLVED_TIME;
import static io.failscope.record.RecordTypes.RULE;
import static io.failscope.record.RecordTypes.SEND_ID;
import static io.failscope.record.RecordTypes.WIRE_CODE;

/**
 * The one way records are written to and read from storage. The format evolves as rust-lightning's
 * did ({@code ldk-failure-model.md} §1.3–1.4, §5.5): new fields take new odd types; a replaced field
 * keeps its type as a legacy field that is still written, and a reader of old data derives the new
 * field from it. Unknown odd fields survive a decode and encode unchanged; an unknown even field is an
 * error that names it.
 *
 * <p>Every valid encoding is canonical: decoding and re-encoding in the same format gives back the same
 * bytes, so a decoder rejects anything a writer would not have produced.
 */
public final class RecordCodec
{
    private static final String WHAT = "htlc failure record";

    private RecordCodec() {}

    /** Encodes in the current format. */
    public static Bytes encode(HtlcFailureRecord record)
    {
        return encode(record, RecordFormat.CURRENT);
    }

    /**
     * Encodes in {@code format}. Format v1 has no reason field: a record written as v1 keeps only its
     * wire code, as older versions did.
     */
    public static Bytes encode(HtlcFailureRecord record, RecordFormat format)
    {
        List<TlvRecord> fields = new ArrayList<>(24);
        record.reason().ifPresent(reason -> fields.add(field(WIRE_CODE, new ByteWriter(2).writeU16(reason.wireCode()))));
        fields.add(field(FAILURE_TYPE, new ByteWriter(1).writeU8(record.type().code())));
        fields.add(field(FAILURE_SOURCE, new ByteWriter(1).writeU8(record.source().code())));
        fields.add(new TlvRecord(NODE_ID, record.nodeId().key()));
        fields.add(field(RECEIVED_TIME, new ByteWriter(8).writeU64(HtlcFailureRecord.toNanos(record.receivedTime()))));
        if (!record.failureData().isEmpty()) {
            fields.add(new TlvRecord(FAILURE_DATA, record.failureData()));
        }
        record.inChannel().ifPresent(scid -> fields.add(field(IN_CHANNEL, new ByteWriter(8).writeU64(scid.value()))));
        addTruncated(fields, IN_HTLC_ID, record.inHtlcId());
        addTruncated(fields, IN_MSAT, record.inMsat());
        addTruncated(fields, CLTV_EXPIRY, record.cltvExpiry());
        record.outChannel().ifPresent(scid -> fields.add(field(OUT_CHANNEL, new ByteWriter(8).writeU64(scid.value()))));
        addTruncated(fields, OUT_MSAT, record.outMsat());
        addTruncated(fields, FEE_MSAT, record.feeMsat());
        record.paymentHash().ifPresent(hash -> fields.add(new TlvRecord(PAYMENT_HASH, hash.hash())));
        record.resolvedTime().ifPresent(time -> fields.add(field(RESOLVED_TIME, new ByteWriter(8).writeU64(HtlcFailureRecord.toNanos(time)))));
        record.rule().ifPresent(rule -> fields.add(new TlvRecord(RULE, Bytes.of(rule.getBytes(StandardCharsets.UTF_8)))));
        addTruncated(fields, CREATED_INDEX, record.createdIndex());
        if (format == RecordFormat.V2 && record.reason().isPresent()) {
            RecordedReason reason = record.reason().get();
            ByteWriter tail = new ByteWriter();
            TlvStream.encode(tail, record.unknownFields().inReason());
            fields.add(field(REASON, new ByteWriter(8 + tail.size())
                    .writeU16(reason.wireCode())
                    .writeU16(reason.reason().index())
                    .writeBigSize(tail.size())
                    .writeBytes(tail.toByteArray())));
            fields.add(field(REASON_SOURCE, new ByteWriter(1).writeU8(reason.source().code())));
            if (!reason.evidence().isEmpty()) {
                fields.add(new TlvRecord(EVIDENCE, encodeEvidence(reason.evidence())));
            }
        }
        record.inPeer().ifPresent(peer -> fields.add(new TlvRecord(IN_PEER, peer.key())));
        record.outPeer().ifPresent(peer -> fields.add(new TlvRecord(OUT_PEER, peer.key())));
        addTruncated(fields, SEND_ID, record.sendId());
        record.requestedOutChannel().ifPresent(scid -> fields.add(field(REQUESTED_OUT_CHANNEL, new ByteWriter(8).writeU64(scid.value()))));
        fields.addAll(record.unknownFields().topLevel());
        fields.sort(Comparator.comparing(TlvRecord::type, Long::compareUnsigned));
        ByteWriter writer = new ByteWriter(160);
        TlvStream.encode(writer, fields);
        return writer.toBytes();
    }

    public static DecodedRecord decode(Bytes bytes)
            throws DecodeException
    {
        return decode(bytes.toArray());
    }

    public static DecodedRecord decode(byte[] bytes)
            throws DecodeException
    {
        List<TlvRecord> records = TlvStream.decode(bytes, RecordTypes::isKnown, WHAT);
        Map<Long, TlvRecord> known = new TreeMap<>();
        List<TlvRecord> unknown = new ArrayList<>();
        for (TlvRecord record : records) {
            if (RecordTypes.isKnown(record.type())) {
                known.put(record.type(), record);
            }
            else {
                unknown.add(record);
            }
        }
        try {
            return decodeFields(known, unknown);
        }
        catch (IllegalArgumentException e) {
            // a value constructor refused a field: the bytes are well-formed TLV but not a valid record
            throw new DecodeException(Kind.INVALID_VALUE, WHAT + ": " + e.getMessage());
        }
    }

    private static DecodedRecord decodeFields(Map<Long, TlvRecord> known, List<TlvRecord> unknown)
            throws DecodeException
    {
        HtlcFailureRecord.Builder builder = HtlcFailureRecord.builder()
                .type(storedEnum(FailureType.class, required(known, FAILURE_TYPE, "failure_type"), "failure_type"))
                .source(storedEnum(FailureSource.class, required(known, FAILURE_SOURCE, "failure_source"), "failure_source"))
                .nodeId(nodeId(required(known, NODE_ID, "node_id"), "node_id"))
                .receivedTime(time(required(known, RECEIVED_TIME, "received_time"), "received_time"));

        TlvRecord failureData = known.get(FAILURE_DATA);
        if (failureData != null) {
            if (failureData.value().isEmpty()) {
                throw invalid("failure_data is written only when it is not empty");
            }
            builder.failureData(failureData.value());
        }
        optional(known, IN_CHANNEL, "in_channel", reader -> builder.inChannel(new ShortChannelId(reader.readU64("scid"))));
        truncated(known, IN_HTLC_ID, "in_htlc_id", 8).ifPresent(builder::inHtlcId);
        truncated(known, IN_MSAT, "in_msat", 8).ifPresent(builder::inMsat);
        truncated(known, CLTV_EXPIRY, "cltv_expiry", 4).ifPresent(builder::cltvExpiry);
        optional(known, OUT_CHANNEL, "out_channel", reader -> builder.outChannel(new ShortChannelId(reader.readU64("scid"))));
        truncated(known, OUT_MSAT, "out_msat", 8).ifPresent(builder::outMsat);
        truncated(known, FEE_MSAT, "fee_msat", 8).ifPresent(builder::feeMsat);
        optional(known, PAYMENT_HASH, "payment_hash", reader -> builder.paymentHash(new PaymentHash(Bytes.of(reader.readBytes(32, "hash")))));
        TlvRecord resolved = known.get(RESOLVED_TIME);
        if (resolved != null) {
            builder.resolvedTime(time(resolved, "resolved_time"));
        }
        optional(known, RULE, "rule", reader -> builder.rule(reader.readUtf8Rest("name")));
        truncated(known, CREATED_INDEX, "created_index", 8).ifPresent(builder::createdIndex);
        TlvRecord inPeer = known.get(IN_PEER);
        if (inPeer != null) {
            builder.inPeer(nodeId(inPeer, "in_peer"));
        }
        TlvRecord outPeer = known.get(OUT_PEER);
        if (outPeer != null) {
            builder.outPeer(nodeId(outPeer, "out_peer"));
        }
        truncated(known, SEND_ID, "send_id", 8).ifPresent(builder::sendId);
        optional(known, REQUESTED_OUT_CHANNEL, "requested_out_channel", reader -> builder.requestedOutChannel(new ShortChannelId(reader.readU64("scid"))));

        OptionalLong legacyCode = OptionalLong.empty();
        TlvRecord wireCode = known.get(WIRE_CODE);
        if (wireCode != null) {
            TlvValueReader reader = new TlvValueReader(wireCode, "wire_code");
            legacyCode = OptionalLong.of(reader.readU16("code"));
            reader.finish();
        }

        RecordFormat format;
        List<TlvRecord> reasonUnknown = List.of();
        TlvRecord reasonField = known.get(REASON);
        if (reasonField == null) {
            // Format v1: the reason is the canonical one for the stored wire code.
            format = RecordFormat.V1;
            if (known.containsKey(REASON_SOURCE) || known.containsKey(EVIDENCE)) {
                throw invalid("reason_source and evidence need a reason (type " + REASON + ")");
            }
            if (legacyCode.isPresent()) {
                builder.reason(RecordedReason.fromCode((int) legacyCode.getAsLong()));
            }
        }
        else {
            format = RecordFormat.V2;
            TlvValueReader reader = new TlvValueReader(reasonField, "reason");
            int code = reader.readU16("wire_code");
            int index = reader.readU16("index");
            byte[] tail = reader.readLengthPrefixed("tail");
            reader.finish();
            reasonUnknown = TlvStream.decode(tail, type -> false, WHAT + " reason tail");
            if (legacyCode.isEmpty()) {
                throw new DecodeException(Kind.MISSING_FIELD, WHAT + ": the legacy wire code (type " + WIRE_CODE + ") is missing next to the reason");
            }
            if (legacyCode.getAsLong() != code) {
                throw invalid("legacy wire code " + legacyCode.getAsLong() + " differs from the reason's wire code " + code);
            }
            ReasonSource reasonSource = storedEnum(ReasonSource.class, required(known, REASON_SOURCE, "reason_source"), "reason_source");
            TlvRecord evidenceField = known.get(EVIDENCE);
            Evidence evidence = evidenceField == null ? Evidence.NONE : decodeEvidence(evidenceField);
            builder.reason(new RecordedReason(reason(code, index), reasonSource, evidence));
        }
        builder.unknownFields(new UnknownFields(unknown, reasonUnknown));
        return new DecodedRecord(builder.build(), format);
    }

    /**
     * The reason for a stored (code, index) pair. An index this version does not know (written by a
     * newer one) falls back to the canonical reason for the code ({@code ldk-failure-model.md} §1.3).
     */
    private static FailureReason reason(int code, int index)
            throws DecodeException
    {
        Optional<LocalReason> known = LocalReason.forIndex(index);
        if (known.isEmpty()) {
            return FailureReason.canonicalFor(code);
        }
        LocalReason reason = known.get();
        if (reason.fixedCode().isPresent() && reason.fixedCode().get().code() != code) {
            throw invalid("reason index " + index + " (" + reason.snakeName() + ") does not go out as wire code " + code);
        }
        return new FailureReason(reason, code);
    }

    private static Bytes encodeEvidence(Evidence evidence)
    {
        ByteWriter writer = new ByteWriter();
        evidence.values().forEach((name, value) -> {
            byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
            writer.writeBigSize(nameBytes.length).writeBytes(nameBytes).writeU64(value);
        });
        return writer.toBytes();
    }

    private static Evidence decodeEvidence(TlvRecord field)
            throws DecodeException
    {
        TlvValueReader reader = new TlvValueReader(field, "evidence");
        if (reader.remaining() == 0) {
            throw invalid("evidence is written only when it is not empty");
        }
        Evidence.Builder evidence = Evidence.builder();
        String previous = null;
        while (reader.remaining() > 0) {
            String name = new String(reader.readLengthPrefixed("name"), StandardCharsets.US_ASCII);
            Evidence.checkName(name);
            if (previous != null && name.compareTo(previous) <= 0) {
                throw invalid("evidence names must be sorted and unique: '" + name + "' after '" + previous + "'");
            }
            evidence.put(name, reader.readU64(name));
            previous = name;
        }
        return evidence.build();
    }

    private static NodeId nodeId(TlvRecord field, String name)
            throws DecodeException
    {
        TlvValueReader reader = new TlvValueReader(field, name);
        Bytes key = Bytes.of(reader.readBytes(33, "point"));
        reader.finish();
        try {
            return new NodeId(key);
        }
        catch (IllegalArgumentException e) {
            throw invalid(name + " is not a valid point: " + key.hex());
        }
    }

    private static Instant time(TlvRecord field, String name)
            throws DecodeException
    {
        TlvValueReader reader = new TlvValueReader(field, name);
        long nanos = reader.readU64("nanoseconds");
        reader.finish();
        if (nanos < 0) {
            throw invalid(name + " is beyond the representable range: " + Long.toUnsignedString(nanos) + " ns");
        }
        return HtlcFailureRecord.fromNanos(nanos);
    }

    private static <E extends Enum<E> & StoredEnum> E storedEnum(Class<E> type, TlvRecord field, String name)
            throws DecodeException
    {
        TlvValueReader reader = new TlvValueReader(field, name);
        int code = reader.readU8("code");
        reader.finish();
        return StoredEnum.forCode(type, code).orElseThrow(() -> invalid("unknown " + name + " " + code));
    }

    private static TlvRecord required(Map<Long, TlvRecord> known, long type, String name)
            throws DecodeException
    {
        TlvRecord field = known.get(type);
        if (field == null) {
            throw new DecodeException(Kind.MISSING_FIELD, WHAT + ": required field " + name + " (type " + type + ") is missing");
        }
        return field;
    }

    private static OptionalLong truncated(Map<Long, TlvRecord> known, long type, String name, int maxBytes)
            throws DecodeException
    {
        TlvRecord field = known.get(type);
        if (field == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(new TlvValueReader(field, name).readTruncatedRest(maxBytes, "value"));
    }

    private interface FieldReader
    {
        void read(TlvValueReader reader)
                throws DecodeException;
    }

    private static void optional(Map<Long, TlvRecord> known, long type, String name, FieldReader fieldReader)
            throws DecodeException
    {
        TlvRecord field = known.get(type);
        if (field != null) {
            TlvValueReader reader = new TlvValueReader(field, name);
            fieldReader.read(reader);
            reader.finish();
        }
    }

    private static void addTruncated(List<TlvRecord> fields, long type, OptionalLong value)
    {
        if (value.isPresent()) {
            fields.add(field(type, new ByteWriter(8).writeTruncated(value.getAsLong())));
        }
    }

    private static TlvRecord field(long type, ByteWriter value)
    {
        return new TlvRecord(type, value.toBytes());
    }

    private static DecodeException invalid(String message)
    {
        return new DecodeException(Kind.INVALID_VALUE, WHAT + ": " + message);
    }
}
