package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.store.StoreException;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
        RpcMethod method = methods.get(name);
        if (method == null) {
            throw new RpcException(RpcErrorCode.METHOD_NOT_FOUND, "unknown method " + Json.abbreviate(Json.MAPPER.getNodeFactory().textNode(name)));
        }
        try {
            return method.invoke(Params.of(params, method.parameters(), method.readsTheNode()));
        }
        catch (RpcException e) {
            throw e;
        }
        catch (StoreException e) {
            LOG.log(Level.ERROR, name + " failed: " + e.getMessage(), e);
            throw new RpcException(RpcErrorCode.STORE_UNAVAILABLE, "the failure store cannot serve " + name + ": " + e.getMessage());
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, name + " failed unexpectedly", e);
            throw new RpcException(RpcErrorCode.INTERNAL_ERROR, "internal error in " + name + "; the plugin log has the details");
        }
    }
}
