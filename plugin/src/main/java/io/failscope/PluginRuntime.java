package io.failscope;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import io.failscope.capture.Capture;
import io.failscope.capture.CaptureModule;
import io.failscope.capture.InterceptRecorder;
import io.failscope.config.ConfigModule;
import io.failscope.config.FailscopeConfig;
import io.failscope.dashboard.DashboardModule;
import io.failscope.dialect.NodeMessages;
import io.failscope.dialect.cln.ClnDialectModule;
import io.failscope.dialect.cln.ClnOutbox;
import io.failscope.dialect.cln.ClnPlugin;
import io.failscope.dialect.jvm.JvmDialectModule;
import io.failscope.export.ExportModule;
import io.failscope.intercept.InterceptModule;
import io.failscope.intercept.Interceptor;
import io.failscope.metrics.MetricsModule;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeModule;
import io.failscope.node.NodeRpcClient;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcModule;
import io.failscope.status.PluginInfo;
import io.failscope.status.StatusModule;
import io.failscope.store.FailureStore;
import io.failscope.store.StoreModule;
import io.failscope.transport.http.HttpModule;
import io.failscope.transport.http.HttpTransport;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The running plugin: the feature modules of its node dialect wired by Guice, started in order and
 * stopped in reverse (the store last, so every acknowledged record is flushed). It hands the transports
 * what answers the node's messages, and nothing else.
 */
public final class PluginRuntime
        implements ClnPlugin.Running
{
    private static final System.Logger LOG = System.getLogger(PluginRuntime.class.getName());

    /** Which node failscope serves, and so which messages it takes from it. */
    public enum Dialect
    {
        /** Core Lightning: stdio plugin protocol. */
        CLN,
        /** A JVM node (LDK-shaped events over HTTP). */
        JVM,
    }

    private final NodeMessages messages;
    private final HttpTransport http;
    private final Interceptor interceptor;
    private final InterceptRecorder recorder;
    private final Capture capture;
    private final NodeContextCache nodeContext;
    private final FailureStore store;

    @Inject
    PluginRuntime(NodeMessages messages, HttpTransport http, Interceptor interceptor, InterceptRecorder recorder, Capture capture, NodeContextCache nodeContext, FailureStore store)
    {
        this.messages = requireNonNull(messages, "messages is null");
        this.http = requireNonNull(http, "http is null");
        this.interceptor = requireNonNull(interceptor, "interceptor is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.capture = requireNonNull(capture, "capture is null");
        this.nodeContext = requireNonNull(nodeContext, "nodeContext is null");
        this.store = requireNonNull(store, "store is null");
    }

    /** The feature modules failscope runs with in {@code dialect}; Core Lightning's manifest is read off them. */
    public static List<Module> features(Dialect dialect)
    {
        Module dialectModule = switch (dialect) {
            case CLN -> new ClnDialectModule();
            case JVM -> new JvmDialectModule();
        };
        return List.of(new StoreModule(), new RpcModule(), new StatusModule(), new NodeModule(), new HttpModule(), new CaptureModule(), new InterceptModule(), new ExportModule(), new DashboardModule(), new MetricsModule(), dialectModule);
    }

    /** Wires every feature and starts it, with no lightningd to notify. Throws when something cannot start (the store, the HTTP port). */
    public static PluginRuntime start(FailscopeConfig config, Dialect dialect, NodeRpcClient nodeClient, ObjectMapper mapper)
    {
        return start(config, dialect, nodeClient, mapper, ClnOutbox.NONE);
    }

    /** As above; failscope's own notifications to lightningd (htlc_failure_recorded) go to {@code outbox}. */
    public static PluginRuntime start(FailscopeConfig config, Dialect dialect, NodeRpcClient nodeClient, ObjectMapper mapper, ClnOutbox outbox)
    {
        Module instances = new AbstractModule()
        {
            @Override
            protected void configure()
            {
                bind(ObjectMapper.class).toInstance(mapper);
                bind(NodeRpcClient.class).toInstance(nodeClient);
                bind(ClnOutbox.class).toInstance(outbox);
                bind(PluginInfo.class).toInstance(new PluginInfo(PluginInfo.jarVersion(), dialect.name().toLowerCase(Locale.ROOT), Instant.now()));
            }
        };
        Injector injector;
        try {
            injector = Guice.createInjector(Stage.PRODUCTION, Stream.concat(Stream.of(new ConfigModule(config), instances), features(dialect).stream()).toList());
        }
        catch (ProvisionException | CreationException e) {
            // Guice's own message lists its internals; the operator needs only what went wrong
            Throwable cause = firstCause(e);
            throw new IllegalStateException(cause.getMessage(), cause);
        }
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

    private static Throwable firstCause(RuntimeException guice)
    {
        Collection<Message> messages = guice instanceof CreationException creation ? creation.getErrorMessages() : ((ProvisionException) guice).getErrorMessages();
        Throwable cause = messages.stream().map(Message::getCause).filter(Objects::nonNull).findFirst().orElse(guice);
        while ((cause instanceof ProvisionException || cause instanceof CreationException) && cause != guice) {
            cause = firstCause((RuntimeException) cause);
        }
        return cause;
    }

    @Override
    public MessageHandler messages()
    {
        return messages;
    }

    /** The HTTP endpoint's port (the one picked when configured as 0); -1 when there is none. */
    public int httpPort()
    {
        return http.port();
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
        recorder.close();
        capture.close();
        nodeContext.close();
        store.close();
    }
}
