package io.failscope.capture;

import io.failscope.record.HtlcFailureRecord;

import java.time.Duration;

/**
 * Hears each failure once it is durably recorded for the first time (a replay or an update of a stored
 * HTLC is not heard again): what counts records written (metrics) or tells other plugins about them.
 * Called on capture's worker, after the store's commit: a listener hands slow work to its own thread.
 */
public interface RecordListener
{
    /** {@code record} carries its created index. */
    void recorded(HtlcFailureRecord record);

    /** Every write the store made durable (a new record or an update), with the time it took from submit to commit. */
    default void written(Duration latency) {}
}
