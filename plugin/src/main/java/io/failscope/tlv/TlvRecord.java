package io.failscope.tlv;

import static java.util.Objects.requireNonNull;

/** One record of a TLV stream: its type (an unsigned 64-bit number) and its value bytes. */
public record TlvRecord(long type, Bytes value)
{
    public TlvRecord
    {
        requireNonNull(value, "value is null");
    }

    public boolean isOdd()
    {
        return (type & 1) == 1;
    }

    public String typeName()
    {
        return Long.toUnsignedString(type);
    }
}
