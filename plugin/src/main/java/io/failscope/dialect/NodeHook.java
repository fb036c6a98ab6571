package io.failscope.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.rpc.RpcException;

import java.util.concurrent.CompletableFuture;

/**
 * A request the node makes and waits on before it goes on with an HTLC (Core Lightning's
 * {@code htlc_accepted}, a JVM node's {@code htlc_intercepted}). Answering never waits on the disk or
 * the node's RPC: the transport handles it on its reading thread and writes the answer ahead of others.
 */
public interface NodeHook
{
    /** The answer, now or (for a held HTLC) later. */
    CompletableFuture<JsonNode> answer(JsonNode params)
            throws RpcException;
}
