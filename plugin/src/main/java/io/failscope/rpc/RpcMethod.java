package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * A method a user or operator calls (as a Core Lightning command, or over HTTP). A feature binds it
 * with {@link RpcModule#bind}, under its {@link Info}: the one place its name is declared.
 */
public interface RpcMethod
{
    /** What the manifest and the dispatcher know of a method: known before anything is wired. */
    record Info(String name, List<String> parameters, String description)
    {
        public Info
        {
            requireNonNull(name, "name is null");
            parameters = List.copyOf(requireNonNull(parameters, "parameters is null"));
            requireNonNull(description, "description is null");
        }

        /** Core Lightning's usage string: optional parameters in brackets. */
        public String usage()
        {
            return String.join(" ", parameters.stream().map(parameter -> "[" + parameter + "]").toList());
        }
    }

    JsonNode invoke(Params params)
            throws RpcException;

    /**
     * The answer, now or later. A method whose answer may wait overrides this, so that the wait keeps
     * no thread.
     */
    default CompletableFuture<JsonNode> invokeLater(Params params)
            throws RpcException
    {
        return CompletableFuture.completedFuture(invoke(params));
    }
}
