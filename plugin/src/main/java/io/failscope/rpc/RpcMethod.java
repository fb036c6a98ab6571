package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A JSON-RPC method failscope serves, in both dialects. */
public interface RpcMethod
{
    /** What the manifest says of the method: known before anything is wired. */
    record Info(String name, List<String> parameters, String description)
    {
        /** Core Lightning's usage string: optional parameters in brackets. */
        public String usage()
        {
            return String.join(" ", parameters.stream().map(parameter -> "[" + parameter + "]").toList());
        }
    }

    Info info();

    /** True for methods the node calls, which ignore parameters they do not know. */
    default boolean readsTheNode()
    {
        return false;
    }

    default String name()
    {
        return info().name();
    }

    /** Parameter names in positional order (for array params). */
    default List<String> parameters()
    {
        return info().parameters();
    }

    JsonNode invoke(Params params)
            throws RpcException;

    /**
     * The answer, now or later. A method whose answer may wait (an HTLC a rule holds) overrides this, so
     * that the wait keeps no thread: the HTTP endpoint answers when the future completes.
     */
    default CompletableFuture<JsonNode> invokeLater(Params params)
            throws RpcException
    {
        return CompletableFuture.completedFuture(invoke(params));
    }
}
