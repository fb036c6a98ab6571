package io.failscope.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.status.StatusSection;
import jakarta.inject.Inject;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The store's part of {@code failscope-status}, from {@link FailureStore#status()} and the retry
 * buffer's {@link RetryBuffer#health()}: never a scan of the records.
 */
final class StoreStatusSection
        implements StatusSection
{
    private final RetryBuffer buffer;

    @Inject
    StoreStatusSection(RetryBuffer buffer)
    {
        this.buffer = requireNonNull(buffer, "buffer is null");
    }

    @Override
    public String name()
    {
        return "store";
    }

    @Override
    public ObjectNode report()
    {
        StoreHealth health = buffer.health();
        StoreStatus status = buffer.status();
        ObjectNode report = Json.object().put("backend", buffer.backend()).put("health", health.health());
        health.cause().ifPresent(cause -> report.put("cause", cause.description()));
        buffer.fault().ifPresent(fault -> report.put("fault", fault));
        report.put("records", status.records())
                .put("database_bytes", status.databaseBytes())
                .put("queue_depth", status.queueDepth())
                .put("inserted_since_start", status.insertedSinceStart())
                .put("updated_since_start", status.updatedSinceStart())
                .put("written", health.written())
                .put("waiting", health.waiting())
                .put("retry_buffer", health.capacity());
        ObjectNode dropped = report.putObject("dropped");
        for (StoreException.Fault fault : StoreException.Fault.values()) {
            dropped.put(fault.name().toLowerCase(Locale.ROOT), health.dropped().getOrDefault(fault, 0L));
        }
        return report;
    }
}
