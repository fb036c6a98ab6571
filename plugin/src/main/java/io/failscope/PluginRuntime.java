package io.failscope;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.failscope.capture.CaptureModule;
import io.failscope.capture.ClnCapture;
import io.failscope.config.ConfigModule;
import io.failscope.config.FailscopeConfig;
import io.failscope.intercept.InterceptModule;
import io.failscope.intercept.Interceptor;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeModule;
import io.failscope.node.NodeRpcClient;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.rpc.RpcModule;
import io.failscope.store.FailureStore;
import io.failscope.store.StoreModule;
import io.failscope.transport.http.HttpModule;
import io.failscope.transport.http.HttpTransport;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;

import static java.util.Objects.requireNonNull;

/**
 * The running plugin once configured: the feature modules wired by Guice, started in order and
 * stopped in reverse (the store last, so every acknowledged record is flushed).
 */
public final class PluginRuntime
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(PluginRuntime.class.getName());

    private final RpcDispatcher dispatcher;
    private final FailureStore store;
    private final NodeContextCache nodeContext;
    private final HttpTransport http;
    private final ClnCapture capture;
    private final Interceptor interceptor;

    /** Every Core Lightning command failscope registers, for the manifest (known before anything is wired). */
    public static final java.util.List<io.failscope.rpc.RpcMethod.Info> COMMANDS = java.util.stream.Stream
            .concat(RpcModule.METHODS.stream(), InterceptModule.METHODS.stream()).toList();

    @Inject
    PluginRuntime(RpcDispatcher dispatcher, FailureStore store, NodeContextCache nodeContext, HttpTransport http, ClnCapture capture, Interceptor interceptor)
    {
        this.interceptor = requireNonNull(interceptor, "interceptor is null");
        this.capture = requireNonNull(capture, "capture is null");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher is null");
        this.store = requireNonNull(store, "store is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.http = requireNonNull(http, "http is null");
    }

    /** Wires every feature and starts it. Throws when something cannot start (the store, the HTTP port). */
    public static PluginRuntime start(FailscopeConfig config, NodeRpcClient nodeClient)
    {
        try {
            return wire(config, nodeClient);
        }
        catch (ProvisionException | CreationException e) {
            // Guice's own message lists its internals; the operator needs only what went wrong
            Throwable cause = e;
            while ((cause instanceof ProvisionException || cause instanceof CreationException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    private static PluginRuntime wire(FailscopeConfig config, NodeRpcClient nodeClient)
    {
        Injector injector = Guice.createInjector(
                new ConfigModule(config),
                new StoreModule(),
                new RpcModule(),
                new NodeModule(nodeClient),
                new HttpModule(),
                new CaptureModule(),
                new InterceptModule());
        PluginRuntime runtime = injector.getInstance(PluginRuntime.class);
        try {
            runtime.nodeContext.start();
            runtime.http.start();
        }
        catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        return runtime;
    }

    public RpcDispatcher dispatcher()
    {
        return dispatcher;
    }

    public NodeContextCache nodeContext()
    {
        return nodeContext;
    }

    public HttpTransport http()
    {
        return http;
    }

    public ClnCapture capture()
    {
        return capture;
    }

    public Interceptor interceptor()
    {
        return interceptor;
    }

    @Override
    public void close()
    {
        try {
            http.stop();
        }
        catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping the HTTP endpoint failed: " + e.getMessage());
        }
        interceptor.close();
        nodeContext.close();
        store.close();
    }
}
