package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.store.StoreException;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Finds a method by name and calls it. Every failure becomes an {@link RpcException}: the method's
 * own, invalid params, store trouble, or an unexpected exception, which goes to the log with its stack
 * trace and to the caller as a plain "internal error" with no class names.
 */
public final class RpcDispatcher
{
    private static final System.Logger LOG = System.getLogger(RpcDispatcher.class.getName());

    private final Map<String, RpcMethod> methods = new TreeMap<>();

    public RpcDispatcher(Collection<? extends RpcMethod> methods)
    {
        for (RpcMethod method : methods) {
            if (this.methods.put(method.name(), method) != null) {
                throw new IllegalArgumentException("two methods are named " + method.name());
            }
        }
    }

    public List<RpcMethod> methods()
    {
        return List.copyOf(methods.values());
    }

    public JsonNode call(String name, JsonNode params)
            throws RpcException
    {
        RpcMethod method = method(name);
        try {
            return method.invoke(Params.of(params, method.parameters(), method.readsTheNode()));
        }
        catch (RpcException | RuntimeException e) {
            throw translated(name, e);
        }
    }

    /**
     * As {@link #call}, for a caller that can answer later: the future fails with a
     * {@link CompletionException} around the {@link RpcException} to send.
     */
    public CompletableFuture<JsonNode> callLater(String name, JsonNode params)
    {
        try {
            RpcMethod method = method(name);
            return method.invokeLater(Params.of(params, method.parameters(), method.readsTheNode())).handle((result, failure) -> {
                if (failure == null) {
                    return result;
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                throw new CompletionException(translated(name, cause instanceof Exception exception ? exception : new IllegalStateException(cause)));
            });
        }
        catch (RpcException | RuntimeException e) {
            return CompletableFuture.failedFuture(new CompletionException(translated(name, e)));
        }
    }

    private RpcMethod method(String name)
            throws RpcException
    {
        RpcMethod method = methods.get(name);
        if (method == null) {
            throw new RpcException(RpcErrorCode.METHOD_NOT_FOUND, "unknown method " + Json.abbreviate(Json.MAPPER.getNodeFactory().textNode(name)));
        }
        return method;
    }

    /** The error the caller gets: the method's own, or store trouble, or a plain internal error (logged with its trace). */
    private static RpcException translated(String name, Exception e)
    {
        if (e instanceof RpcException rpc) {
            return rpc;
        }
        if (e instanceof StoreException) {
            LOG.log(Level.ERROR, name + " failed: " + e.getMessage(), e);
            return new RpcException(RpcErrorCode.STORE_UNAVAILABLE, "the failure store cannot serve " + name + ": " + e.getMessage());
        }
        LOG.log(Level.ERROR, name + " failed unexpectedly", e);
        return new RpcException(RpcErrorCode.INTERNAL_ERROR, "internal error in " + name + "; the plugin log has the details");
    }
}
