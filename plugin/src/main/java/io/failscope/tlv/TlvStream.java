package io.failscope.tlv;

import io.failscope.tlv.DecodeException.Kind;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongPredicate;

import static java.util.Objects.requireNonNull;

/**
 * A BOLT #1 TLV stream ({@code bolt-notes.md}, "TLV stream rules"): records in strictly increasing
 * type order, type and length minimally encoded, every length within the input. Decoding needs to know
 * which types the reader understands: an unknown even type is an error ("it's ok to be odd"), an
 * unknown odd type is kept so that a re-encode writes it back byte for byte.
 */
public final class TlvStream
{
    private TlvStream() {}

    /**
     * Splits {@code bytes} into records, checking every structural rule and rejecting unknown even
     * types. Known records are returned with their raw values for the caller to decode.
     */
    public static List<TlvRecord> decode(byte[] bytes, LongPredicate isKnownType, String streamName)
            throws DecodeException
    {
        return decode(new ByteReader(bytes), isKnownType, streamName);
    }

    /** Decodes records until {@code reader} is exhausted. */
    public static List<TlvRecord> decode(ByteReader reader, LongPredicate isKnownType, String streamName)
            throws DecodeException
    {
        requireNonNull(isKnownType, "isKnownType is null");
        List<TlvRecord> records = new ArrayList<>();
        boolean first = true;
        long previousType = 0;
        while (reader.hasRemaining()) {
            int start = reader.position();
            long type = BigSize.read(reader, streamName + ": type", Kind.TRUNCATED_TYPE, Kind.TRUNCATED_TYPE, Kind.NON_MINIMAL_TYPE);
            String typeName = Long.toUnsignedString(type);
            long length = BigSize.read(reader, streamName + ": length of type " + typeName, Kind.TRUNCATED_LENGTH, Kind.TRUNCATED_LENGTH, Kind.NON_MINIMAL_LENGTH);
            if (Long.compareUnsigned(length, reader.remaining()) > 0) {
                throw new DecodeException(Kind.TRUNCATED_VALUE, streamName + ": type " + typeName + " at offset " + start + " has length " + Long.toUnsignedString(length) + " but only " + reader.remaining() + " bytes follow");
            }
            if (!first) {
                int order = Long.compareUnsigned(type, previousType);
                if (order == 0) {
                    throw new DecodeException(Kind.DUPLICATE_TYPE, streamName + ": type " + typeName + " appears twice (offset " + start + ")");
                }
                if (order < 0) {
                    throw new DecodeException(Kind.NOT_STRICTLY_INCREASING, streamName + ": tlv stream is not sorted: type " + typeName + " after " + Long.toUnsignedString(previousType) + " (offset " + start + ")");
                }
            }
            if ((type & 1) == 0 && !isKnownType.test(type)) {
                throw new DecodeException(Kind.UNKNOWN_EVEN_TYPE, streamName + ": unknown even type " + typeName + " at offset " + start);
            }
            records.add(new TlvRecord(type, reader.readBytesValue((int) length, Kind.TRUNCATED_VALUE, streamName + ": value of type " + typeName)));
            previousType = type;
            first = false;
        }
        return Collections.unmodifiableList(records);
    }

    /**
     * Writes records, which must already be in strictly increasing type order: a stream that breaks
     * the order is a programming error, not something to repair silently.
     */
    public static void encode(ByteWriter writer, List<TlvRecord> records)
    {
        boolean first = true;
        long previousType = 0;
        for (TlvRecord record : records) {
            if (!first && Long.compareUnsigned(record.type(), previousType) <= 0) {
                throw new IllegalArgumentException("tlv records out of order: type " + record.typeName() + " after " + Long.toUnsignedString(previousType));
            }
            writeRecord(writer, record.type(), record.value());
            previousType = record.type();
            first = false;
        }
    }

    public static byte[] encode(List<TlvRecord> records)
    {
        ByteWriter writer = new ByteWriter();
        encode(writer, records);
        return writer.toByteArray();
    }

    public static void writeRecord(ByteWriter writer, long type, Bytes value)
    {
        writer.writeBigSize(type).writeBigSize(value.length());
        value.writeTo(writer);
    }
}
