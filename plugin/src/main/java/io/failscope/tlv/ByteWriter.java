package io.failscope.tlv;

import java.util.Arrays;

/** A growable big-endian byte buffer for encoders. */
public final class ByteWriter
{
    private byte[] buffer;
    private int size;

    public ByteWriter()
    {
        this(64);
    }

    public ByteWriter(int initialCapacity)
    {
        buffer = new byte[Math.max(initialCapacity, 8)];
    }

    public ByteWriter writeU8(int value)
    {
        ensure(1);
        buffer[size++] = (byte) value;
        return this;
    }

    public ByteWriter writeU16(int value)
    {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("u16 out of range: " + value);
        }
        ensure(2);
        buffer[size++] = (byte) (value >>> 8);
        buffer[size++] = (byte) value;
        return this;
    }

    public ByteWriter writeU32(long value)
    {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("u32 out of range: " + value);
        }
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** Writes all 64 bits of {@code value}, read as unsigned. */
    public ByteWriter writeU64(long value)
    {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** Writes {@code value} (unsigned) with no leading zero bytes: zero takes no bytes at all. */
    public ByteWriter writeTruncated(long value)
    {
        int length = truncatedLength(value);
        ensure(length);
        for (int shift = (length - 1) * 8; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    public ByteWriter writeBigSize(long value)
    {
        BigSize.write(this, value);
        return this;
    }

    public ByteWriter writeBytes(byte[] bytes)
    {
        return writeBytes(bytes, 0, bytes.length);
    }

    public ByteWriter writeBytes(byte[] bytes, int offset, int length)
    {
        ensure(length);
        System.arraycopy(bytes, offset, buffer, size, length);
        size += length;
        return this;
    }

    public ByteWriter writeBytes(Bytes bytes)
    {
        bytes.writeTo(this);
        return this;
    }

    public int size()
    {
        return size;
    }

    public byte[] toByteArray()
    {
        return Arrays.copyOf(buffer, size);
    }

    public Bytes toBytes()
    {
        return Bytes.wrap(toByteArray());
    }

    static int truncatedLength(long value)
    {
        return (Long.SIZE - Long.numberOfLeadingZeros(value) + 7) / 8;
    }

    private void ensure(int extra)
    {
        if (size + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + extra));
        }
    }
}
