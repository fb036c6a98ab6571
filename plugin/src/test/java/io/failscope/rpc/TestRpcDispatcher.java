package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.store.StoreException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A method answering later fails the same way as one answering now: the error the caller gets, never a trace. */
final class TestRpcDispatcher
{
    private static RpcMethod later(String name, Supplier<CompletableFuture<JsonNode>> answer)
    {
        return new RpcMethod()
        {
            @Override
            public Info info()
            {
                return new Info(name, List.of(), "test");
            }

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
        };
    }

    private static RpcException failureOf(CompletableFuture<JsonNode> future)
    {
        Throwable thrown = catchThrowable(future::join);
        assertThat(thrown).isInstanceOf(CompletionException.class);
        assertThat(thrown.getCause()).isInstanceOf(RpcException.class);
        return (RpcException) thrown.getCause();
    }

    @Test
    void aLaterAnswerComesThroughAndALaterFailureBecomesTheCallersError()
    {
        RpcDispatcher dispatcher = new RpcDispatcher(List.of(
                later("fine", () -> CompletableFuture.completedFuture(Json.MAPPER.createObjectNode().put("ok", true))),
                later("broken", () -> CompletableFuture.failedFuture(new IllegalStateException("a bug"))),
                later("diskfull", () -> CompletableFuture.supplyAsync(() -> {
                    throw new StoreException("disk full");
                }))));

        assertThat(dispatcher.callLater("fine", null).join().toString()).isEqualTo("{\"ok\":true}");

        RpcException internal = failureOf(dispatcher.callLater("broken", null));
        assertThat(internal.code()).isEqualTo(RpcErrorCode.INTERNAL_ERROR);
        assertThat(internal.getMessage()).isEqualTo("internal error in broken; the plugin log has the details");

        RpcException store = failureOf(dispatcher.callLater("diskfull", null));
        assertThat(store.code()).isEqualTo(RpcErrorCode.STORE_UNAVAILABLE);
        assertThat(store.getMessage()).isEqualTo("the failure store cannot serve diskfull: disk full");

        RpcException unknown = failureOf(dispatcher.callLater("nosuch", null));
        assertThat(unknown.code()).isEqualTo(RpcErrorCode.METHOD_NOT_FOUND);
    }
}
