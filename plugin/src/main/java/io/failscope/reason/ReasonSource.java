package io.failscope.reason;

/** Where a record's local reason came from. Codes are stored in records and never reused. */
public enum ReasonSource
        implements StoredEnum
{
    /** The node said so (LDK's {@code Local { reason }}). */
    NODE(0),
    /** The classifier derived it from the node's context; the record carries the evidence. */
    INFERRED(1),
    /** Only the wire code was known: the canonical reason for that code. */
    CODE(2);

    private final int code;

    ReasonSource(int code)
    {
        this.code = code;
    }

    @Override
    public int code()
    {
        return code;
    }
}
