package io.failscope.reason;

import static java.util.Objects.requireNonNull;

/** One field of a BOLT #4 failure message's data, as {@code bolt04-failure-codes.csv} lays it out. */
public record DataField(String name, Kind kind)
{
    public enum Kind
    {
        /** 32 bytes. */
        SHA256,
        U16,
        U32,
        U64,
        BIGSIZE,
        /** {@code u16 len} followed by {@code len} bytes; len may be 0 (BOLT #4 since 2024). */
        LENGTH_PREFIXED,
    }

    public DataField
    {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
    }

    static DataField sha256(String name)
    {
        return new DataField(name, Kind.SHA256);
    }

    static DataField u16(String name)
    {
        return new DataField(name, Kind.U16);
    }

    static DataField u32(String name)
    {
        return new DataField(name, Kind.U32);
    }

    static DataField u64(String name)
    {
        return new DataField(name, Kind.U64);
    }

    static DataField bigSize(String name)
    {
        return new DataField(name, Kind.BIGSIZE);
    }

    static DataField channelUpdate()
    {
        return new DataField("channel_update", Kind.LENGTH_PREFIXED);
    }
}
