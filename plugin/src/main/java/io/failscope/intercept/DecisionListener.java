package io.failscope.intercept;

import io.failscope.HtlcSeen;

/**
 * Hears every decision as it is made: each verdict, and for a held HTLC its release later. Recording
 * the failures and counting verdicts are listeners' jobs, not the interceptor's. Called on the hook
 * path: a listener hands any slow work to its own thread.
 */
public interface DecisionListener
{
    void decided(HtlcSeen htlc, Verdict verdict);
}
