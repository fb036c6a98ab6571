package io.failscope.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Optional;

/**
 * failscope's one JSON configuration. {@link #newMapper()} builds the {@link ObjectMapper} that every
 * part reads and writes JSON with: it is built once at start ({@code PluginMain}) and injected, so the
 * stdio transport, the HTTP endpoint, the node's RPC and the policy file are read with the same rules.
 * Messages are built with {@link #object()} and {@link #array()}, which need no mapper.
 */
public final class Json
{
    /** Deeper than any message a node or a user sends; a deeper one is refused before it costs stack. */
    static final int MAX_NESTING_DEPTH = 256;
    /** Strings in node payloads are hex of at most a few KB; 16 MB is the stdio frame limit. */
    static final int MAX_STRING_LENGTH = 16 << 20;
    /** A number longer than this is no amount, time or index; refused before it is parsed. */
    static final int MAX_NUMBER_LENGTH = 64;

    /** Unix seconds a time may have: year 9999 at most, as Core Lightning and our parameters allow. */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(253_402_300_799L);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    public static ObjectMapper newMapper()
    {
        JsonFactory factory = JsonFactory.builder()
                // the same key twice in one object is an error: which of the two a reader took would be a guess
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .build())
                .build();
        return JsonMapper.builder(factory)
                // one message is one JSON value: anything after it is an error on every transport, never dropped
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // decimals read exactly: Core Lightning's times carry nanoseconds, more digits than a double holds
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                // times written as 1755675000.123456789, never in exponent form
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
    }

    /**
     * Reads one JSON value from what a user or a node sent. A number whose exponent a
     * {@link BigDecimal} cannot hold ({@code 1e2147483648}) is a parse error like any other malformed
     * JSON: Jackson reports it as a {@link NumberFormatException}, which no reader of a message expects.
     */
    public static JsonNode read(ObjectMapper mapper, byte[] json)
            throws IOException
    {
        try {
            return mapper.readTree(json);
        }
        catch (NumberFormatException e) {
            throw new JsonParseException(null, "a number out of range: " + e.getMessage(), e);
        }
    }

    public static ObjectNode object()
    {
        return NODES.objectNode();
    }

    public static ArrayNode array()
    {
        return NODES.arrayNode();
    }

    public static JsonNode text(String value)
    {
        return NODES.textNode(value);
    }

    /** Unix seconds with nine decimals, as Core Lightning writes times: {@code 1755675000.123456789}. */
    public static BigDecimal seconds(Instant time)
    {
        return BigDecimal.valueOf(time.getEpochSecond()).add(BigDecimal.valueOf(time.getNano(), 9)).setScale(9);
    }

    /**
     * The instant of unix seconds with up to nine decimals (finer digits are dropped); empty when the
     * value is negative or past the year 9999. The range is checked before any arithmetic, so an
     * exponent such as {@code 1e999999999} costs nothing; a value under a nanosecond is the epoch
     * before any arithmetic too, since rounding {@code 1e-2147483647} would need a power of ten no
     * BigInteger holds.
     */
    public static Optional<Instant> instant(BigDecimal seconds)
    {
        if (seconds.signum() < 0 || seconds.compareTo(MAX_SECONDS) > 0) {
            return Optional.empty();
        }
        // precision - scale is the count of digits before the point: -9 or less means below 1e-9
        if (seconds.signum() == 0 || (long) seconds.precision() - seconds.scale() <= -9) {
            return Optional.of(Instant.EPOCH);
        }
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        int nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.FLOOR).intValueExact();
        return Optional.of(Instant.ofEpochSecond(whole.longValueExact(), nanos));
    }

    /** A value as an error message quotes it: JSON text, at most 100 characters. */
    public static String abbreviate(JsonNode value)
    {
        if (value == null) {
            return "nothing";
        }
        if (value.isTextual() && value.textValue().length() > 200) {
            // do not render a huge string only to cut it
            return abbreviate(NODES.textNode(value.textValue().substring(0, 200)));
        }
        String text = value.toString();
        return text.length() <= 100 ? text : text.substring(0, 97) + "...";
    }
}
