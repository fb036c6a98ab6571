package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.Throttled;
import io.failscope.capture.RecordListener;
import io.failscope.json.Json;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.RecordJson;
import io.failscope.store.StoredFailure;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The custom notification {@code htlc_failure_recorded}: one per new record, carrying the record as
 * {@code listhtlcfailures} shows it, so that other plugins can {@code subscribe} to it. Declared in the
 * manifest ({@code cln-plugin-protocol.md} §1.4 {@code notifications}; lightningd drops an undeclared
 * topic, §1.9) and sent as {@code {"htlc_failure_recorded": record}}, the way lightningd wraps the params
 * of its own notifications under the topic's name; since v25.09 subscribers get these params as sent, with
 * {@code origin} beside them (§1.9, §9). Written from a thread of its own: capture's worker never waits on
 * stdout, and when lightningd reads too slowly for the queue the notification is dropped and counted in the log.
 */
public final class HtlcFailureRecorded
        implements RecordListener
{
    public static final String TOPIC = "htlc_failure_recorded";

    private static final System.Logger LOG = System.getLogger(HtlcFailureRecorded.class.getName());
    /** Notifications that may wait for stdout: a burst of failures, a few MB of JSON at most. */
    static final int CAPACITY = 10_000;

    private final ClnOutbox outbox;
    private final Throttled throttled;
    private final ExecutorService sender;

    @Inject
    public HtlcFailureRecorded(ClnOutbox outbox, Clock clock)
    {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.throttled = new Throttled(LOG, Duration.ofMinutes(1), clock);
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(CAPACITY), runnable -> {
            Thread thread = new Thread(runnable, "failscope-notifications");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The notification for {@code record}, which carries its created index. */
    public static ObjectNode notification(HtlcFailureRecord record)
    {
        long createdIndex = record.createdIndex().orElseThrow(() -> new IllegalArgumentException("a recorded failure has a created index"));
        ObjectNode params = Json.object();
        params.set(TOPIC, RecordJson.of(new StoredFailure(createdIndex, OptionalLong.empty(), record)));
        return JsonRpc.notification(TOPIC, params);
    }

    @Override
    public void recorded(HtlcFailureRecord record)
    {
        ObjectNode notification = notification(record);
        try {
            sender.execute(() -> outbox.send(notification));
        }
        catch (RejectedExecutionException e) {
            throttled.log(Level.WARNING, TOPIC, () -> TOPIC + " notifications are dropped: " + CAPACITY + " are waiting for lightningd to read them");
        }
    }
}
