package io.failscope.reason;

import java.util.EnumSet;
import java.util.Set;

/** The flag bits of a BOLT #4 failure code ({@code bolt04-failure-codes.csv}, column {@code flags}). */
public enum FailureFlag
{
    /** The sending peer's onion could not be parsed. */
    BADONION(0x8000),
    /** Permanent: retrying will not help. */
    PERM(0x4000),
    /** A node failure rather than a channel failure. */
    NODE(0x2000),
    /** A channel forwarding parameter was violated (once: "a channel_update is enclosed"). */
    UPDATE(0x1000);

    private final int bit;

    FailureFlag(int bit)
    {
        this.bit = bit;
    }

    public int bit()
    {
        return bit;
    }

    public static Set<FailureFlag> of(int code)
    {
        EnumSet<FailureFlag> flags = EnumSet.noneOf(FailureFlag.class);
        for (FailureFlag flag : values()) {
            if ((code & flag.bit) != 0) {
                flags.add(flag);
            }
        }
        return flags;
    }
}
