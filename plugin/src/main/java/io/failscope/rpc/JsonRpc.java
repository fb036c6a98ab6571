package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * JSON-RPC 2.0 envelopes: reading one message into a request or a notification, and writing results
 * and errors. Both transports use it, so both answer malformed messages the same way.
 */
public final class JsonRpc
{
    private JsonRpc() {}

    /** A well-formed message: a request when {@code id} is present, else a notification. */
    public record Message(Optional<JsonNode> id, String method, JsonNode params, JsonNode raw)
    {
        public Message
        {
            requireNonNull(id, "id is null");
            requireNonNull(method, "method is null");
        }

        public boolean isNotification()
        {
            return id.isEmpty();
        }
    }

    /**
     * Checks one message. A message that is not a valid request or notification is an
     * {@link RpcException} carrying the id to answer with (null when the id itself is unusable).
     */
    public static Message read(JsonNode message)
            throws InvalidMessage
    {
        if (message == null || !message.isObject()) {
            throw new InvalidMessage(NullNode.getInstance(), new RpcException(RpcErrorCode.INVALID_REQUEST, "a JSON-RPC message must be an object, got " + Json.abbreviate(message)));
        }
        JsonNode id = message.get("id");
        JsonNode answerId = NullNode.getInstance();
        if (id != null && (id.isTextual() || id.isIntegralNumber() || id.isNull())) {
            answerId = id;
        }
        else if (id != null) {
            throw new InvalidMessage(answerId, new RpcException(RpcErrorCode.INVALID_REQUEST, "id must be a string, an integer or null, got " + Json.abbreviate(id)));
        }
        JsonNode version = message.get("jsonrpc");
        if (version == null || !version.isTextual() || !version.textValue().equals("2.0")) {
            throw new InvalidMessage(answerId, new RpcException(RpcErrorCode.INVALID_REQUEST, "jsonrpc must be \"2.0\", got " + Json.abbreviate(version)));
        }
        JsonNode method = message.get("method");
        if (method == null || !method.isTextual() || method.textValue().isEmpty()) {
            throw new InvalidMessage(answerId, new RpcException(RpcErrorCode.INVALID_REQUEST, "method must be a non-empty string, got " + Json.abbreviate(method)));
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject() && !params.isArray() && !params.isNull()) {
            throw new InvalidMessage(answerId, new RpcException(RpcErrorCode.INVALID_PARAMS, "params must be an object or an array, got " + Json.abbreviate(params)));
        }
        return new Message(Optional.ofNullable(id), method.textValue(), params, message);
    }

    public static ObjectNode result(JsonNode id, JsonNode result)
    {
        ObjectNode response = Json.object();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("result", result);
        return response;
    }

    public static ObjectNode error(JsonNode id, RpcException error)
    {
        ObjectNode response = Json.object();
        response.put("jsonrpc", "2.0");
        response.set("id", id == null ? NullNode.getInstance() : id);
        response.set("error", error.toJson());
        return response;
    }

    /** The answer to {@code message}: its result, or nothing for a notification. */
    public static Optional<ObjectNode> answer(Message message, JsonNode result)
    {
        return message.isNotification() ? Optional.empty() : Optional.of(result(message.id().get(), result));
    }

    /** The error answer to {@code message}, or nothing for a notification (JSON-RPC answers none). */
    public static Optional<ObjectNode> errorAnswer(Message message, RpcException error)
    {
        return message.isNotification() ? Optional.empty() : Optional.of(error(message.id().get(), error));
    }

    public static ObjectNode parseError(String detail)
    {
        return error(NullNode.getInstance(), new RpcException(RpcErrorCode.PARSE_ERROR, "not valid JSON: " + detail));
    }

    public static ObjectNode notification(String method, JsonNode params)
    {
        ObjectNode notification = Json.object();
        notification.put("jsonrpc", "2.0");
        notification.put("method", method);
        notification.set("params", params);
        return notification;
    }

    /** A message that cannot be handled, with the id its error response carries. */
    public static final class InvalidMessage
            extends Exception
    {
        private static final long serialVersionUID = 1L;

        private final transient JsonNode id;
        private final RpcException error;

        InvalidMessage(JsonNode id, RpcException error)
        {
            super(error.getMessage());
            this.id = id;
            this.error = error;
        }

        public ObjectNode response()
        {
            return error(id, error);
        }
    }
}
