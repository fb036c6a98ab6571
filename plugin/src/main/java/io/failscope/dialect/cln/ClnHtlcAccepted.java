package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.HtlcSeen;
import io.failscope.capture.Capture;
import io.failscope.dialect.HookStatus;
import io.failscope.dialect.NodeHook;
import io.failscope.intercept.Interceptor;
import io.failscope.intercept.Verdict;
import io.failscope.json.Json;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * Core Lightning's {@code htlc_accepted} hook. Always a valid verdict, now or (for a held HTLC) later,
 * without holding a thread: a payload that cannot be read, or any failure inside, answers
 * {@code continue} (fail-open) and is counted, because an error response to a hook stops lightningd
 * ({@code cln-plugin-protocol.md} §0). Nothing here waits on the disk or the node.
 */
public final class ClnHtlcAccepted
        implements NodeHook
{
    private static final System.Logger LOG = System.getLogger(ClnHtlcAccepted.class.getName());
    private static final ObjectNode CONTINUE = Json.object().put("result", "continue");

    private final Interceptor interceptor;
    private final Capture capture;
    private final HookStatus status;

    @Inject
    public ClnHtlcAccepted(Interceptor interceptor, Capture capture, HookStatus status)
    {
        this.interceptor = requireNonNull(interceptor, "interceptor is null");
        this.capture = requireNonNull(capture, "capture is null");
        this.status = requireNonNull(status, "status is null");
    }

    @Override
    public CompletableFuture<JsonNode> answer(JsonNode params)
    {
        try {
            Optional<HtlcSeen> htlc = ClnPayloads.htlcSeen(params);
            if (htlc.isEmpty()) {
                status.answered();
                return CompletableFuture.completedFuture(CONTINUE);
            }
            Verdict verdict = interceptor.decide(htlc.get());
            if (verdict instanceof Verdict.Hold holding) {
                return holding.release().thenApply(released -> answer(htlc.get(), released)).exceptionally(this::failOpen);
            }
            return CompletableFuture.completedFuture(answer(htlc.get(), verdict));
        }
        catch (RuntimeException | Error e) {
            return CompletableFuture.completedFuture(failOpen(e));
        }
    }

    /**
     * The verdict in lightningd's words. An HTLC that goes on is remembered before its verdict is
     * written: lightningd sends its forward_event only after the verdict.
     */
    private JsonNode answer(HtlcSeen htlc, Verdict verdict)
    {
        JsonNode answer = verdict(verdict);
        status.answered();
        if (!(verdict instanceof Verdict.Fail)) {
            capture.htlcGoesOn(htlc);
        }
        return answer;
    }

    /** A final verdict as lightningd reads it: {@code continue}, or {@code fail} with the failure message's hex. */
    static JsonNode verdict(Verdict verdict)
    {
        if (verdict instanceof Verdict.Fail fail) {
            return Json.object().put("result", "fail").put("failure_message", fail.message().hex());
        }
        if (verdict instanceof Verdict.Hold hold) {
            throw new IllegalArgumentException("a held HTLC has no verdict until it is released (rule " + hold.rule() + ")");
        }
        return CONTINUE;
    }

    private JsonNode failOpen(Throwable failure)
    {
        status.answered();
        status.failedOpen();
        LOG.log(Level.ERROR, "htlc_accepted failed; answering continue", failure);
        return CONTINUE;
    }
}
