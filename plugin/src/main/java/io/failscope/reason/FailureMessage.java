package io.failscope.reason;

import io.failscope.tlv.BigSize;
import io.failscope.tlv.ByteReader;
import io.failscope.tlv.ByteWriter;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.DecodeException.Kind;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A whole BOLT #4 {@code failuremsg}: {@code u16 failure_code ‖ data ‖ optional TLV extension}
 * ({@code bolt-notes.md}, "BOLT #4 failure messages"). The data follows the code's layout in
 * {@link FailureCode}; whatever follows the data is kept verbatim as the {@link #extension()} (the
 * origin node must ignore extra bytes, and they may be signed). A code BOLT #4 never assigned keeps all
 * its data as the extension.
 */
public final class FailureMessage
{
    private static final String WHAT = "failure message";

    private final int code;
    private final Optional<FailureCode> failureCode;
    private final List<FieldValue> fields;
    private final Bytes extension;

    private FailureMessage(int code, Optional<FailureCode> failureCode, List<FieldValue> fields, Bytes extension)
    {
        this.code = code;
        this.failureCode = failureCode;
        this.fields = List.copyOf(fields);
        this.extension = extension;
    }

    /** A message of a code whose layout has no fields, or whose fields are optional. */
    public static FailureMessage of(FailureCode failureCode)
    {
        return builder(failureCode).build();
    }

    public static Builder builder(FailureCode failureCode)
    {
        return new Builder(failureCode);
    }

    /** A message with a code BOLT #4 does not define, with its data kept as opaque bytes. */
    public static FailureMessage unknown(int code, Bytes data)
    {
        checkCode(code);
        if (FailureCode.forCode(code).isPresent()) {
            throw new IllegalArgumentException("code 0x" + hex16(code) + " is defined by BOLT #4; use builder()");
        }
        return new FailureMessage(code, Optional.empty(), List.of(), requireNonNull(data, "data is null"));
    }

    public static FailureMessage decode(Bytes message)
            throws DecodeException
    {
        return decode(message.toArray());
    }

    public static FailureMessage decode(byte[] message)
            throws DecodeException
    {
        ByteReader reader = new ByteReader(message);
        int code = reader.readU16(Kind.TRUNCATED_VALUE, WHAT + " code");
        Optional<FailureCode> known = FailureCode.forCode(code);
        if (known.isEmpty()) {
            return new FailureMessage(code, known, List.of(), Bytes.of(reader.readRemaining()));
        }
        FailureCode failureCode = known.get();
        if (!reader.hasRemaining()) {
            if (failureCode == FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS) {
                // An old sender's unknown_payment_hash: same number, no data.
                return new FailureMessage(code, Optional.of(FailureCode.UNKNOWN_PAYMENT_HASH), List.of(), Bytes.EMPTY);
            }
            if (failureCode.dataOptional()) {
                return new FailureMessage(code, known, List.of(), Bytes.EMPTY);
            }
        }
        List<FieldValue> fields = new ArrayList<>(failureCode.layout().size());
        for (DataField field : failureCode.layout()) {
            fields.add(readField(reader, failureCode, field));
        }
        return new FailureMessage(code, known, fields, Bytes.of(reader.readRemaining()));
    }

    private static FieldValue readField(ByteReader reader, FailureCode failureCode, DataField field)
            throws DecodeException
    {
        String what = failureCode.specName() + "." + field.name();
        return switch (field.kind()) {
            case SHA256 -> FieldValue.ofBytes(field, reader.readBytesValue(32, Kind.TRUNCATED_VALUE, what));
            case U16 -> FieldValue.ofNumber(field, reader.readU16(Kind.TRUNCATED_VALUE, what));
            case U32 -> FieldValue.ofNumber(field, reader.readU32(Kind.TRUNCATED_VALUE, what));
            case U64 -> FieldValue.ofNumber(field, reader.readU64(Kind.TRUNCATED_VALUE, what));
            case BIGSIZE -> FieldValue.ofNumber(field, BigSize.read(reader, what, Kind.TRUNCATED_VALUE, Kind.TRUNCATED_VALUE, Kind.NON_CANONICAL));
            case LENGTH_PREFIXED -> {
                int length = reader.readU16(Kind.TRUNCATED_VALUE, what + " length");
                yield FieldValue.ofBytes(field, reader.readBytesValue(length, Kind.TRUNCATED_VALUE, what));
            }
        };
    }

