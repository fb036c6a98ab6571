package io.failscope.reason;

import io.failscope.tlv.Bytes;

import static java.util.Objects.requireNonNull;

/**
 * One decoded field of a failure message: a number for the integer kinds, bytes for
 * {@link DataField.Kind#SHA256} and {@link DataField.Kind#LENGTH_PREFIXED}.
 */
public record FieldValue(DataField field, long number, Bytes bytes)
{
    public FieldValue
    {
        requireNonNull(field, "field is null");
        requireNonNull(bytes, "bytes is null");
        switch (field.kind()) {
            case SHA256 -> {
                if (bytes.length() != 32) {
                    throw new IllegalArgumentException(field.name() + " must be 32 bytes, got " + bytes.length());
                }
            }
            case LENGTH_PREFIXED -> {
                if (bytes.length() > 0xFFFF) {
                    throw new IllegalArgumentException(field.name() + " is longer than a u16 length allows: " + bytes.length());
                }
            }
            case U16 -> checkRange(field, number, 0xFFFF);
            case U32 -> checkRange(field, number, 0xFFFF_FFFFL);
            case U64, BIGSIZE -> {
                // every 64-bit pattern is a valid unsigned value
            }
        }
    }

    public static FieldValue ofNumber(DataField field, long number)
    {
        return new FieldValue(field, number, Bytes.EMPTY);
    }

    public static FieldValue ofBytes(DataField field, Bytes bytes)
    {
        return new FieldValue(field, 0, bytes);
    }

    public boolean isNumber()
    {
        return field.kind() != DataField.Kind.SHA256 && field.kind() != DataField.Kind.LENGTH_PREFIXED;
    }

    private static void checkRange(DataField field, long number, long max)
    {
        if (number < 0 || number > max) {
            throw new IllegalArgumentException(field.name() + " out of range 0.." + max + ": " + number);
        }
    }
}
