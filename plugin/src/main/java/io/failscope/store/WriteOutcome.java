package io.failscope.store;

/** What a durable write did. */
public record WriteOutcome(Kind kind, long createdIndex)
{
    public enum Kind
    {
        /** A new HTLC: a new row. */
        INSERTED,
        /** A richer event about a stored HTLC: its row changed and its updated_index moved on. */
        UPDATED,
        /** A replay that added nothing new: the row was left as it was. */
        UNCHANGED,
    }
}
