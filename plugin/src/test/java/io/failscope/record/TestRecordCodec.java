package io.failscope.record;

import io.failscope.reason.FailureReason;
import io.failscope.reason.LocalReason;
import io.failscope.reason.ReasonSource;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.DecodeException.Kind;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestRecordCodec
{
    @TestFactory
    List<DynamicTest> goldenV1FilesReadWithTheCanonicalReasonForTheirCode()
    {
        List<DynamicTest> tests = new ArrayList<>();
        GoldenRecords.v1().forEach((name, expected) -> tests.add(DynamicTest.dynamicTest("v1/" + name, () -> {
            Bytes bytes = golden("v1/" + name);
            DecodedRecord decoded = RecordCodec.decode(bytes);
            assertThat(decoded.format()).isEqualTo(RecordFormat.V1);
            assertThat(decoded.record()).isEqualTo(expected);
            decoded.record().reason().ifPresent(reason -> {
                assertThat(reason.source()).isEqualTo(ReasonSource.CODE);
                assertThat(reason.reason()).isEqualTo(FailureReason.canonicalFor(reason.wireCode()));
            });
            // a v1 writer still writes the same bytes
            assertThat(RecordCodec.encode(decoded.record(), RecordFormat.V1)).isEqualTo(bytes);
            // migrating to v2 keeps the legacy wire code at type 0, so a v1 reader still reads it
            Bytes migrated = RecordCodec.encode(decoded.record());
            assertThat(migrated.hex()).startsWith(bytes.hex().substring(0, decoded.record().reason().isPresent() ? 8 : 0));
            assertThat(RecordCodec.decode(migrated).record()).isEqualTo(expected);
        })));
        return tests;
    }

    @TestFactory
    List<DynamicTest> goldenV2FilesReadBackExactly()
    {
        List<DynamicTest> tests = new ArrayList<>();
        GoldenRecords.v2().forEach((name, expected) -> tests.add(DynamicTest.dynamicTest("v2/" + name, () -> {
            Bytes bytes = golden("v2/" + name);
            DecodedRecord decoded = RecordCodec.decode(bytes);
            assertThat(decoded.format()).isEqualTo(expected.reason().isPresent() ? RecordFormat.V2 : RecordFormat.V1);
            assertThat(decoded.record()).isEqualTo(expected);
            assertThat(RecordCodec.encode(decoded.record())).isEqualTo(bytes);
        })));
        return tests;
    }

    @Test
    void unknownOddFieldsSurviveDecodeAndEncodeByteForByte()
            throws DecodeException
    {
        Bytes bytes = golden("v2/unknown-odd-fields");
        HtlcFailureRecord record = RecordCodec.decode(bytes).record();
        assertThat(record.unknownFields().topLevel()).extracting(field -> field.type()).containsExactly(39L, 65537L);
        assertThat(record.unknownFields().inReason()).extracting(field -> field.type()).containsExactly(1L, 3L);
        // a read-modify-write, as a richer event about the same HTLC does
        HtlcFailureRecord updated = record.toBuilder().resolvedTime(GoldenRecords.RESOLVED).build();
        Bytes rewritten = RecordCodec.encode(updated);
        assertThat(rewritten.hex()).contains("2702cafe", "fe00010001050102030405", "050101ff0300");
        HtlcFailureRecord reread = RecordCodec.decode(rewritten).record();
        assertThat(reread).isEqualTo(updated);
        assertThat(RecordCodec.encode(record)).isEqualTo(bytes);
    }

    @Test
    void aReasonIndexFromANewerVersionFallsBackToTheWireCode()
            throws DecodeException
    {
        // inferred-htlc-maximum with its index 40 (0x0028) replaced by 999 (0x03e7), as a newer writer might store
        String hex = golden("v2/inferred-htlc-maximum").hex();
        String reason = "2105" + "1007" + "0028" + "00";
        assertThat(hex).contains(reason);
        HtlcFailureRecord record = RecordCodec.decode(Bytes.fromHex(hex.replace(reason, "2105100703e700"))).record();
        assertThat(record.reason().orElseThrow().reason()).isEqualTo(FailureReason.of(LocalReason.TEMPORARY_CHANNEL_FAILURE));
        assertThat(record.reason().orElseThrow().source()).isEqualTo(ReasonSource.INFERRED);
        assertThat(record.reason().orElseThrow().evidence().values()).containsEntry("htlc_maximum_msat", 500_000L);
    }

    @Test
    void anUnknownEvenFieldIsAnErrorNamingItsType()
    {
        // append type 40 (even, unassigned) with one byte
        String hex = golden("v2/inferred-htlc-maximum").hex() + "2801ff";
        assertThatThrownBy(() -> RecordCodec.decode(Bytes.fromHex(hex)))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_EVEN_TYPE))
                .hasMessageContaining("unknown even type 40");
    }

    @Test
    void inconsistentOrIncompleteRecordsAreRejectedWithTheFieldNamed()
    {
        String hex = golden("v2/inferred-htlc-maximum").hex();
        assertRejected(hex.replace("00021007", "00022002"), Kind.INVALID_VALUE, "legacy wire code 8194 differs from the reason's wire code 4103");
        assertRejected(hex.replace("00021007", "00022002").replace("2105100700280", "2105200200280"), Kind.INVALID_VALUE, "reason index 40 (htlc_maximum) does not go out as wire code 8194");
        assertRejected(hex.replace("00021007", ""), Kind.MISSING_FIELD, "the legacy wire code (type 0) is missing next to the reason");
        assertRejected(hex.replace("020100", ""), Kind.MISSING_FIELD, "required field failure_type (type 2) is missing");
        assertRejected(hex.replace("020100", "020109"), Kind.INVALID_VALUE, "unknown failure_type 9");
        assertRejected(hex.replace("230101", ""), Kind.MISSING_FIELD, "required field reason_source (type 35) is missing");
        assertRejected(hex.replace("0f030f4629", "0f04000f4629"), Kind.NON_MINIMAL_TRUNCATED_INT, "in_msat.value: truncated integer at offset 0 has a leading zero byte");
        assertRejected(hex.replace("0621023d", "0621043d"), Kind.INVALID_VALUE, "node_id is not a valid point");
        assertRejected(hex.replace("0b08000065", "1b08000065"), Kind.NOT_STRICTLY_INCREASING, "tlv stream is not sorted: type 13 after 27");
    }

    @Test
    void aRecordWithoutAReasonIsTheSameInBothFormats()
            throws DecodeException
    {
        Bytes v1 = golden("v1/downstream-without-code");
        assertThat(golden("v2/downstream-without-code")).isEqualTo(v1);
        assertThat(RecordCodec.decode(v1).record().wireCode()).isEmpty();
    }

    private static void assertRejected(String hex, Kind kind, String message)
    {
        assertThatThrownBy(() -> RecordCodec.decode(Bytes.fromHex(hex)))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind))
                .hasMessageContaining(message);
    }

    static Bytes golden(String name)
    {
        try (InputStream in = TestRecordCodec.class.getResourceAsStream("/golden/" + name + ".hex")) {
            assertThat(in).as("golden file %s", name).isNotNull();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Bytes.fromHex(text.lines().filter(line -> !line.startsWith("#")).map(String::strip).collect(Collectors.joining()));
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyGoldenFileOnDiskHasAnExpectedRecord()
            throws IOException
    {
        for (Map.Entry<String, Map<String, HtlcFailureRecord>> version : Map.of("v1", GoldenRecords.v1(), "v2", GoldenRecords.v2()).entrySet()) {
            try (InputStream in = TestRecordCodec.class.getResourceAsStream("/golden/" + version.getKey() + "/")) {
                assertThat(in).isNotNull();
                List<String> files = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(file -> file.endsWith(".hex")).map(file -> file.replace(".hex", "")).toList();
                assertThat(files).containsExactlyInAnyOrderElementsOf(version.getValue().keySet());
            }
        }
    }
}
