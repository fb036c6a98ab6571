package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

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
}
