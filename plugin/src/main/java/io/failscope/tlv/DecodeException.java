package io.failscope.tlv;

import static java.util.Objects.requireNonNull;

/**
 * A value could not be decoded. The message says what was wrong and where; {@link #kind()} says which
 * rule was broken, in the vocabulary of the BOLT #1 vectors ({@code bolt01-vectors.json} error kinds).
 */
public final class DecodeException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** Which rule a decoder found broken. */
    public enum Kind
    {
        /** Input ended before a value started (BigSize "EOF"). */
        EMPTY_INPUT,
        /** Input ended inside a BigSize (BigSize "unexpected EOF"). */
        TRUNCATED,
        /** A BigSize that is not minimally encoded. */
        NON_CANONICAL,
        TRUNCATED_TYPE,
        NON_MINIMAL_TYPE,
        TRUNCATED_LENGTH,
        NON_MINIMAL_LENGTH,
        TRUNCATED_VALUE,
        UNKNOWN_EVEN_TYPE,
        NOT_STRICTLY_INCREASING,
        DUPLICATE_TYPE,
        /** A known record whose length is not the length its fields need. */
        INVALID_LENGTH_FOR_KNOWN_TYPE,
        /** A truncated integer (tu16/tu32/tu64) with a leading zero byte. */
        NON_MINIMAL_TRUNCATED_INT,
        /** A field has the right size but a value that is not allowed. */
        INVALID_VALUE,
        /** A required field is absent. */
        MISSING_FIELD,
    }

    private final Kind kind;

    public DecodeException(Kind kind, String message)
    {
        super(requireNonNull(message, "message is null"));
        this.kind = requireNonNull(kind, "kind is null");
    }

    public Kind kind()
    {
        return kind;
    }
}
