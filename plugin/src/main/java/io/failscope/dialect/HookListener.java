package io.failscope.dialect;

import java.time.Duration;

/**
 * Hears how long each hook took to answer (metrics). Called on the thread that completed the answer:
 * the transport's reading thread for an answer made at once, the releasing thread for a held HTLC's.
 */
public interface HookListener
{
    /**
     * {@code hook} is the node's name for it ({@code htlc_accepted}, {@code htlc_intercepted});
     * {@code latency} runs from the parsed request to the answer; {@code held} says a rule held the
     * HTLC, so that the time is the hold's, not failscope's.
     */
    void answered(String hook, Duration latency, boolean held);
}
