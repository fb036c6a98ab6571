package io.failscope.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /rpc}: JSON-RPC 2.0, single requests and batches, on Jetty. Transport problems get
 * their HTTP status (404, 405, 413, 415, 401) with a JSON-RPC error body; JSON-RPC problems get
 * HTTP 200 with the error. Nothing on the wire names a class or carries a stack trace.
 */
public final class HttpTransport
{
    private static final System.Logger LOG = System.getLogger(HttpTransport.class.getName());
    private static final long DRAIN_LIMIT = 8L << 20;

    private final HttpConfig config;
    private final MessageHandler handler;
    private final ObjectMapper mapper;
    private Server server;
    private ServerConnector connector;
    private byte[] token;

    /** {@code handler} takes what may come over HTTP in the node's dialect; {@code mapper} is failscope's one mapper. */
    public HttpTransport(HttpConfig config, MessageHandler handler, ObjectMapper mapper)
    {
        this.config = requireNonNull(config, "config is null");
        this.handler = requireNonNull(handler, "handler is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** Starts listening when a port is configured; does nothing otherwise. */
    public synchronized void start()
    {
        if (!config.enabled() || server != null) {
            return;
        }
        if (config.tokenFile().isPresent()) {
            try {
                String text = Files.readString(config.tokenFile().get(), StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new IllegalStateException("the token file " + config.tokenFile().get() + " is empty");
                }
                token = text.getBytes(StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                throw new IllegalStateException("cannot read the token file " + config.tokenFile().get() + ": " + e.getMessage(), e);
            }
        }
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("failscope-http");
        threads.setDaemon(true);
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(config.address());
        connector.setPort(config.port().getAsInt());
        server.addConnector(connector);
        server.setHandler(new RpcHandler());
        try {
            server.start();
        }
        catch (Exception e) {
            server = null;
            throw new IllegalStateException("cannot listen on " + config.address() + ":" + config.port().getAsInt() + ": " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "failscope HTTP JSON-RPC listening on http://" + config.address() + ":" + port() + "/rpc");
    }

    /** The port listened on (the one picked when configured as 0); -1 when not listening. */
    public synchronized int port()
    {
        return connector == null ? -1 : connector.getLocalPort();
    }

    public synchronized void stop()
    {
        if (server != null) {
            try {
                server.stop();
            }
            catch (Exception e) {
                LOG.log(Level.WARNING, "stopping the HTTP endpoint failed: " + e.getMessage());
            }
            server = null;
            connector = null;
        }
    }

    private final class RpcHandler
            extends Handler.Abstract
    {
        @Override
        public boolean handle(Request request, Response response, Callback callback)
        {
            try {
                serve(request, response, callback);
            }
            catch (RuntimeException e) {
                LOG.log(Level.ERROR, "HTTP request failed", e);
                send(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, JsonRpc.error(null, new RpcException(RpcErrorCode.INTERNAL_ERROR, "internal error; the plugin log has the details")));
            }
            return true;
        }

        private void serve(Request request, Response response, Callback callback)
        {
            if (!Request.getPathInContext(request).equals("/rpc")) {
                drainIfSmall(request);
                transportError(response, callback, HttpStatus.NOT_FOUND_404, "no such path: JSON-RPC is served at POST /rpc");
                return;
            }
            if (!request.getMethod().equals("POST")) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
                drainIfSmall(request);
                transportError(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "JSON-RPC requests must be POSTed");
                return;
            }
            if (token != null && !authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                drainIfSmall(request);
                transportError(response, callback, HttpStatus.UNAUTHORIZED_401, "a valid bearer token is required (Authorization: Bearer <token>)");
                return;
            }
            String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                drainIfSmall(request);
                transportError(response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "the body must be application/json, got " + contentType);
                return;
            }
            if (request.getLength() > config.maxRequestBytes()) {
                // read a moderately oversized body before answering, so the client is not cut off
                // mid-send and sees the 413; a huge one is answered at once and the connection closed
                drainIfSmall(request);
                transportError(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "the body is larger than " + config.maxRequestBytes() + " bytes");
                return;
            }
            Optional<byte[]> body = readBody(request);
            if (body.isEmpty()) {
                transportError(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "the body is larger than " + config.maxRequestBytes() + " bytes");
                return;
            }
            JsonNode message;
            try {
                message = mapper.readTree(body.get());
            }
            catch (IOException e) {
                send(response, callback, HttpStatus.OK_200, JsonRpc.parseError(e instanceof JsonProcessingException processing ? processing.getOriginalMessage() : "unreadable body"));
                return;
            }
            if (message == null || message.isMissingNode()) {
                send(response, callback, HttpStatus.OK_200, JsonRpc.parseError("the body is empty"));
                return;
            }
            if (message.isArray()) {
                if (message.isEmpty()) {
                    send(response, callback, HttpStatus.OK_200, JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST, "a batch must hold at least one request")));
                    return;
                }
                List<CompletableFuture<Optional<ObjectNode>>> answers = new ArrayList<>();
                for (JsonNode element : message) {
                    answers.add(handleOne(element));
                }
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
                    try {
                        ArrayNode responses = Json.array();
                        answers.forEach(answer -> answer.join().ifPresent(responses::add));
                        if (responses.isEmpty()) {
                            sendEmpty(response, callback);
                        }
                        else {
                            send(response, callback, HttpStatus.OK_200, responses);
                        }
                    }
                    catch (RuntimeException e) {
                        LOG.log(Level.ERROR, "HTTP response could not be sent", e);
                        callback.failed(e);
                    }
                });
                return;
            }
            // a held HTLC is answered when it is released, from whichever thread releases it: none waits here
            handleOne(message).whenComplete((single, failure) -> {
                try {
                    if (single.isPresent()) {
                        send(response, callback, HttpStatus.OK_200, single.get());
                    }
                    else {
                        sendEmpty(response, callback);
                    }
                }
                catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "HTTP response could not be sent", e);
                    callback.failed(e);
                }
            });
        }

        private boolean authorized(String header)
        {
            if (header == null || !header.startsWith("Bearer ")) {
                return false;
            }
            return MessageDigest.isEqual(header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8), token);
        }

        /** The body, or empty when it is longer than the limit (a sender may omit Content-Length). */
        private Optional<byte[]> readBody(Request request)
        {
            try (InputStream in = Content.Source.asInputStream(request)) {
                byte[] body = in.readNBytes(config.maxRequestBytes() + 1);
                return body.length > config.maxRequestBytes() ? Optional.empty() : Optional.of(body);
            }
            catch (IOException e) {
                throw new IllegalStateException("cannot read the request body: " + e.getMessage(), e);
            }
        }
    }

    /** One request or notification, answered now or later (never exceptionally); notifications get no response. */
    private CompletableFuture<Optional<ObjectNode>> handleOne(JsonNode element)
    {
        JsonRpc.Message message;
        try {
            message = JsonRpc.read(element);
        }
        catch (JsonRpc.InvalidMessage e) {
            return CompletableFuture.completedFuture(Optional.of(e.response()));
        }
        return handler.handle(message);
    }

    private void transportError(Response response, Callback callback, int status, String message)
    {
        send(response, callback, status, JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST, message)));
    }

    /**
     * Reads and discards a body left unread by an early answer, when it is not huge: Jetty closes a
     * connection whose request body was not consumed, and a client that reuses it for its next request
     * then fails. A huge body is not worth reading; that connection closes.
     */
    private static void drainIfSmall(Request request)
    {
        if (request.getLength() > DRAIN_LIMIT) {
            return;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            long left = DRAIN_LIMIT;
            byte[] buffer = new byte[8192];
            int read;
            while (left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                left -= read;
            }
        }
        catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private void send(Response response, Callback callback, int status, JsonNode body)
    {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a response", e);
        }
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static void sendEmpty(Response response, Callback callback)
    {
        response.setStatus(HttpStatus.NO_CONTENT_204);
        response.write(true, ByteBuffer.allocate(0), callback);
    }
}
