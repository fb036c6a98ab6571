package io.failscope.reason;

/**
 * What we were doing when the HTLC failed (DESIGN.md, "The failure model"; LDK's
 * {@code HTLCHandlingFailureType}). Codes are stored in records and never reused.
 */
public enum FailureType
        implements StoredEnum
{
    /** Forwarding over a known outgoing channel. */
    FORWARD(0),
    /** The requested outgoing channel was unusable, or an intercept failed or timed out. */
    INVALID_FORWARD(1),
    /** The onion could not be decoded to learn where to forward. */
    INVALID_ONION(2),
    /** A payment to us. */
    RECEIVE(3),
    /** Our own payment. */
    SEND(4),
    /** Failed on purpose by a failscope policy rule or by the operator. */
    INTERCEPTED(5);

    private final int code;

    FailureType(int code)
    {
        this.code = code;
    }

    @Override
    public int code()
    {
        return code;
    }
}
