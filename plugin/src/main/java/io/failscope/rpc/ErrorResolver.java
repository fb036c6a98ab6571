package io.failscope.rpc;

import io.failscope.ServiceUnavailableException;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one mapping from a failure to the JSON-RPC error its caller gets, for every transport and every
 * kind of message: a method's own {@link RpcException} as it is; a part of failscope that is
 * unavailable (the store) as {@link RpcErrorCode#STORE_UNAVAILABLE} with its cause in words; anything
 * else as a plain "internal error" with no class names on the wire, its stack trace in the log.
 */
public final class ErrorResolver
{
    private static final System.Logger LOG = System.getLogger(ErrorResolver.class.getName());

    private ErrorResolver() {}

    public static RpcException resolve(String method, Throwable failure)
    {
        Throwable cause = unwrap(failure);
        if (cause instanceof RpcException rpc) {
            return rpc;
        }
        if (cause instanceof ServiceUnavailableException unavailable) {
            LOG.log(Level.ERROR, method + " failed: " + unavailable.getMessage(), unavailable);
            return new RpcException(RpcErrorCode.STORE_UNAVAILABLE, unavailable.service() + " cannot serve " + method + ": " + unavailable.getMessage());
        }
        LOG.log(Level.ERROR, method + " failed unexpectedly", cause);
        return new RpcException(RpcErrorCode.INTERNAL_ERROR, "internal error in " + method + "; the plugin log has the details");
    }

    /** The failure inside the wrappers that futures and executors put around it. */
    static Throwable unwrap(Throwable failure)
    {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
