package io.failscope.reason;

import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each code an operator may choose, against hex worked out by hand from BOLT #4, for an HTLC of
 * 1,000,000 msat (0x00000000000f4240) expiring at block 431 (0x000001af), at height 800,000 (0x000c3500).
 * UPDATE codes carry a zero-length channel_update (u16 len = 0000).
 */
final class TestSelectableFailure
{
    private static final HtlcFacts HTLC = new HtlcFacts(1_000_000, 431, 800_000);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            temporary_node_failure               | 2002
            required_node_feature_missing        | 6003
            incorrect_or_unknown_payment_details | 400f 00000000000f4240 000c3500
            invalid_onion_payload                | 4016
            temporary_channel_failure            | 1007 0000
            permanent_channel_failure            | 4008
            unknown_next_peer                    | 400a
            channel_disabled                     | 1014 0000 0000
            expiry_too_soon                      | 100e 0000
            amount_below_minimum                 | 100b 00000000000f4240 0000
            fee_insufficient                     | 100c 00000000000f4240 0000
            incorrect_cltv_expiry                | 100d 000001af 0000
            """)
    void buildsTheExactBolt04Message(String name, String expectedHex)
            throws DecodeException
    {
        SelectableFailure failure = SelectableFailure.parse(name);
        FailureMessage message = FailureChoice.of(failure).message(HTLC);
        String hex = expectedHex.replace(" ", "");
        assertThat(message.hex()).isEqualTo(hex);
        assertThat(message.code()).isEqualTo(failure.failureCode().code());
        assertThat(FailureMessage.decode(Bytes.fromHex(hex))).isEqualTo(message);
    }

    @ParameterizedTest(name = "type {0} offset {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0     | 0     | 4016 00 0000
            14    | 2     | 4016 0e 0002
            252   | 65535 | 4016 fc ffff
            253   | 1     | 4016 fd00fd 0001
            65536 | 7     | 4016 fe00010000 0007
            """)
    void invalidOnionPayloadCarriesTheTypeAndOffsetWhenGiven(long type, int offset, String expectedHex)
    {
        assertThat(FailureChoice.invalidOnionPayload(type, offset).message(HTLC).hex()).isEqualTo(expectedHex.replace(" ", ""));
    }

    @Test
    void coversAtLeastLdksFourAndTheForwardingCodes()
    {
        assertThat(EnumSet.allOf(SelectableFailure.class)).extracting(SelectableFailure::specName).containsExactlyInAnyOrder(
                "temporary_node_failure", "required_node_feature_missing", "incorrect_or_unknown_payment_details", "invalid_onion_payload",
                "temporary_channel_failure", "permanent_channel_failure", "unknown_next_peer", "channel_disabled", "expiry_too_soon",
                "amount_below_minimum", "fee_insufficient", "incorrect_cltv_expiry");
    }

    @Test
    void refusesACodeThatCannotBeChosenListingTheAllowedOnes()
    {
        assertThatThrownBy(() -> SelectableFailure.parse("invalid_onion_hmac"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'invalid_onion_hmac' is not a failure code that can be chosen; choose one of temporary_node_failure, ");
        assertThatThrownBy(() -> new FailureChoice(SelectableFailure.FEE_INSUFFICIENT, OptionalLong.of(1), OptionalInt.of(1)))
                .hasMessage("type and offset only go with invalid_onion_payload, not fee_insufficient");
        assertThatThrownBy(() -> FailureChoice.invalidOnionPayload(1, 70_000))
                .hasMessage("invalid_onion_payload offset out of u16 range: 70000");
        assertThat(SelectableFailure.parse("FEE_INSUFFICIENT")).isEqualTo(SelectableFailure.FEE_INSUFFICIENT);
    }
}
