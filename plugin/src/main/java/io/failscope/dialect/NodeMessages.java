package io.failscope.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.Throttled;
import io.failscope.rpc.ErrorResolver;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.rpc.RpcException;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * Everything the node's dialect sends, routed: its hooks (answered at once, ahead of other output),
 * its events, and anything else to the user's and operator's methods. Only what the installed dialect
 * registered is a node message: under Core Lightning there is no {@code htlc_intercepted}.
 */
public final class NodeMessages
        implements MessageHandler
{
    private static final System.Logger LOG = System.getLogger(NodeMessages.class.getName());

    private final Map<String, NodeHook> hooks;
    private final Map<String, NodeEvent> events;
    private final RpcDispatcher methods;
    private final Set<HookListener> hookListeners;
    private final Throttled throttled;

    @Inject
    public NodeMessages(Map<String, NodeHook> hooks, Map<String, NodeEvent> events, RpcDispatcher methods, Clock clock, Set<HookListener> hookListeners)
    {
        this.hooks = Map.copyOf(requireNonNull(hooks, "hooks is null"));
        this.events = Map.copyOf(requireNonNull(events, "events is null"));
        this.methods = requireNonNull(methods, "methods is null");
        this.hookListeners = Set.copyOf(requireNonNull(hookListeners, "hookListeners is null"));
        this.throttled = new Throttled(LOG, Duration.ofMinutes(1), clock);
    }

    @Override
    public boolean urgent(JsonRpc.Message message)
    {
        return !message.isNotification() && hooks.containsKey(message.method());
    }

    @Override
    public CompletableFuture<Optional<ObjectNode>> handle(JsonRpc.Message message)
    {
        NodeHook hook = hooks.get(message.method());
        NodeEvent event = events.get(message.method());
        if (hook == null && event == null) {
            return methods.handle(message);
        }
        CompletableFuture<Optional<ObjectNode>> answer;
        try {
            if (hook != null) {
                long started = System.nanoTime();
                CompletableFuture<JsonNode> verdict = hook.answer(message.params());
                timed(message.method(), verdict, started);
                answer = verdict.thenApply(result -> JsonRpc.answer(message, result));
            }
            else {
                answer = event.handle(message.params()).thenApply(result -> JsonRpc.answer(message, result));
            }
        }
        catch (RpcException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.exceptionally(failure -> {
            RpcException error = ErrorResolver.resolve(message.method(), failure);
            if (message.isNotification()) {
                // a notification gets no answer, so the log is the only place the sender's mistake can show;
                // once a minute per kind, so that a flood of them cannot flood the log
                throttled.log(Level.WARNING, message.method(), () -> "notification " + message.method() + " was not taken: " + error.getMessage());
            }
            return JsonRpc.errorAnswer(message, error);
        });
    }

    /** An answer not ready when the hook returned is a held HTLC's: its time is the hold's. */
    private void timed(String hook, CompletableFuture<JsonNode> verdict, long started)
    {
        if (hookListeners.isEmpty()) {
            return;
        }
        boolean held = !verdict.isDone();
        verdict.whenComplete((result, failure) -> {
            Duration latency = Duration.ofNanos(System.nanoTime() - started);
            for (HookListener listener : hookListeners) {
                try {
                    listener.answered(hook, latency, held);
                }
                catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "a hook listener failed", e);
                }
            }
        });
    }
}
