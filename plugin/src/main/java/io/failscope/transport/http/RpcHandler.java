package io.failscope.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /rpc}: JSON-RPC 2.0, single requests and batches. Transport problems get their HTTP status
 * (404, 405, 413, 415, 401) with a JSON-RPC error body, answered without reading the body and closing
 * the connection; JSON-RPC problems get HTTP 200 with the error. The body is read without keeping a
 * thread; a call waits for one of the few workers, a hook never does. A batch's calls run one after
 * another and each answer is turned into bytes as it comes, so that no more than the answer limit is
 * ever held. Nothing on the wire names a class or carries a stack trace.
 */
final class RpcHandler
        extends Handler.Abstract
{
    private static final System.Logger LOG = System.getLogger(RpcHandler.class.getName());
    private static final byte[] NO_TOKEN = new byte[0];
    static final String PATH = "/rpc";

    private final HttpConfig config;
    private final byte[] token;
    private final MessageHandler handler;
    private final ObjectMapper mapper;
    private final Executor workers;
    private final Map<String, HttpPage> pages;

    /** {@code token} is null when none is required; {@code pages} are served to GET by exact path. */
    RpcHandler(HttpConfig config, byte[] token, MessageHandler handler, ObjectMapper mapper, Executor workers, Map<String, HttpPage> pages)
    {
        this.pages = Map.copyOf(pages);
        this.config = requireNonNull(config, "config is null");
        this.token = token == null ? NO_TOKEN : token.clone();
        this.handler = requireNonNull(handler, "handler is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.workers = requireNonNull(workers, "workers is null");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback)
    {
        try {
            serve(request, response, callback);
        }
        catch (Exception e) {
            LOG.log(Level.ERROR, "HTTP request failed", e);
            send(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, error(RpcErrorCode.INTERNAL_ERROR, "internal error; the plugin log has the details"));
        }
        return true;
    }

    private void serve(Request request, Response response, Callback callback)
            throws Exception
    {
        String path = Request.getPathInContext(request);
        HttpPage page = pages.get(path);
        if (page != null) {
            serve(page, request, response, callback);
            return;
        }
        if (!path.equals(PATH)) {
            refuse(response, callback, HttpStatus.NOT_FOUND_404, "no such path: JSON-RPC is served at POST /rpc");
            return;
        }
        if (!request.getMethod().equals("POST")) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            refuse(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "JSON-RPC requests must be POSTed");
            return;
        }
        if (token != NO_TOKEN && !authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            refuse(response, callback, HttpStatus.UNAUTHORIZED_401, "a valid bearer token is required (Authorization: Bearer <token>)");
            return;
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            refuse(response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "the body must be application/json, got " + abbreviated(contentType));
            return;
        }
        if (request.getLength() > config.maxRequestBytes()) {
            refuse(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge());
            return;
        }
        Content.Source.asByteBufferAsync(request, config.maxRequestBytes()).whenComplete((body, failure) -> {
            try {
                if (failure != null) {
                    // over the limit while reading (no Content-Length), or the client went away
                    refuse(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge());
                    return;
                }
                byte[] bytes = new byte[body.remaining()];
                body.get(bytes);
                answer(bytes).whenComplete((answer, problem) -> {
                    if (problem != null) {
                        LOG.log(Level.ERROR, "HTTP request failed", problem);
                        send(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, error(RpcErrorCode.INTERNAL_ERROR, "internal error; the plugin log has the details"));
                    }
                    else if (answer.isEmpty()) {
                        response.setStatus(HttpStatus.NO_CONTENT_204);
                        response.write(true, ByteBuffer.allocate(0), callback);
                    }
                    else {
                        send(response, callback, HttpStatus.OK_200, answer.get());
                    }
                });
            }
            catch (RuntimeException e) {
                LOG.log(Level.ERROR, "HTTP request failed", e);
                callback.failed(e);
            }
        });
    }

    private void serve(HttpPage page, Request request, Response response, Callback callback)
            throws Exception
    {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            refuse(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, page.path() + " is read with GET");
            return;
        }
        if (page.needsToken() && token != NO_TOKEN && !authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            refuse(response, callback, HttpStatus.UNAUTHORIZED_401, "a valid bearer token is required (Authorization: Bearer <token>)");
            return;
        }
        page.get(request, response, callback);
    }

    private String tooLarge()
    {
        return "the body is larger than " + config.maxRequestBytes() + " bytes (http.max-request-bytes)";
    }

    /** The bytes to answer with, empty when only notifications came; never exceptional for the caller's mistakes. */
    private CompletableFuture<Optional<byte[]>> answer(byte[] body)
    {
        JsonNode message;
        try {
            message = Json.read(mapper, body);
        }
        catch (IOException e) {
            return done(bytes(JsonRpc.parseError(e instanceof JsonProcessingException processing ? processing.getOriginalMessage() : "unreadable body")));
        }
        if (message == null || message.isMissingNode()) {
            return done(bytes(JsonRpc.parseError("the body is empty")));
        }
        if (!message.isArray()) {
            return dispatch(message).thenApply(single -> single.map(this::bytes).map(this::withinLimit));
        }
        if (message.isEmpty()) {
            return done(bytes(JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST, "a batch must hold at least one request"))));
        }
        if (message.size() > config.maxBatch()) {
            return done(bytes(JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST,
                    "a batch may hold at most " + config.maxBatch() + " calls (http.max-batch), got " + message.size()))));
        }
        List<JsonNode> elements = new ArrayList<>();
        message.forEach(elements::add);
        return batch(elements, 0, new ArrayList<>(), 0);
    }

    /**
     * The batch's calls from {@code next} on, one after another, each answer kept only as bytes. Answers
     * that are ready at once are taken in this loop, so that a long batch costs no stack.
     */
    private CompletableFuture<Optional<byte[]>> batch(List<JsonNode> elements, int next, List<byte[]> answers, long size)
    {
        long total = size;
        for (int i = next; i < elements.size(); i++) {
            CompletableFuture<Optional<ObjectNode>> answer = dispatch(elements.get(i));
            if (!answer.isDone()) {
                int following = i + 1;
                long sizeSoFar = total;
                return answer.thenCompose(later -> {
                    long grown = added(later, answers, sizeSoFar);
                    return grown < 0 ? done(answerTooLarge("the answers to this batch")) : batch(elements, following, answers, grown);
                });
            }
            total = added(answer.join(), answers, total);
            if (total < 0) {
                return done(answerTooLarge("the answers to this batch"));
            }
        }
        if (answers.isEmpty()) {
            return done(null);
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream((int) total + 2);
        joined.write('[');
        for (int i = 0; i < answers.size(); i++) {
            if (i > 0) {
                joined.write(',');
            }
            joined.writeBytes(answers.get(i));
        }
        joined.write(']');
        return done(joined.toByteArray());
    }

    /** Adds an answer's bytes; the new total, or -1 when it passes the limit. */
    private long added(Optional<ObjectNode> answer, List<byte[]> answers, long size)
    {
        if (answer.isEmpty()) {
            return size;
        }
        byte[] bytes = bytes(answer.get());
        long total = size + bytes.length + 1;
        if (total > config.maxAnswerBytes()) {
            return -1;
        }
        answers.add(bytes);
        return total;
    }

    /** One request or notification: a hook at once, anything else on a worker (or "busy" when all are taken). */
    private CompletableFuture<Optional<ObjectNode>> dispatch(JsonNode element)
    {
        JsonRpc.Message message;
        try {
            message = JsonRpc.read(element);
        }
        catch (JsonRpc.InvalidMessage e) {
            return CompletableFuture.completedFuture(Optional.of(e.response()));
        }
        if (handler.urgent(message)) {
            return handler.handle(message);
        }
        try {
            return CompletableFuture.supplyAsync(() -> handler.handle(message), workers).thenCompose(answer -> answer);
        }
        catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(JsonRpc.errorAnswer(message, new RpcException(RpcErrorCode.BUSY,
                    "failscope is busy with " + HttpTransport.WAITING + " calls waiting; try again shortly")));
        }
    }

    private byte[] withinLimit(byte[] answer)
    {
        return answer.length > config.maxAnswerBytes() ? answerTooLarge("the answer") : answer;
    }

    private byte[] answerTooLarge(String what)
    {
        return bytes(JsonRpc.error(null, new RpcException(RpcErrorCode.INVALID_REQUEST,
                what + " would be larger than " + config.maxAnswerBytes() + " bytes (http.max-answer-bytes); ask for less (a lower limit, fewer calls)")));
    }

    private boolean authorized(String header)
    {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8), token);
    }

    /** An early answer: the body is not read, and the connection closes after the answer so that the rest of it need not be. */
    private void refuse(Response response, Callback callback, int status, String message)
    {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        send(response, callback, status, error(RpcErrorCode.INVALID_REQUEST, message));
    }

    private byte[] error(RpcErrorCode code, String message)
    {
        return bytes(JsonRpc.error(null, new RpcException(code, message)));
    }

    private byte[] bytes(JsonNode json)
    {
        try {
            return mapper.writeValueAsBytes(json);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an answer", e);
        }
    }

    private static void send(Response response, Callback callback, int status, byte[] body)
    {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static String abbreviated(String text)
    {
        return text.length() <= 100 ? text : text.substring(0, 97) + "...";
    }

    private static CompletableFuture<Optional<byte[]>> done(byte[] bytes)
    {
        return CompletableFuture.completedFuture(Optional.ofNullable(bytes));
    }
}
