package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.json.Json;
import io.failscope.reason.FailureCode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A method's parameters, read strictly: an unknown name, a value of the wrong type or out of range is
 * an invalid-params error naming the parameter and the value. Accepts both forms Core Lightning
 * passes on: an object of named values, or an array in the method's declared order, where
 * {@code null} means "not given" (Core Lightning's own rule).
 */
public final class Params
{
    private static final Pattern MSAT = Pattern.compile("(\\d{1,19})(msat)?");
    /** No parameter is longer (a file path is the longest); a longer one is refused before it is looked at. */
    public static final int MAX_TEXT_LENGTH = 4096;

    private final Map<String, JsonNode> values;

    private Params(Map<String, JsonNode> values)
    {
        this.values = values;
    }

    public static Params of(JsonNode params, List<String> names)
            throws RpcException
    {
        return of(params, names, false);
    }

    /**
     * {@code lenient}: unknown names are ignored instead of refused, for methods the node calls (nodes
     * add fields every release); a user's call is always read strictly.
     */
    public static Params of(JsonNode params, List<String> names, boolean lenient)
            throws RpcException
    {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (params == null || params.isNull() || params.isMissingNode()) {
            return new Params(values);
        }
        if (params.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = params.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!names.contains(field.getKey())) {
                    if (lenient) {
                        continue;
                    }
                    String key = field.getKey().length() > 64 ? field.getKey().substring(0, 61) + "..." : field.getKey();
                    throw new RpcException(RpcErrorCode.INVALID_PARAMS, "unknown parameter " + key + " (with value " + Json.abbreviate(field.getValue()) + "); parameters are " + String.join(", ", names),
                            Json.object().put("param", key));
                }
                if (!field.getValue().isNull()) {
                    values.put(field.getKey(), field.getValue());
                }
            }
            return new Params(values);
        }
        if (params.isArray()) {
            if (params.size() > names.size()) {
                throw new RpcException(RpcErrorCode.INVALID_PARAMS, "too many parameters: " + params.size() + " given, at most " + names.size() + " (" + String.join(", ", names) + ")");
            }
            for (int i = 0; i < params.size(); i++) {
                if (!params.get(i).isNull()) {
                    values.put(names.get(i), params.get(i));
                }
            }
            return new Params(values);
        }
        throw new RpcException(RpcErrorCode.INVALID_PARAMS, "params must be an object or an array, got " + Json.abbreviate(params));
    }

    public boolean has(String name)
    {
        return values.containsKey(name);
    }

    public boolean isEmpty()
    {
        return values.isEmpty();
    }

    public Optional<String> string(String name)
            throws RpcException
    {
        JsonNode value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw RpcException.invalidParam(name, value, "should be a string");
        }
        return Optional.of(checkedLength(name, value, value.textValue()));
    }

    /** One string, or a list of strings. */
    public List<String> strings(String name)
            throws RpcException
    {
        JsonNode value = values.get(name);
        List<String> result = new ArrayList<>();
        if (value == null) {
            return result;
        }
        if (value.isTextual()) {
            result.add(checkedLength(name, value, value.textValue()));
            return result;
        }
        if (value.isArray() && !value.isEmpty() && value.size() <= 1000) {
            for (JsonNode element : value) {
                if (!element.isTextual()) {
                    throw RpcException.invalidParam(name, value, "should be a string or a list of strings");
                }
                result.add(checkedLength(name, value, element.textValue()));
            }
            return result;
        }
        throw RpcException.invalidParam(name, value, "should be a string or a list of 1 to 1000 strings");
    }

    private static String checkedLength(String name, JsonNode value, String text)
            throws RpcException
    {
        if (text.length() > MAX_TEXT_LENGTH) {
            throw RpcException.invalidParam(name, value, "is longer than " + MAX_TEXT_LENGTH + " characters (" + text.length() + ")");
        }
        return text;
    }

    /** A whole number within [min, max]; a string holding one is accepted too. */
    public OptionalLong integer(String name, long min, long max)
            throws RpcException
    {
        JsonNode value = values.get(name);
        if (value == null) {
            return OptionalLong.empty();
        }
        long number;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.longValue();
        }
        else if (value.isTextual() && value.textValue().matches("-?\\d{1,19}")) {
            try {
                number = Long.parseLong(value.textValue());
            }
            catch (NumberFormatException e) {
                throw RpcException.invalidParam(name, value, "should be a whole number between " + min + " and " + max);
            }
        }
        else {
            throw RpcException.invalidParam(name, value, "should be a whole number between " + min + " and " + max);
        }
        if (number < min || number > max) {
            throw RpcException.invalidParam(name, value, "should be between " + min + " and " + max);
        }
        return OptionalLong.of(number);
    }

    /** An amount in millisatoshi: a whole number, or a string such as {@code "1000"} or {@code "1000msat"}. */
    public OptionalLong msat(String name)
            throws RpcException
    {
        JsonNode value = values.get(name);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 0) {
            return OptionalLong.of(value.longValue());
        }
        if (value.isTextual() && MSAT.matcher(value.textValue()).matches()) {
            try {
                return OptionalLong.of(Long.parseLong(value.textValue().replace("msat", "")));
            }
            catch (NumberFormatException e) {
                // too large for a long: reported below
            }
        }
        throw RpcException.invalidParam(name, value, "should be an amount in msat (a whole number, or a string like \"1000msat\")");
    }

    /** Unix seconds, decimals allowed (Core Lightning's timestamps have nine). */
    public Optional<Instant> time(String name)
            throws RpcException
    {
        JsonNode value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        String problem = "should be unix seconds, such as 1755675000.5";
        BigDecimal seconds;
        try {
            if (value.isNumber()) {
                seconds = value.decimalValue();
            }
            else if (value.isTextual() && value.textValue().length() <= 64) {
                seconds = new BigDecimal(value.textValue().strip());
            }
            else {
                throw RpcException.invalidParam(name, value, problem);
            }
        }
        catch (NumberFormatException e) {
            throw RpcException.invalidParam(name, value, problem);
        }
        return Optional.of(Json.instant(seconds).orElseThrow(() -> RpcException.invalidParam(name, value, "should be unix seconds between 0 and 253402300799 (year 9999)")));
    }

    public Optional<ShortChannelId> scid(String name)
            throws RpcException
    {
        return parsed(name, "should be a short channel id such as 103x1x0", ShortChannelId::parse);
    }

    public Optional<NodeId> nodeId(String name)
            throws RpcException
    {
        return parsed(name, "should be a node id: 66 hex digits starting with 02 or 03", NodeId::fromHex);
    }

    public Optional<PaymentHash> paymentHash(String name)
            throws RpcException
    {
        return parsed(name, "should be a payment hash: 64 hex digits", PaymentHash::fromHex);
    }

    /** A BOLT #4 failure code: a number (4103), hex ("0x1007"), or a name ("temporary_channel_failure", "WIRE_TEMPORARY_CHANNEL_FAILURE"). */
    public OptionalInt failcode(String name)
            throws RpcException
    {
        JsonNode value = values.get(name);
        if (value == null) {
            return OptionalInt.empty();
        }
        String problem = "should be a failure code: a number (4103), hex (\"0x1007\") or a name (\"temporary_channel_failure\")";
        if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0 && value.intValue() <= 0xFFFF) {
            return OptionalInt.of(value.intValue());
        }
        if (!value.isTextual()) {
            throw RpcException.invalidParam(name, value, problem);
        }
        String text = value.textValue().strip();
        if (text.matches("(?i)0x[0-9a-f]{1,4}")) {
            return OptionalInt.of(Integer.parseInt(text.substring(2), 16));
        }
        if (text.matches("\\d{1,5}") && Integer.parseInt(text) <= 0xFFFF) {
            return OptionalInt.of(Integer.parseInt(text));
        }
        String specName = text.toLowerCase(Locale.ROOT).replaceFirst("^wire_", "");
        Optional<FailureCode> code = FailureCode.forSpecName(specName);
        if (code.isPresent()) {
            return OptionalInt.of(code.get().code());
        }
        throw RpcException.invalidParam(name, value, problem);
    }

    private <T> Optional<T> parsed(String name, String problem, Function<String, T> parser)
            throws RpcException
    {
        JsonNode value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw RpcException.invalidParam(name, value, problem);
        }
        try {
            return Optional.of(parser.apply(value.textValue()));
        }
        catch (IllegalArgumentException e) {
            throw RpcException.invalidParam(name, value, problem);
        }
    }

    /** The raw value, for messages. */
    public JsonNode raw(String name)
    {
        return values.get(name);
    }
}
