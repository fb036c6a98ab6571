package io.failscope.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.rpc.MessageHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP endpoint on Jetty: {@code POST /rpc} ({@link RpcHandler}). What no client can do to it: hold
 * it with slow or idle connections (an idle timeout and a minimum request data rate; bodies are read
 * without keeping a thread), exhaust the heap (bounded bodies, batches and answers, and at most
 * {@link #WORKERS} calls worked on at once behind a bounded queue), or learn what it runs on (no server
 * version, JSON errors only). A hook the node waits on never queues behind those calls.
 */
public final class HttpTransport
{
    private static final System.Logger LOG = System.getLogger(HttpTransport.class.getName());
    /** Calls worked on at once: each may build an answer of 10,000 records. */
    static final int WORKERS = 2;
    /** Calls waiting for a worker; more are answered "busy". */
    static final int WAITING = 64;

    private final HttpConfig config;
    private final MessageHandler handler;
    private final ObjectMapper mapper;
    private final Map<String, HttpPage> pages;
    private Server server;
    private ServerConnector connector;
    private ThreadPoolExecutor workers;

    /** {@code handler} takes what may come over HTTP in the node's dialect; {@code mapper} is failscope's one mapper. */
    public HttpTransport(HttpConfig config, MessageHandler handler, ObjectMapper mapper)
    {
        this(config, handler, mapper, Set.of());
    }

    /** As above, also serving {@code pages} to {@code GET}, each at its path. */
    public HttpTransport(HttpConfig config, MessageHandler handler, ObjectMapper mapper, Set<HttpPage> pages)
    {
        this.config = requireNonNull(config, "config is null");
        this.handler = requireNonNull(handler, "handler is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        Map<String, HttpPage> byPath = new HashMap<>();
        for (HttpPage page : pages) {
            if (!page.path().startsWith("/") || page.path().equals(RpcHandler.PATH) || byPath.putIfAbsent(page.path(), page) != null) {
                throw new IllegalArgumentException("cannot serve a page at " + page.path() + ": the path is taken or not absolute");
            }
        }
        this.pages = Map.copyOf(byPath);
    }

    /** Starts listening when a port is configured; does nothing otherwise. */
    public synchronized void start()
    {
        if (!config.enabled() || server != null) {
            return;
        }
        byte[] token = null;
        if (config.tokenFile().isPresent()) {
            try {
                token = HttpConfig.token(config.tokenFile().get())
                        .orElseThrow(() -> new IllegalStateException("the token file " + config.tokenFile().get() + " is empty"))
                        .getBytes(StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                throw new IllegalStateException("cannot read the token file " + config.tokenFile().get() + ": " + e.getMessage(), e);
            }
        }
        AtomicInteger count = new AtomicInteger();
        workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(WAITING), runnable -> {
            Thread thread = new Thread(runnable, "failscope-http-call-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("failscope-http");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setMinRequestDataRate(config.minRequestRate());
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.address());
        connector.setPort(config.port().getAsInt());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler(mapper));
        server.setHandler(new RpcHandler(config, token, handler, mapper, workers, pages));
        try {
            server.start();
        }
        catch (Exception e) {
            server = null;
            workers.shutdownNow();
            throw new IllegalStateException("cannot listen on " + config.address() + ":" + config.port().getAsInt() + ": " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "failscope HTTP JSON-RPC listening on http://" + config.address() + ":" + port() + "/rpc");
    }

    /** The port listened on (the one picked when configured as 0); -1 when not listening. */
    public synchronized int port()
    {
        return connector == null ? -1 : connector.getLocalPort();
    }

    public synchronized void stop()
    {
        if (server != null) {
            try {
                server.stop();
            }
            catch (Exception e) {
                LOG.log(Level.WARNING, "stopping the HTTP endpoint failed: " + e.getMessage());
            }
            workers.shutdownNow();
            server = null;
            connector = null;
        }
    }
}
