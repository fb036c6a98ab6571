package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;

/** The node's own JSON-RPC, in Core Lightning's shapes ({@code getinfo}, {@code listpeerchannels}, {@code listconfigs}). */
public interface NodeRpcClient
{
    /** Calls {@code method}; the result, or an exception saying why there is none. Never blocks past the configured timeout. */
    JsonNode call(String method, JsonNode params)
            throws NodeRpcException;
}
