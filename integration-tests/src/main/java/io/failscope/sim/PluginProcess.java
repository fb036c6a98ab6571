package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real {@code bin/failscope}, started and driven the way lightningd drives a plugin: environment
 * {@code LIGHTNINGD_PLUGIN=1}, working directory the network directory, messages on stdin ended by a
 * blank line. Every byte it writes to stdout is parsed: anything that is not a JSON-RPC object is
 * recorded as a protocol violation, which tests assert away. Requests may be answered in any order
 * ({@link #call}): a held HTLC's hook is answered long after the ones sent behind it.
 */
public final class PluginProcess
        implements AutoCloseable
{
    /**
     * Checks a message against the JSON Schema of its method in {@code rpc-schema/}: {@code kind} is
     * {@code request} for a request's or notification's params, {@code response} for a result. Returns
     * the problems found, none when it conforms.
     */
    @FunctionalInterface
    public interface SchemaCheck
    {
        List<String> problems(String method, String kind, JsonNode json);
    }

    private record Sent(String method, JsonNode params, boolean checkParams) {}

    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** The launcher next to the integration-tests module, where the tests run from. */
    public static final Path LAUNCHER = Path.of("..").toAbsolutePath().normalize().resolve("bin/failscope");

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<JsonNode> responses = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private volatile SchemaCheck schemaCheck;
    private final List<JsonNode> notifications = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final AtomicLong ids = new AtomicLong();
    private final Thread stdoutReader;

    private PluginProcess(Process process)
    {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stdoutReader = new Thread(() -> readStdout(process.getInputStream()), "plugin-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        Thread errors = new Thread(() -> {
            try {
                process.getErrorStream().transferTo(stderrSink());
            }
            catch (IOException ignored) {
                // the process ended
            }
        }, "plugin-stderr");
        errors.setDaemon(true);
        errors.start();
    }

    public static PluginProcess start(Path workingDirectory, Map<String, String> environment)
            throws IOException
    {
        return start(LAUNCHER, workingDirectory, environment);
    }

    public static PluginProcess start(Path launcher, Path workingDirectory, Map<String, String> environment)
            throws IOException
    {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString()).directory(workingDirectory.toFile());
        builder.environment().put("LIGHTNINGD_PLUGIN", "1");
        builder.environment().put("LIGHTNINGD_VERSION", "v26.06.6");
        builder.environment().putAll(environment);
        return new PluginProcess(builder.start());
    }

    private OutputStream stderrSink()
    {
        return new OutputStream()
        {
            @Override
            public void write(int b)
            {
                synchronized (stderr) {
                    stderr.write(b);
                }
            }

            @Override
            public void write(byte[] bytes, int offset, int length)
            {
                synchronized (stderr) {
                    stderr.write(bytes, offset, length);
                }
            }
        };
    }

    private void readStdout(InputStream out)
    {
        try (MappingIterator<JsonNode> values = MAPPER.readerFor(JsonNode.class).readValues(out)) {
            while (values.hasNextValue()) {
                JsonNode value = values.nextValue();
                if (!value.isObject() || !"2.0".equals(value.path("jsonrpc").asText())) {
                    violations.add("not a JSON-RPC object: " + value);
                }
                else if (value.has("id") && value.has("method")) {
                    violations.add("a request from the plugin (lightningd takes none on stdout): " + value);
                }
                else if (value.has("id")) {
                    conforms(value);
                    CompletableFuture<JsonNode> waiting = pending.remove(value.get("id").asText());
                    if (waiting != null && !value.get("id").isNull()) {
                        waiting.complete(value);
                    }
                    else {
                        responses.add(value);
                    }
                }
                else if (value.has("method")) {
                    check(value.get("method").asText(), "request", value.get("params"));
                    notifications.add(value);
                }
                else {
                    violations.add("neither a response nor a notification: " + value);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            violations.add("stdout is not a stream of JSON values: " + e.getMessage());
        }
        finally {
            IOException ended = new IOException("the plugin's stdout ended; stderr:\n" + stderr());
            pending.values().forEach(waiting -> waiting.completeExceptionally(ended));
        }
    }

    /**
     * From now on, every request the plugin accepts (answers with a result) is checked with its answer,
     * and so is every notification sent to it or by it; problems are {@link #violations()}.
     */
    public PluginProcess checkMessagesWith(SchemaCheck check)
    {
        this.schemaCheck = check;
        return this;
    }

    private void conforms(JsonNode response)
    {
        Sent request = sent.remove(response.get("id").asText());
        if (request != null && response.has("result")) {
            if (request.checkParams()) {
                check(request.method(), "request", request.params());
            }
            check(request.method(), "response", response.get("result"));
        }
    }

    private void check(String method, String kind, JsonNode json)
    {
        SchemaCheck check = schemaCheck;
        if (check != null) {
            check.problems(method, kind, json).forEach(problem -> violations.add("against rpc-schema: " + problem));
        }
    }

    public String nextId(String method)
    {
        return "cln:" + method + "#" + ids.incrementAndGet();
    }

    /**
     * Writes raw bytes to stdin, as lightningd would (or as a broken peer would). Many threads send
     * (the simulator's HTLCs, its blocks): one message never cuts into another.
     */
    public void sendRaw(byte[] bytes)
            throws IOException
    {
        synchronized (stdin) {
            stdin.write(bytes);
            stdin.flush();
        }
    }

    public void send(JsonNode message)
            throws IOException
    {
        send(message, true);
    }

    private void send(JsonNode message, boolean checkParams)
            throws IOException
    {
        if (schemaCheck != null && message.hasNonNull("id") && message.has("method")) {
            sent.put(message.get("id").asText(), new Sent(message.get("method").asText(), message.get("params"), checkParams));
        }
        sendRaw((MAPPER.writeValueAsString(message) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a request and waits for the response with its id. */
    public JsonNode request(String method, JsonNode params)
            throws IOException, InterruptedException
    {
        return await(method, call(method, params, true));
    }

    /** Sends a request whose params are broken on purpose (only the answer is checked against its schema). */
    public JsonNode requestUnchecked(String method, JsonNode params)
            throws IOException, InterruptedException
    {
        return await(method, call(method, params, false));
    }

    private JsonNode await(String method, CompletableFuture<JsonNode> response)
            throws IOException, InterruptedException
    {
        try {
            return response.get(30, TimeUnit.SECONDS);
        }
        catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
        catch (TimeoutException e) {
            throw new AssertionError("no response to " + method + " in 30 s; stderr:\n" + stderr());
        }
    }

    /** Sends a request; the future completes with the whole response (result or error) whenever it comes. */
    public CompletableFuture<JsonNode> call(String method, JsonNode params)
            throws IOException
    {
        return call(method, params, true);
    }

    private CompletableFuture<JsonNode> call(String method, JsonNode params, boolean checkParams)
            throws IOException
    {
        String id = nextId(method);
        ObjectNode request = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        request.set("params", params);
        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        pending.put(id, response);
        try {
            send(request, checkParams);
        }
        catch (IOException e) {
            pending.remove(id);
            throw e;
        }
        return response;
    }

    public JsonNode response(String id)
            throws InterruptedException
    {
        List<JsonNode> others = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                JsonNode response = responses.poll(100, TimeUnit.MILLISECONDS);
                if (response == null) {
                    continue;
                }
                if (response.path("id").asText().equals(id)) {
                    return response;
                }
                others.add(response);
            }
            throw new AssertionError("no response to " + id + "; stderr:\n" + stderr());
        }
        finally {
            responses.addAll(others);
        }
    }

    /** Waits for {@code count} responses with id null (answers to unusable messages). */
    public List<JsonNode> nullIdResponses(int count, Duration within)
            throws InterruptedException
    {
        List<JsonNode> found = new ArrayList<>();
        List<JsonNode> others = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (found.size() < count && System.nanoTime() < deadline) {
            JsonNode response = responses.poll(100, TimeUnit.MILLISECONDS);
            if (response == null) {
                continue;
            }
            if (response.path("id").isNull()) {
                found.add(response);
            }
            else {
                others.add(response);
            }
        }
        responses.addAll(others);
        return found;
    }

    /** Sends a notification, checked against its schema when {@link #checkMessagesWith} is on. */
    public void notify(String method, JsonNode params)
            throws IOException
    {
        check(method, "request", params);
        ObjectNode notification = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        notification.set("params", params);
        send(notification);
    }

    public void closeStdin()
            throws IOException
    {
        stdin.close();
    }

    public boolean waitFor(Duration timeout)
            throws InterruptedException
    {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitValue()
    {
        return process.exitValue();
    }

    public long pid()
    {
        return process.pid();
    }

    public List<String> violations()
    {
        return violations;
    }

    /**
     * Checks a call the plugin made to the node's RPC ({@code node.<method>.request} in
     * {@code rpc-schema/}); a problem is a violation like any other.
     */
    public void checkNodeCall(String method, JsonNode params)
    {
        check("node." + method, "request", params);
    }

    public List<JsonNode> notifications()
    {
        return notifications;
    }

    public String stderr()
    {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close()
            throws InterruptedException
    {
        try {
            stdin.close();
        }
        catch (IOException ignored) {
            // already closed
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        stdoutReader.join(5_000);
    }
}
