package io.failscope.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.status.StatusSection;
import jakarta.inject.Inject;

import static java.util.Objects.requireNonNull;

/** The store's part of {@code failscope-status}, from {@link FailureStore#status()}: never a scan of the records. */
final class StoreStatusSection
        implements StatusSection
{
    private final FailureStore store;

    @Inject
    StoreStatusSection(FailureStore store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public String name()
    {
        return "store";
    }

    @Override
    public ObjectNode report()
    {
        StoreStatus status = store.status();
        ObjectNode report = Json.object()
                .put("backend", store.backend())
                .put("records", status.records())
                .put("database_bytes", status.databaseBytes())
                .put("queue_depth", status.queueDepth())
                .put("inserted_since_start", status.insertedSinceStart())
                .put("updated_since_start", status.updatedSinceStart());
        store.fault().ifPresent(fault -> report.put("fault", fault));
        return report;
    }
}
