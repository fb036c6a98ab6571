package io.failscope;

import io.failscope.tlv.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestValueTypes
{
    @Test
    void shortChannelIdPacksBlockTransactionAndOutput()
    {
        ShortChannelId scid = ShortChannelId.parse("103x1x0");
        assertThat(scid.value()).isEqualTo(0x0000_6700_0001_0000L);
        assertThat(scid.block()).isEqualTo(103);
        assertThat(scid.transaction()).isEqualTo(1);
        assertThat(scid.output()).isZero();
        assertThat(scid).hasToString("103x1x0");
        assertThat(ShortChannelId.parse("16777215x16777215x65535").value()).isEqualTo(-1L);
        assertThat(new ShortChannelId(0x226)).hasToString("0x0x550");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "103x1", "103x1x0x0", "103:1:0", "16777216x0x0", "0x16777216x0", "0x0x65536", "-1x0x0", "1x x0", "abc", "103X1X0"})
    void rejectsTextThatIsNotAShortChannelIdNamingIt(String text)
    {
        assertThatThrownBy(() -> ShortChannelId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a short channel id (BLOCKxTXxOUTPUT): '" + text + "'");
    }

    @Test
    void nodeIdAndPaymentHashCheckTheirSize()
    {
        assertThat(NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")).hasToString("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb");
        assertThatThrownBy(() -> NodeId.fromHex("043da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb"))
                .hasMessageStartingWith("node id must be 33 bytes starting with 02 or 03: 043da0");
        // right size and prefix, but x^3 + 7 has no square root for this x: not a key (a record would not decode)
        assertThatThrownBy(() -> NodeId.fromHex("02" + "03".repeat(32)))
                .hasMessage("node id is not a point on secp256k1: 02" + "03".repeat(32));
        assertThatThrownBy(() -> PaymentHash.fromHex("abcd")).hasMessage("payment hash must be 32 bytes, got 2: abcd");
        assertThatThrownBy(() -> Bytes.fromHex("abc")).hasMessage("hex has an odd number of digits: 'abc'");
        assertThatThrownBy(() -> Bytes.fromHex("zz")).hasMessage("not hex: 'zz'");
    }
}
