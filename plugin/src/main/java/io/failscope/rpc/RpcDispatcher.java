package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The user's and operator's methods, by name: reads the parameters strictly and calls the method.
 * Every failure becomes a JSON-RPC error through the {@link ErrorResolver}. Messages of the node
 * (hooks, notifications) are not served here: their dialect routes them.
 */
public final class RpcDispatcher
        implements MessageHandler
{
    private record Entry(RpcMethod.Info info, RpcMethod method) {}

    private final Map<String, Entry> methods = new TreeMap<>();

    @Inject
    public RpcDispatcher(Map<RpcMethod.Info, RpcMethod> methods)
    {
        methods.forEach((info, method) -> {
            if (this.methods.put(info.name(), new Entry(info, method)) != null) {
                throw new IllegalArgumentException("two methods are named " + info.name());
            }
        });
    }

    public boolean serves(String name)
    {
        return methods.containsKey(name);
    }

    /** Calls a method in-process, as a transport would: its result, or the error its caller would get. */
    public JsonNode call(String name, JsonNode params)
            throws RpcException
    {
        try {
            Entry entry = methods.get(name);
            if (entry == null) {
                throw unknownMethod(name);
            }
            return entry.method().invokeLater(Params.of(params, entry.info().parameters())).join();
        }
        catch (RpcException | RuntimeException e) {
            throw ErrorResolver.resolve(name, e);
        }
    }

    @Override
    public CompletableFuture<Optional<ObjectNode>> handle(JsonRpc.Message message)
    {
        CompletableFuture<Optional<ObjectNode>> answer;
        try {
            Entry entry = methods.get(message.method());
            if (entry == null) {
                throw unknownMethod(message.method());
            }
            answer = entry.method().invokeLater(Params.of(message.params(), entry.info().parameters()))
                    .thenApply(result -> JsonRpc.answer(message, result));
        }
        catch (RpcException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.exceptionally(failure -> JsonRpc.errorAnswer(message, ErrorResolver.resolve(message.method(), failure)));
    }

    public static RpcException unknownMethod(String name)
    {
        return new RpcException(RpcErrorCode.METHOD_NOT_FOUND, "unknown method " + Json.abbreviate(Json.text(name)));
    }
}
