package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** A JSON-RPC method failscope serves, in both dialects. */
public interface RpcMethod
{
    String name();

    /** Parameter names in positional order (for array params). */
    List<String> parameters();

    /** Core Lightning's usage string: optional parameters in brackets. */
    default String usage()
    {
        return String.join(" ", parameters().stream().map(name -> "[" + name + "]").toList());
    }

    String description();

    JsonNode invoke(Params params)
            throws RpcException;
}