    public Bytes encode()
    {
        ByteWriter writer = new ByteWriter(2 + extension.length() + 16);
        writer.writeU16(code);
        for (FieldValue value : fields) {
            switch (value.field().kind()) {
                case SHA256 -> writer.writeBytes(value.bytes());
                case U16 -> writer.writeU16((int) value.number());
                case U32 -> writer.writeU32(value.number());
                case U64 -> writer.writeU64(value.number());
                case BIGSIZE -> writer.writeBigSize(value.number());
                case LENGTH_PREFIXED -> writer.writeU16(value.bytes().length()).writeBytes(value.bytes());
            }
        }
        writer.writeBytes(extension);
        return writer.toBytes();
    }

    public String hex()
    {
        return encode().hex();
    }

    public int code()
    {
        return code;
    }

    /** The BOLT #4 entry whose layout the data follows; empty for a code BOLT #4 never assigned. */
    public Optional<FailureCode> failureCode()
    {
        return failureCode;
    }

    public List<FieldValue> fields()
    {
        return fields;
    }

    /** The bytes after the known fields (usually empty). */
    public Bytes extension()
    {
        return extension;
    }

    /** The data after the code: the fields and the extension, as they go on the wire. */
    public Bytes data()
    {
        byte[] encoded = encode().toArray();
        byte[] data = new byte[encoded.length - 2];
        System.arraycopy(encoded, 2, data, 0, data.length);
        return Bytes.of(data);
    }

    public OptionalLong number(String fieldName)
    {
        for (FieldValue value : fields) {
            if (value.field().name().equals(fieldName) && value.isNumber()) {
                return OptionalLong.of(value.number());
            }
        }
        return OptionalLong.empty();
    }

    public Optional<Bytes> bytes(String fieldName)
    {
        for (FieldValue value : fields) {
            if (value.field().name().equals(fieldName) && !value.isNumber()) {
                return Optional.of(value.bytes());
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof FailureMessage that
                && code == that.code
                && failureCode.equals(that.failureCode)
                && fields.equals(that.fields)
                && extension.equals(that.extension);
    }

    @Override
    public int hashCode()
    {
        return 31 * code + fields.hashCode() * 17 + extension.hashCode();
    }

    @Override
    public String toString()
    {
        return FailureCode.wireName(code) + "(" + hex() + ")";
    }

    static String hex16(int code)
    {
        return HexFormat.of().toHexDigits((short) code);
    }

    private static void checkCode(int code)
    {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("failure code out of u16 range: " + code);
        }
    }

    /** Builds a message field by field, checked against the code's layout. */
    public static final class Builder
    {
        private final FailureCode failureCode;
        private final FieldValue[] values;
        private Bytes extension = Bytes.EMPTY;

        private Builder(FailureCode failureCode)
        {
            this.failureCode = requireNonNull(failureCode, "failureCode is null");
            this.values = new FieldValue[failureCode.layout().size()];
        }

        public Builder number(String fieldName, long number)
        {
            int index = indexOf(fieldName);
            values[index] = FieldValue.ofNumber(failureCode.layout().get(index), number);
            return this;
        }

        public Builder bytes(String fieldName, Bytes bytes)
        {
            int index = indexOf(fieldName);
            values[index] = FieldValue.ofBytes(failureCode.layout().get(index), bytes);
            return this;
        }

        /** Sets an empty channel_update (len 0), as LDK and Core Lightning send today. */
        public Builder noChannelUpdate()
        {
            return bytes("channel_update", Bytes.EMPTY);
        }

        public Builder extension(Bytes extension)
        {
            this.extension = requireNonNull(extension, "extension is null");
            return this;
        }

        public FailureMessage build()
        {
            List<FieldValue> fields = new ArrayList<>(values.length);
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    if (failureCode.dataOptional() && allUnset()) {
                        if (!extension.isEmpty()) {
                            throw new IllegalStateException(failureCode.specName() + " without data cannot carry an extension: it would read back as data");
                        }
                        return new FailureMessage(failureCode.code(), Optional.of(failureCode), List.of(), extension);
                    }
                    throw new IllegalStateException(failureCode.specName() + " needs field " + failureCode.layout().get(i).name());
                }
                fields.add(values[i]);
            }
            return new FailureMessage(failureCode.code(), Optional.of(failureCode), fields, extension);
        }

        private boolean allUnset()
        {
            for (FieldValue value : values) {
                if (value != null) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(String fieldName)
        {
            List<DataField> layout = failureCode.layout();
            for (int i = 0; i < layout.size(); i++) {
                if (layout.get(i).name().equals(fieldName)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(failureCode.specName() + " has no field " + fieldName);
        }
    }
}
