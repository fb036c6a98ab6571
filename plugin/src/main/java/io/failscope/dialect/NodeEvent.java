package io.failscope.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.rpc.RpcException;

import java.util.concurrent.CompletableFuture;

/**
 * Something the node reports (a failed forward, a new block), usually as a JSON-RPC notification.
 * Handling it may wait on the node's RPC or the disk. A JVM node may send one as a request to learn how
 * it was stored: the future's value is then the answer.
 */
public interface NodeEvent
{
    CompletableFuture<JsonNode> handle(JsonNode params)
            throws RpcException;
}
