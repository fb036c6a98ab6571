package io.failscope.tlv;

import io.failscope.tlv.DecodeException.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules the BOLT #1 vectors leave out: the largest types, writing, and appended streams. */
final class TestTlvStream
{
    @Test
    void typesAreUnsigned64BitNumbers()
            throws DecodeException
    {
        // 2^63 + 1 (odd) after 2^63 - 1: ordered as unsigned numbers, not as Java longs
        List<TlvRecord> records = TlvStream.decode(Bytes.fromHex("ff7fffffffffffffff00" + "ff800000000000000100").toArray(), type -> false, "test");
        assertThat(records).extracting(TlvRecord::typeName).containsExactly("9223372036854775807", "9223372036854775809");
        assertThat(TlvStream.encode(records)).isEqualTo(Bytes.fromHex("ff7fffffffffffffff00ff800000000000000100").toArray());
    }

    @Test
    void aLengthBeyondTheInputIsTruncatedValueEvenWhenHuge()
    {
        assertThatThrownBy(() -> TlvStream.decode(Bytes.fromHex("01ffffffffffffffffff").toArray(), type -> true, "test"))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRUNCATED_VALUE))
                .hasMessage("test: type 1 at offset 0 has length 18446744073709551615 but only 0 bytes follow");
    }

    @Test
    void appendingAnInvalidStreamToAValidOneFails()
    {
        String valid = "0100" + "0302aabb";
        assertThatThrownBy(() -> TlvStream.decode(Bytes.fromHex(valid + "0200").toArray(), type -> type != 2, "test"))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_STRICTLY_INCREASING));
        assertThatThrownBy(() -> TlvStream.decode(Bytes.fromHex(valid + "0a00").toArray(), type -> false, "test"))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_EVEN_TYPE))
                .hasMessage("test: unknown even type 10 at offset 6");
    }

    @Test
    void theWriterRefusesRecordsOutOfOrder()
    {
        assertThatThrownBy(() -> TlvStream.encode(List.of(new TlvRecord(3, Bytes.EMPTY), new TlvRecord(3, Bytes.EMPTY))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tlv records out of order: type 3 after 3");
    }

    @Test
    void truncatedIntegersRoundTripAtEveryWidth()
            throws DecodeException
    {
        long[] values = {0, 1, 0xFF, 0x100, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE, -1L};
        for (long value : values) {
            Bytes encoded = new ByteWriter().writeTruncated(value).toBytes();
            TlvValueReader reader = new TlvValueReader(new TlvRecord(1, encoded), "test");
            assertThat(reader.readTruncatedRest(8, "value")).isEqualTo(value);
        }
    }
}
