package io.failscope.reason;

import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.DecodeException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestFailureMessage
{
    /** One valid message per code, as name | hex | decoded fields. */
    private static final String EVERY_CODE = """
            temporary_node_failure               | 2002                                                                 | ''
            permanent_node_failure               | 6002                                                                 | ''
            required_node_feature_missing        | 6003                                                                 | ''
            invalid_onion_version                | c004a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0 | sha256_of_onion=a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0
            invalid_onion_hmac                   | c00500000000000000000000000000000000000000000000000000000000000000ff | sha256_of_onion=00000000000000000000000000000000000000000000000000000000000000ff
            invalid_onion_key                    | c0061111111111111111111111111111111111111111111111111111111111111111 | sha256_of_onion=1111111111111111111111111111111111111111111111111111111111111111
            temporary_channel_failure            | 10070000                                                             | channel_update=
            temporary_channel_failure            | 10070003010203                                                       | channel_update=010203
            permanent_channel_failure            | 4008                                                                 | ''
            required_channel_feature_missing     | 4009                                                                 | ''
            unknown_next_peer                    | 400a                                                                 | ''
            amount_below_minimum                 | 100b00000000000003e80000                                             | htlc_msat=1000 channel_update=
            fee_insufficient                     | 100c00000000000f42400000                                             | htlc_msat=1000000 channel_update=
            incorrect_cltv_expiry                | 100d000001af0000                                                     | cltv_expiry=431 channel_update=
            expiry_too_soon                      | 100e0000                                                             | channel_update=
            incorrect_or_unknown_payment_details | 400f0000000000000064000c3500                                         | htlc_msat=100 height=800000
            final_incorrect_cltv_expiry          | 0012000001af                                                         | cltv_expiry=431
            final_incorrect_htlc_amount          | 001300000000000f4240                                                 | incoming_htlc_amt=1000000
            channel_disabled                     | 101400000000                                                         | disabled_flags=0 channel_update=
            expiry_too_far                       | 0015                                                                 | ''
            invalid_onion_payload                | 4016                                                                 | ''
            invalid_onion_payload                | 40160e0002                                                           | type=14 offset=2
            invalid_onion_payload                | 4016fd012c0102                                                       | type=300 offset=258
            mpp_timeout                          | 0017                                                                 | ''
            invalid_onion_blinding               | c0182222222222222222222222222222222222222222222222222222222222222222 | sha256_of_onion=2222222222222222222222222222222222222222222222222222222222222222
            invalid_realm                        | 4001                                                                 | ''
            unknown_payment_hash                 | 400f                                                                 | ''
            incorrect_payment_amount             | 4010                                                                 | ''
            final_expiry_too_soon                | 0011                                                                 | ''
            temporary_trampoline_failure         | 2019                                                                 | ''
            trampoline_fee_or_expiry_insufficient| 201a000003e8000000640090                                             | fee_base_msat=1000 fee_proportional_millionths=100 cltv_expiry_delta=144
            unknown_next_trampoline              | 401b                                                                 | ''
            """;

    static Stream<Arguments> everyCode()
    {
        return EVERY_CODE.lines().map(line -> {
            String[] cells = line.split("\\|");
            String fields = cells[2].strip();
            return Arguments.of(cells[0].strip(), cells[1].strip(), fields.equals("''") ? "" : fields);
        });
    }

    /** Decode, check the fields, encode back to the same hex. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyCode")
    void decodesAndEncodesEveryCode(String name, String hex, String fields)
            throws DecodeException
    {
        FailureMessage message = FailureMessage.decode(Bytes.fromHex(hex));
        assertThat(message.failureCode()).map(FailureCode::specName).contains(name);
        assertThat(describe(message)).isEqualTo(fields);
        assertThat(message.extension().isEmpty()).isTrue();
        assertThat(message.hex()).isEqualTo(hex);
        assertThat(message.data().hex()).isEqualTo(hex.substring(4));
    }

    @Test
    void theTableAboveCoversEveryCode()
    {
        Set<String> names = everyCode().map(arguments -> (String) arguments.get()[0]).collect(Collectors.toSet());
        assertThat(names).containsExactlyInAnyOrderElementsOf(Stream.of(FailureCode.values()).map(FailureCode::specName).toList());
    }

    @Test
    void keepsTheTlvExtensionAfterTheDataVerbatim()
            throws DecodeException
    {
        // BOLT #4 "Returning Errors" test vector: incorrect_or_unknown_payment_details with a 300-byte TLV extension.
        String extension = "fd84d1fd012c" + "80".repeat(300);
        String hex = "400f" + "0000000000000064" + "000c3500" + extension;
        FailureMessage message = FailureMessage.decode(Bytes.fromHex(hex));
        assertThat(message.number("htlc_msat")).hasValue(100);
        assertThat(message.number("height")).hasValue(800_000);
        assertThat(message.extension().hex()).isEqualTo(extension);
        assertThat(message.hex()).isEqualTo(hex);
    }

    @Test
    void keepsTheDataOfACodeNobodyAssigned()
            throws DecodeException
    {
        FailureMessage message = FailureMessage.decode(Bytes.fromHex("5555abcd"));
        assertThat(message.code()).isEqualTo(0x5555);
        assertThat(message.failureCode()).isEmpty();
        assertThat(message.extension().hex()).isEqualTo("abcd");
        assertThat(message.hex()).isEqualTo("5555abcd");
        assertThat(message).isEqualTo(FailureMessage.unknown(0x5555, Bytes.fromHex("abcd")));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                         | TRUNCATED_VALUE | failure message code: needs 2 bytes at offset 0, 0 left
            20                         | TRUNCATED_VALUE | failure message code: needs 2 bytes at offset 0, 1 left
            1007                       | TRUNCATED_VALUE | temporary_channel_failure.channel_update length: needs 2 bytes at offset 2, 0 left
            100700                     | TRUNCATED_VALUE | temporary_channel_failure.channel_update length: needs 2 bytes at offset 2, 1 left
            10070005aabb               | TRUNCATED_VALUE | temporary_channel_failure.channel_update: needs 5 bytes at offset 4, 2 left
            100b0000                   | TRUNCATED_VALUE | amount_below_minimum.htlc_msat: needs 8 bytes at offset 2, 2 left
            400f0000000000000064       | TRUNCATED_VALUE | incorrect_or_unknown_payment_details.height: needs 4 bytes at offset 10, 0 left
            c004aabb                   | TRUNCATED_VALUE | invalid_onion_version.sha256_of_onion: needs 32 bytes at offset 2, 2 left
            4016fd00                   | TRUNCATED_VALUE | invalid_onion_payload.type: needs 2 bytes at offset 3, 1 left
            4016fd000c0000             | NON_CANONICAL   | invalid_onion_payload.type: bigsize at offset 2 is not minimally encoded (value 12)
            40160e00                   | TRUNCATED_VALUE | invalid_onion_payload.offset: needs 2 bytes at offset 3, 1 left
            10140000                   | TRUNCATED_VALUE | channel_disabled.channel_update length: needs 2 bytes at offset 4, 0 left
            """)
    void rejectsMalformedMessagesSayingWhatAndWhere(String hex, Kind kind, String message)
    {
        assertThatThrownBy(() -> FailureMessage.decode(Bytes.fromHex(hex)))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessage(message);
    }

    @Test
    void theBuilderChecksTheLayout()
    {
        assertThatThrownBy(() -> FailureMessage.builder(FailureCode.FEE_INSUFFICIENT).noChannelUpdate().build())
                .hasMessage("fee_insufficient needs field htlc_msat");
        assertThatThrownBy(() -> FailureMessage.builder(FailureCode.FEE_INSUFFICIENT).number("height", 1))
                .hasMessage("fee_insufficient has no field height");
        assertThatThrownBy(() -> FailureMessage.builder(FailureCode.INCORRECT_CLTV_EXPIRY).number("cltv_expiry", 1L << 32))
                .hasMessage("cltv_expiry out of range 0..4294967295: 4294967296");
        assertThatThrownBy(() -> FailureMessage.unknown(0x1007, Bytes.EMPTY))
                .hasMessageContaining("defined by BOLT #4");
    }

    private static String describe(FailureMessage message)
    {
        StringBuilder text = new StringBuilder();
        for (FieldValue value : message.fields()) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(value.field().name()).append('=').append(value.isNumber() ? Long.toUnsignedString(value.number()) : value.bytes().hex());
        }
        return text.toString();
    }
}
