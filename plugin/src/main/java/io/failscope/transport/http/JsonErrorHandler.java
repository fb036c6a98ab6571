package io.failscope.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * Jetty's own errors (a header too large, a malformed request line, a body sent too slowly) as JSON-RPC
 * error bodies, like every other answer: no HTML page, no server name or version.
 */
final class JsonErrorHandler
        extends ErrorHandler
{
    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    private final ObjectMapper mapper;

    JsonErrorHandler(ObjectMapper mapper)
    {
        this.mapper = requireNonNull(mapper, "mapper is null");
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
    {
        response.getHeaders().put(JSON);
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields)
    {
        fields.put(JSON);
        return ByteBuffer.wrap(body(status));
    }

    private byte[] body(int status)
    {
        String text = HttpStatus.getMessage(status);
        try {
            return mapper.writeValueAsBytes(JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST, "HTTP " + status + " " + text)));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an error", e);
        }
    }
}
