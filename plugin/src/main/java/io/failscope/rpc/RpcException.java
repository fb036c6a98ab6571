package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;

import static java.util.Objects.requireNonNull;

/** A JSON-RPC error to send back: a code, a message for a person, and optional data. */
public final class RpcException
        extends Exception
{
    private static final long serialVersionUID = 1L;

    private final RpcErrorCode code;
    private final transient JsonNode data;

    public RpcException(RpcErrorCode code, String message, JsonNode data)
    {
        super(requireNonNull(message, "message is null"));
        this.code = requireNonNull(code, "code is null");
        this.data = data;
    }

    public RpcException(RpcErrorCode code, String message)
    {
        this(code, message, null);
    }

    /**
     * Invalid params naming the parameter and the value it got, in the message and in {@code data};
     * a long value is quoted in part only, in both.
     */
    public static RpcException invalidParam(String param, JsonNode value, String problem)
    {
        ObjectNode data = Json.object();
        data.put("param", param);
        if (value != null) {
            data.set("value", quotable(value) ? value : Json.text(Json.abbreviate(value)));
        }
        return new RpcException(RpcErrorCode.INVALID_PARAMS, param + ": " + problem + ", got " + Json.abbreviate(value), data);
    }

    /**
     * Whether a value goes back into {@code data} as it came. A long string is quoted in part; so is a
     * number with a large exponent, which the one mapper would write in full without one
     * ({@code 1E+2147483647} is two billion digits, more than Jackson agrees to write), so that the
     * error itself could not be sent.
     */
    private static boolean quotable(JsonNode value)
    {
        if (value.isTextual()) {
            return value.textValue().length() <= 100;
        }
        if (value.isBigDecimal()) {
            return Math.abs((long) value.decimalValue().scale()) <= 100;
        }
        return true;
    }

    public RpcErrorCode code()
    {
        return code;
    }

    /** The JSON-RPC {@code error} object. */
    public ObjectNode toJson()
    {
        ObjectNode error = Json.object();
        error.put("code", code.code());
        error.put("message", getMessage());
        if (data != null) {
            error.set("data", data);
        }
        return error;
    }
}
