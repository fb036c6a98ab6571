package io.failscope.tlv;

import io.failscope.tlv.DecodeException.Kind;

import static java.util.Objects.requireNonNull;

/**
 * Reads big-endian values from a slice of bytes. Every read names what it was reading, so a short
 * input fails with a message such as {@code "short_channel_id: needs 8 bytes at offset 3, 5 left"}.
 */
public final class ByteReader
{
    private final byte[] bytes;
    private final int end;
    private int position;

    public ByteReader(byte[] bytes)
    {
        this(bytes, 0, bytes.length);
    }

    public ByteReader(byte[] bytes, int offset, int length)
    {
        this.bytes = requireNonNull(bytes, "bytes is null");
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException("slice out of range: offset " + offset + ", length " + length);
        }
        this.position = offset;
        this.end = offset + length;
    }

    public static ByteReader of(Bytes bytes)
    {
        return new ByteReader(bytes.toArray());
    }

    public int remaining()
    {
        return end - position;
    }

    public boolean hasRemaining()
    {
        return position < end;
    }

    public int position()
    {
        return position;
    }

    /** Fails with {@code kind} unless {@code count} more bytes are there. */
    public void require(int count, Kind kind, String what)
            throws DecodeException
    {
        if (count > remaining()) {
            throw new DecodeException(kind, what + ": needs " + count + " bytes at offset " + position + ", " + remaining() + " left");
        }
    }

    public int readU8(Kind shortKind, String what)
            throws DecodeException
    {
        require(1, shortKind, what);
        return bytes[position++] & 0xFF;
    }

    public int readU16(Kind shortKind, String what)
            throws DecodeException
    {
        return (int) readUnsigned(2, shortKind, what);
    }

    public long readU32(Kind shortKind, String what)
            throws DecodeException
    {
        return readUnsigned(4, shortKind, what);
    }

    /** Reads 8 bytes; values above {@link Long#MAX_VALUE} come back negative (unsigned bits). */
    public long readU64(Kind shortKind, String what)
            throws DecodeException
    {
        return readUnsigned(8, shortKind, what);
    }

    public long readUnsigned(int length, Kind shortKind, String what)
            throws DecodeException
    {
        require(length, shortKind, what);
        long value = 0;
        for (int i = 0; i < length; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    public byte[] readBytes(int length, Kind shortKind, String what)
            throws DecodeException
    {
        require(length, shortKind, what);
        byte[] value = new byte[length];
        System.arraycopy(bytes, position, value, 0, length);
        position += length;
        return value;
    }

    public Bytes readBytesValue(int length, Kind shortKind, String what)
            throws DecodeException
    {
        return Bytes.wrap(readBytes(length, shortKind, what));
    }

    public byte[] readRemaining()
    {
        byte[] value = new byte[remaining()];
        System.arraycopy(bytes, position, value, 0, value.length);
        position = end;
        return value;
    }
}
