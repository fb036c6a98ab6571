package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import io.failscope.json.Json;
import io.failscope.store.StoreException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A method answering later fails the same way as one answering now: the error the caller gets, never a trace. */
final class TestRpcDispatcher
{
    private static Map.Entry<RpcMethod.Info, RpcMethod> later(String name, Supplier<CompletableFuture<JsonNode>> answer)
    {
        return Map.entry(new RpcMethod.Info(name, List.of(), "test"), new RpcMethod()
        {
            @Override
            public JsonNode invoke(Params params)
            {
                return answer.get().join();
            }

            @Override
            public CompletableFuture<JsonNode> invokeLater(Params params)
            {
                return answer.get();
            }
        });
    }

    private static JsonNode answer(RpcDispatcher dispatcher, String method)
    {
        return dispatcher.handle(new JsonRpc.Message(Optional.of(IntNode.valueOf(1)), method, null, null)).join().orElseThrow();
    }

    @Test
    void aLaterAnswerComesThroughAndALaterFailureBecomesTheCallersError()
    {
        RpcDispatcher dispatcher = new RpcDispatcher(Map.ofEntries(
                later("fine", () -> CompletableFuture.completedFuture(Json.object().put("ok", true))),
                later("broken", () -> CompletableFuture.failedFuture(new IllegalStateException("a bug"))),
                later("diskfull", () -> CompletableFuture.supplyAsync(() -> {
                    throw new StoreException("disk full");
                }))));

        assertThat(answer(dispatcher, "fine").toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"ok\":true}}");
        assertThat(answer(dispatcher, "broken").path("error").toString())
                .isEqualTo("{\"code\":-32603,\"message\":\"internal error in broken; the plugin log has the details\"}");
        assertThat(answer(dispatcher, "diskfull").path("error").toString())
                .isEqualTo("{\"code\":1000,\"message\":\"the failure store cannot serve diskfull: disk full\"}");
        assertThat(answer(dispatcher, "nosuch").path("error").path("code").asInt()).isEqualTo(RpcErrorCode.METHOD_NOT_FOUND.code());
    }

    @Test
    void aNotificationGetsNoAnswerWhateverHappens()
    {
        RpcDispatcher dispatcher = new RpcDispatcher(Map.ofEntries(later("broken", () -> CompletableFuture.failedFuture(new IllegalStateException("a bug")))));
        assertThat(dispatcher.handle(new JsonRpc.Message(Optional.empty(), "broken", null, null)).join()).isEmpty();
        assertThat(dispatcher.handle(new JsonRpc.Message(Optional.empty(), "nosuch", null, null)).join()).isEmpty();
    }
}
