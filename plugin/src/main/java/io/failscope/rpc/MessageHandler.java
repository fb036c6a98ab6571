package io.failscope.rpc;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a transport hands each well-formed JSON-RPC message to. The answer comes now or later and is
 * never exceptional: a failure is already turned into its JSON-RPC error ({@link ErrorResolver}). A
 * notification gets no answer.
 */
public interface MessageHandler
{
    CompletableFuture<Optional<ObjectNode>> handle(JsonRpc.Message message);

    /**
     * True for a message whose answer never waits on the disk or the node and that the node itself is
     * waiting for (a hook's verdict): the transport handles it on its reading thread and writes its
     * answer ahead of the others.
     */
    default boolean urgent(JsonRpc.Message message)
    {
        return false;
    }
}
