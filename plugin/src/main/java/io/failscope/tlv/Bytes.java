package io.failscope.tlv;

import java.util.Arrays;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/** An immutable byte string with value equality, written as lowercase hex. */
public final class Bytes
{
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Bytes(byte[] bytes)
    {
        this.bytes = bytes;
    }

    public static Bytes of(byte[] bytes)
    {
        requireNonNull(bytes, "bytes is null");
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /** Takes ownership of {@code bytes}; the caller must not change them afterwards. */
    static Bytes wrap(byte[] bytes)
    {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes);
    }

    /**
     * Parses lowercase or uppercase hex with an even number of digits.
     *
     * @throws IllegalArgumentException naming the problem when {@code hex} is not hex
     */
    public static Bytes fromHex(String hex)
    {
        requireNonNull(hex, "hex is null");
        if (hex.length() % 2 != 0) {
            throw new IllegalArgumentException("hex has an odd number of digits: " + abbreviate(hex));
        }
        try {
            return wrap(HEX.parseHex(hex));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not hex: " + abbreviate(hex), e);
        }
    }

    public int length()
    {
        return bytes.length;
    }

    public boolean isEmpty()
    {
        return bytes.length == 0;
    }

    public byte get(int index)
    {
        return bytes[index];
    }

    public byte[] toArray()
    {
        return bytes.clone();
    }

    public String hex()
    {
        return HEX.formatHex(bytes);
    }

    /** Writes these bytes without copying them. */
    public void writeTo(ByteWriter writer)
    {
        writer.writeBytes(bytes);
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString()
    {
        return hex();
    }

    private static String abbreviate(String text)
    {
        return text.length() <= 80 ? "'" + text + "'" : "'" + text.substring(0, 77) + "...' (" + text.length() + " characters)";
    }
}
