package io.failscope.tlv;

import io.failscope.tlv.DecodeException.Kind;

/**
 * BOLT #1 BigSize: a big-endian variable-length unsigned integer of 1, 3, 5 or 9 bytes, which must be
 * minimally encoded. Not Bitcoin's little-endian CompactSize ({@code bolt-notes.md}, "BigSize").
 * Values are unsigned 64-bit numbers carried in a {@code long}.
 */
public final class BigSize
{
    private BigSize() {}

    public static int encodedLength(long value)
    {
        if (Long.compareUnsigned(value, 0xFD) < 0) {
            return 1;
        }
        if (Long.compareUnsigned(value, 0x1_0000) < 0) {
            return 3;
        }
        if (Long.compareUnsigned(value, 0x1_0000_0000L) < 0) {
            return 5;
        }
        return 9;
    }

    public static void write(ByteWriter writer, long value)
    {
        switch (encodedLength(value)) {
            case 1 -> writer.writeU8((int) value);
            case 3 -> writer.writeU8(0xFD).writeU16((int) value);
            case 5 -> writer.writeU8(0xFE).writeU32(value);
            default -> writer.writeU8(0xFF).writeU64(value);
        }
    }

    public static byte[] encode(long value)
    {
        ByteWriter writer = new ByteWriter(9);
        write(writer, value);
        return writer.toByteArray();
    }

    /**
     * Reads one BigSize. Empty input is {@link Kind#EMPTY_INPUT}, a cut-off one {@link Kind#TRUNCATED},
     * a non-minimal one {@link Kind#NON_CANONICAL}.
     */
    public static long read(ByteReader reader, String what)
            throws DecodeException
    {
        return read(reader, what, Kind.EMPTY_INPUT, Kind.TRUNCATED, Kind.NON_CANONICAL);
    }

    /** Reads one BigSize, reporting each failure with the kind the caller's context calls for. */
    public static long read(ByteReader reader, String what, Kind emptyKind, Kind truncatedKind, Kind nonCanonicalKind)
            throws DecodeException
    {
        if (!reader.hasRemaining()) {
            throw new DecodeException(emptyKind, what + ": no bytes left at offset " + reader.position());
        }
        int start = reader.position();
        int prefix = reader.readU8(truncatedKind, what);
        long value;
        long minimum;
        switch (prefix) {
            case 0xFD -> {
                value = reader.readU16(truncatedKind, what);
                minimum = 0xFD;
            }
            case 0xFE -> {
                value = reader.readU32(truncatedKind, what);
                minimum = 0x1_0000;
            }
            case 0xFF -> {
                value = reader.readU64(truncatedKind, what);
                minimum = 0x1_0000_0000L;
            }
            default -> {
                return prefix;
            }
        }
        if (Long.compareUnsigned(value, minimum) < 0) {
            throw new DecodeException(nonCanonicalKind, what + ": bigsize at offset " + start + " is not minimally encoded (value " + Long.toUnsignedString(value) + ")");
        }
        return value;
    }
}
