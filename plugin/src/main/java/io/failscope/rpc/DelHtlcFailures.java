package io.failscope.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.json.Json;
import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStore;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code delhtlcfailures}: deletes the records received before {@code before} and/or matching the
 * {@code listhtlcfailures} filters, in batches, and says how many went. Unlike retention it keeps no
 * rollup: the operator asked for the records to be gone. At least one criterion is required.
 */
public final class DelHtlcFailures
        implements RpcMethod
{
    private static final List<String> PARAMETERS;

    static {
        List<String> names = new ArrayList<>(List.of("before"));
        names.addAll(FilterParams.NAMES);
        names.add(FilterParams.NODE_ID);
        PARAMETERS = List.copyOf(names);
    }

    public static final RpcMethod.Info INFO = new RpcMethod.Info("delhtlcfailures", PARAMETERS,
            "Delete recorded HTLC failures received before a time and/or matching listhtlcfailures filters; returns how many were deleted.");

    private final FailureStore store;

    @Inject
    public DelHtlcFailures(FailureStore store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public JsonNode invoke(Params params)
            throws RpcException
    {
        if (params.isEmpty()) {
            throw new RpcException(RpcErrorCode.INVALID_PARAMS, "delhtlcfailures needs before or at least one filter; it never deletes everything by default");
        }
        FailureFilter filter = FilterParams.read(params);
        Optional<Instant> before = params.time("before");
        if (before.isPresent()) {
            // before and until both bound the received time: the earlier one wins
            Instant bound = filter.until().filter(until -> until.isBefore(before.get())).orElse(before.get());
            filter = filter.toBuilder().until(bound).build();
        }
        long deleted = store.delete(filter);
        return Json.object().put("deleted", deleted);
    }
}
