package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStore;
import io.failscope.store.Page;
import io.failscope.store.StoredFailure;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * {@code listhtlcfailures}: stored failures matching every given filter, paged like Core Lightning's
 * {@code listforwards} ({@code index}, inclusive {@code start}, {@code limit}), sorted by the index.
 */
public final class ListHtlcFailures
        implements RpcMethod
{
    private static final List<String> PARAMETERS;

    static {
        List<String> names = new ArrayList<>(FilterParams.NAMES);
        names.addAll(List.of("index", "start", "limit", FilterParams.NODE_ID));
        PARAMETERS = List.copyOf(names);
    }

    public static final RpcMethod.Info INFO = new RpcMethod.Info("listhtlcfailures", PARAMETERS,
            "List recorded HTLC failures with their precise local reason; filter by reason, failcode, type, source, channel, peer, payment hash, time, amount and node (node_id: one or several nodes of a fleet, default all); page with index/start/limit.");

    private final FailureStore store;

    @Inject
    public ListHtlcFailures(FailureStore store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public JsonNode invoke(Params params)
            throws RpcException
    {
        FailureFilter filter = FilterParams.read(params);
        Optional<String> indexName = params.string("index");
        Page.Index index = Page.Index.CREATED;
        if (indexName.isPresent()) {
            index = switch (indexName.get()) {
                case "created" -> Page.Index.CREATED;
                case "updated" -> Page.Index.UPDATED;
                default -> throw RpcException.invalidParam("index", params.raw("index"), "should be \"created\" or \"updated\"");
            };
        }
        OptionalLong start = params.integer("start", 0, Long.MAX_VALUE);
        if (start.isPresent() && indexName.isEmpty()) {
            throw RpcException.invalidParam("start", params.raw("start"), "needs index (\"created\" or \"updated\") to say which index it counts");
        }
        int limit = (int) params.integer("limit", 1, Page.MAX_LIMIT).orElse(Page.DEFAULT_LIMIT);
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("htlcfailures");
        for (StoredFailure stored : store.list(filter, new Page(index, start, limit))) {
            items.add(RecordJson.of(stored));
        }
        return result;
    }
}
