package io.failscope.testing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.List;

/**
 * JSON values built from a fuzzer's bytes, biased towards what failscope's parameters hold (short
 * channel ids, hex, msat amounts, durations, reason and code names) so that the fuzzer gets past the
 * first type check and into the range checks.
 */
public final class FuzzedJson
{
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /** Words failscope's parameters take; the fuzzer splices and mutates them. */
    private static final List<String> WORDS = List.of(
            "103x1x0", "1x2x3", "16777215x16777215x65535", "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8",
            "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee", "1000msat", "1d", "10m", "2w", "0s",
            "forward", "invalid_forward", "receive", "send", "intercepted", "local", "downstream", "node", "inferred", "code",
            "fee_insufficient", "temporary_channel_failure", "incorrect_or_unknown_payment_details", "invalid_onion_payload",
            "day", "reason", "in_channel", "out_channel", "peer", "wire_code", "created", "received_time", "asc", "desc",
            "2024-01-01T00:00:00Z", "1755675000.123456789", "0x1007", "4103", "");

    private FuzzedJson() {}

    public static JsonNode value(FuzzedDataProvider data, int depth)
    {
        switch (data.consumeInt(0, depth > 0 ? 11 : 9)) {
            case 0:
                return NODES.nullNode();
            case 1:
                return NODES.booleanNode(data.consumeBoolean());
            case 2:
                return NODES.numberNode(data.consumeLong());
            case 3:
                return NODES.numberNode(data.consumeInt(-2, 1000));
            case 4:
                return decimal(data.consumeString(24));
            case 5:
                return NODES.numberNode(data.consumeDouble());
            case 6:
                return NODES.textNode(data.consumeString(64));
            case 7:
                return NODES.textNode(data.pickValue(WORDS));
            case 8:
                return NODES.textNode(data.pickValue(WORDS) + data.consumeString(8));
            case 9:
                return NODES.textNode("x".repeat(data.consumeInt(0, 5000)));
            case 10:
                return array(data, depth - 1);
            default:
                return object(data, List.of(), depth - 1);
        }
    }

    /** An object with some of {@code keys} (and maybe a key of the fuzzer's own) set to fuzzed values. */
    public static ObjectNode object(FuzzedDataProvider data, List<String> keys, int depth)
    {
        ObjectNode object = NODES.objectNode();
        for (String key : keys) {
            if (data.consumeBoolean()) {
                object.set(key, value(data, depth));
            }
        }
        int extra = data.consumeInt(0, 2);
        for (int i = 0; i < extra; i++) {
            object.set(data.consumeBoolean() ? data.pickValue(WORDS) : data.consumeString(16), value(data, depth));
        }
        return object;
    }

    public static ArrayNode array(FuzzedDataProvider data, int depth)
    {
        ArrayNode array = NODES.arrayNode();
        int size = data.consumeInt(0, 5);
        for (int i = 0; i < size; i++) {
            array.add(value(data, depth));
        }
        return array;
    }

    /** A number as JSON text may write it (exponents too), or the text itself when it is no number. */
    private static JsonNode decimal(String text)
    {
        try {
            return NODES.numberNode(new BigDecimal(text));
        }
        catch (NumberFormatException e) {
            return NODES.textNode(text);
        }
    }
}
