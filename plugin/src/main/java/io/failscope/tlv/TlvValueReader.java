package io.failscope.tlv;

import io.failscope.tlv.DecodeException.Kind;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one known TLV record. A known record must use exactly the bytes its fields need
 * (BOLT #1): running short or leaving bytes over is {@link Kind#INVALID_LENGTH_FOR_KNOWN_TYPE}.
 * Call {@link #finish()} after the last field.
 */
public final class TlvValueReader
{
    private final ByteReader reader;
    private final String recordName;

    public TlvValueReader(TlvRecord record, String recordName)
    {
        byte[] value = record.value().toArray();
        this.reader = new ByteReader(value);
        this.recordName = recordName;
    }

    public int readU8(String field)
            throws DecodeException
    {
        return reader.readU8(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field));
    }

    public int readU16(String field)
            throws DecodeException
    {
        return reader.readU16(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field));
    }

    public long readU32(String field)
            throws DecodeException
    {
        return reader.readU32(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field));
    }

    public long readU64(String field)
            throws DecodeException
    {
        return reader.readU64(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field));
    }

    public long readBigSize(String field)
            throws DecodeException
    {
        return BigSize.read(reader, name(field), Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, Kind.INVALID_VALUE);
    }

    public byte[] readBytes(int length, String field)
            throws DecodeException
    {
        return reader.readBytes(length, Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field));
    }

    /** A BigSize length followed by that many bytes. */
    public byte[] readLengthPrefixed(String field)
            throws DecodeException
    {
        long length = readBigSize(field + " length");
        if (Long.compareUnsigned(length, reader.remaining()) > 0) {
            throw new DecodeException(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field) + ": length " + Long.toUnsignedString(length) + " but only " + reader.remaining() + " bytes left");
        }
        return readBytes((int) length, field);
    }

    /** A UTF-8 string taking the rest of the record. */
    public String readUtf8Rest(String field)
            throws DecodeException
    {
        byte[] bytes = reader.readRemaining();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        }
        catch (CharacterCodingException e) {
            throw new DecodeException(Kind.INVALID_VALUE, name(field) + ": not valid UTF-8");
        }
    }

    /**
     * A truncated integer taking the rest of the record: at most {@code maxBytes} bytes, no leading
     * zero byte, so zero is the empty value (BOLT #1 tu16/tu32/tu64).
     */
    public long readTruncatedRest(int maxBytes, String field)
            throws DecodeException
    {
        int length = reader.remaining();
        if (length > maxBytes) {
            throw new DecodeException(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field) + ": truncated integer of " + length + " bytes, at most " + maxBytes + " allowed");
        }
        int position = reader.position();
        long value = reader.readUnsigned(length, Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, name(field));
        if (ByteWriter.truncatedLength(value) != length) {
            throw new DecodeException(Kind.NON_MINIMAL_TRUNCATED_INT, name(field) + ": truncated integer at offset " + position + " has a leading zero byte");
        }
        return value;
    }

    public int remaining()
    {
        return reader.remaining();
    }

    public void finish()
            throws DecodeException
    {
        if (reader.hasRemaining()) {
            throw new DecodeException(Kind.INVALID_LENGTH_FOR_KNOWN_TYPE, recordName + ": " + reader.remaining() + " bytes left over after the last field");
        }
    }

    private String name(String field)
    {
        return recordName + "." + field;
    }
}
