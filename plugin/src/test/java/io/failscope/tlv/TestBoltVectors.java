package io.failscope.tlv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureCode;
import io.failscope.reason.FailureFlag;
import io.failscope.testing.SpecLayout;
import io.failscope.tlv.DecodeException.Kind;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs every BigSize and TLV vector of {@code bolt01-vectors.json} (copied from
 * {@code shared/reference}), or of the file named by {@code -Dbolt.vectors=/some/file.json}: same shape,
 * any number of vectors, any ids. The namespaces a vector is decoded in come from the file itself.
 */
final class TestBoltVectors
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KIND_NAMES = Stream.of(Kind.values()).map(Kind::name).collect(Collectors.toSet());

    @TestFactory
    List<DynamicTest> bigSizeDecoding()
            throws IOException
    {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : vectors().path("bolt01").path("bigsize").path("decoding").path("vectors")) {
            tests.add(DynamicTest.dynamicTest("bigsize decode: " + vector.path("name").asText(), () -> {
                byte[] bytes = hex(vector.path("bytes").asText());
                if (vector.path("valid").asBoolean(true)) {
                    ByteReader reader = new ByteReader(bytes);
                    long value = BigSize.read(reader, "value");
                    assertThat(Long.toUnsignedString(value, 16)).isEqualTo(unsignedHex(vector));
                    assertThat(reader.remaining()).as("bytes left after the bigsize").isZero();
                    assertThat(BigSize.encode(value)).isEqualTo(bytes);
                }
                else {
                    assertThatThrownBy(() -> BigSize.read(new ByteReader(bytes), "value"))
                            .isInstanceOfSatisfying(DecodeException.class, e -> assertKind(e, vector.path("error_kind").asText()));
                }
            }));
        }
        return requireSome(tests, "bigsize decoding");
    }

    @TestFactory
    List<DynamicTest> bigSizeEncoding()
            throws IOException
    {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : vectors().path("bolt01").path("bigsize").path("encoding").path("vectors")) {
            tests.add(DynamicTest.dynamicTest("bigsize encode: " + vector.path("name").asText(), () -> {
                long value = Long.parseUnsignedLong(unsignedHex(vector), 16);
                assertThat(HexFormat.of().formatHex(BigSize.encode(value))).isEqualTo(vector.path("bytes").asText());
                assertThat(BigSize.encodedLength(value)).isEqualTo(vector.path("bytes").asText().length() / 2);
            }));
        }
        return requireSome(tests, "bigsize encoding");
    }

    @TestFactory
    List<DynamicTest> tlvStreams()
            throws IOException
    {
        JsonNode tlv = vectors().path("bolt01").path("tlv");
        Map<String, Namespace> namespaces = new HashMap<>();
        tlv.path("namespaces").fields().forEachRemaining(entry -> namespaces.put(entry.getKey(), Namespace.of(entry.getKey(), entry.getValue())));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : tlv.path("vectors")) {
            for (JsonNode namespaceName : vector.path("namespaces")) {
                String id = vector.path("id").asText() + " in " + namespaceName.asText();
                tests.add(DynamicTest.dynamicTest(id + ": " + vector.path("bytes_spec").asText(), () -> {
                    Namespace namespace = namespaces.get(namespaceName.asText());
                    assertThat(namespace).as("namespace %s is defined in the file", namespaceName.asText()).isNotNull();
                    byte[] bytes = hex(vector.path("bytes").asText());
                    if (vector.path("valid").asBoolean()) {
                        Decoded decoded = namespace.decode(bytes);
                        assertThat(decoded.records()).isEqualTo(expectedRecords(vector.path("expected_records")));
                        assertThat(decoded.ignored()).isEqualTo(expectedIgnored(vector.path("ignored_records")));
                    }
                    else {
                        assertThatThrownBy(() -> namespace.decode(bytes))
                                .as("%s must fail: %s", id, vector.path("reason").asText())
                                .isInstanceOfSatisfying(DecodeException.class, e -> assertKind(e, vector.path("error_kind").asText()));
                    }
                }));
            }
        }
        return requireSome(tests, "tlv");
    }

    /** Every BOLT #4 failure code the file lists, current and removed: number, flags and data layout. */
    @TestFactory
    List<DynamicTest> bolt04FailureCodes()
            throws IOException
    {
        JsonNode codes = vectors().path("bolt04").path("failure_codes");
        List<DynamicTest> tests = new ArrayList<>();
        for (String list : List.of("current", "deprecated_removed")) {
            for (JsonNode code : codes.path(list)) {
                tests.add(DynamicTest.dynamicTest("bolt04 " + code.path("name").asText(), () -> {
                    FailureCode failureCode = FailureCode.forSpecName(code.path("name").asText()).orElseThrow();
                    assertThat(failureCode.code()).isEqualTo(code.path("type_decimal").asInt());
                    assertThat(failureCode.status() == FailureCode.Status.REMOVED).isEqualTo(list.equals("deprecated_removed"));
                    List<String> flags = new ArrayList<>();
                    code.path("flags").forEach(flag -> flags.add(flag.asText()));
                    assertThat(failureCode.flags()).map(FailureFlag::name).containsExactlyInAnyOrderElementsOf(flags);
                    List<String> layout = new ArrayList<>();
                    code.path("data").forEach(field -> layout.add(field.path("type").asText() + ":" + field.path("name").asText()));
                    assertThat(SpecLayout.of(failureCode)).isEqualTo(layout);
                }));
            }
        }
        return requireSome(tests, "bolt04 failure code");
    }


    /** A kind the file names and we know must match; a label of another vocabulary only needs a failure. */
    private static void assertKind(DecodeException e, String expectedKind)
    {
        if (KIND_NAMES.contains(expectedKind)) {
            assertThat(e.kind()).as("error kind (message: %s)", e.getMessage()).isEqualTo(Kind.valueOf(expectedKind));
        }
        assertThat(e.getMessage()).isNotBlank();
    }

    private static List<DynamicTest> requireSome(List<DynamicTest> tests, String section)
    {
        if (tests.isEmpty()) {
            fail("the vector file has no " + section + " vectors: " + source());
        }
        return tests;
    }

    private static String unsignedHex(JsonNode vector)
    {
        return vector.path("value_hex").asText().replaceFirst("^0x", "").replaceFirst("^0+(?=.)", "");
    }

    private static Map<Long, Map<String, String>> expectedRecords(JsonNode records)
    {
        Map<Long, Map<String, String>> expected = new LinkedHashMap<>();
        for (JsonNode record : records) {
            Map<String, String> fields = new LinkedHashMap<>();
            record.path("fields").fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue().asText()));
            expected.put(record.path("type").asLong(), fields);
        }
        return expected;
    }

    private static List<String> expectedIgnored(JsonNode records)
    {
        List<String> expected = new ArrayList<>();
        for (JsonNode record : records) {
            expected.add(record.path("type").bigIntegerValue() + "/" + record.path("length").asInt());
        }
        return expected;
    }

    private static JsonNode vectors()
            throws IOException
    {
        String override = System.getProperty("bolt.vectors");
        if (override != null && !override.isBlank()) {
            return MAPPER.readTree(Files.readAllBytes(resolve(override)));
        }
        try (InputStream in = TestBoltVectors.class.getResourceAsStream("/bolt01-vectors.json")) {
            assertThat(in).as("bolt01-vectors.json on the test class path").isNotNull();
            return MAPPER.readTree(in);
        }
    }

    private static String source()
    {
        String override = System.getProperty("bolt.vectors");
        return override == null || override.isBlank() ? "bolt01-vectors.json (test resources)" : override;
    }

    /** A relative path is taken from the working directory, or failing that from the project root. */
    private static Path resolve(String file)
    {
        Path path = Path.of(file);
        if (path.isAbsolute() || Files.exists(path)) {
            return path;
        }
        Path fromRoot = Path.of("..").resolve(file);
        return Files.exists(fromRoot) ? fromRoot : path;
    }

    private static byte[] hex(String hex)
    {
        return HexFormat.of().parseHex(hex);
    }

    private record Decoded(Map<Long, Map<String, String>> records, List<String> ignored) {}

    private record RecordDefinition(String name, List<JsonNode> fields) {}

    /** A TLV namespace as the vector file defines it: record types and their field types. */
    private record Namespace(String name, Map<Long, RecordDefinition> records)
    {
        static Namespace of(String name, JsonNode definition)
        {
            Map<Long, RecordDefinition> records = new HashMap<>();
            for (JsonNode record : definition.path("records")) {
                List<JsonNode> fields = new ArrayList<>();
                record.path("fields").forEach(fields::add);
                records.put(record.path("type").asLong(), new RecordDefinition(record.path("name").asText(), fields));
            }
            return new Namespace(name, records);
        }

        Decoded decode(byte[] bytes)
                throws DecodeException
        {
            Map<Long, Map<String, String>> decoded = new LinkedHashMap<>();
            List<String> ignored = new ArrayList<>();
            for (TlvRecord record : TlvStream.decode(bytes, records::containsKey, name)) {
                RecordDefinition definition = records.get(record.type());
                if (definition == null) {
                    ignored.add(record.typeName() + "/" + record.value().length());
                    continue;
                }
                TlvValueReader reader = new TlvValueReader(record, name + "." + definition.name());
                Map<String, String> fields = new LinkedHashMap<>();
                for (JsonNode field : definition.fields()) {
                    String fieldName = field.path("name").asText();
                    fields.put(fieldName, readField(reader, field.path("type").asText(), fieldName));
                }
                reader.finish();
                decoded.put(record.type(), fields);
            }
            return new Decoded(decoded, ignored);
        }

        private static String readField(TlvValueReader reader, String type, String name)
                throws DecodeException
        {
            return switch (type) {
                case "u8", "byte" -> Integer.toString(reader.readU8(name));
                case "u16" -> Integer.toString(reader.readU16(name));
                case "u32" -> Long.toString(reader.readU32(name));
                case "u64" -> Long.toUnsignedString(reader.readU64(name));
                case "tu16" -> Long.toString(reader.readTruncatedRest(2, name));
                case "tu32" -> Long.toString(reader.readTruncatedRest(4, name));
                case "tu64" -> Long.toUnsignedString(reader.readTruncatedRest(8, name));
                case "bigsize" -> Long.toUnsignedString(reader.readBigSize(name));
                case "short_channel_id" -> new ShortChannelId(reader.readU64(name)).toString();
                case "sha256" -> HexFormat.of().formatHex(reader.readBytes(32, name));
                case "point" -> {
                    byte[] point = reader.readBytes(33, name);
                    if (!Secp256k1.isValidCompressedPoint(point)) {
                        throw new DecodeException(Kind.INVALID_VALUE, name + " is not a valid point");
                    }
                    yield HexFormat.of().formatHex(point);
                }
                default -> throw new IllegalStateException("the vector file uses a field type this test does not know: " + type);
            };
        }
    }
}
