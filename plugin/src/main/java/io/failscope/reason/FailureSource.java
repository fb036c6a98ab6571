package io.failscope.reason;

/** Who decided the failure. Codes are stored in records and never reused. */
public enum FailureSource
        implements StoredEnum
{
    /** Our node failed the HTLC. */
    LOCAL(0),
    /** A later hop failed it; its reason is encrypted for the sender and unknown to us. */
    DOWNSTREAM(1);

    private final int code;

    FailureSource(int code)
    {
        this.code = code;
    }

    @Override
    public int code()
    {
        return code;
    }
}
