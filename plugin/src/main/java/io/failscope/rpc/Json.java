package io.failscope.rpc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.time.Instant;

/** The one Jackson configuration used for JSON-RPC. */
public final class Json
{
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private Json() {}

    /** Unix seconds with nine decimals, as Core Lightning writes times: {@code 1755675000.123456789}. */
    public static BigDecimal seconds(Instant time)
    {
        return BigDecimal.valueOf(time.getEpochSecond()).add(BigDecimal.valueOf(time.getNano(), 9)).setScale(9);
    }

    /** A value as it appears in an error message: JSON text, cut short when long. */
    static String abbreviate(JsonNode value)
    {
        if (value == null) {
            return "nothing";
        }
        String text = value.toString();
        return text.length() <= 100 ? text : text.substring(0, 97) + "...";
    }
}
