package io.failscope.rpc;

import io.failscope.NodeId;
import io.failscope.config.ClosestName;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.reason.StoredEnum;
import io.failscope.store.FailureFilter;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The filter parameters {@code listhtlcfailures}, {@code delhtlcfailures} and the exports share. */
public final class FilterParams
{
    /**
     * The filters in the order Core Lightning passes them by position; {@code node_id} (a fleet's
     * nodes) came later and so is the last parameter of each method, after its own.
     */
    public static final List<String> NAMES = List.of("reason", "failcode", "type", "source", "in_channel", "out_channel", "peer_id", "payment_hash",
            "since", "until", "min_msat", "max_msat");

    /** Which nodes of a fleet: one node id or a list. */
    static final String NODE_ID = "node_id";

    private FilterParams() {}

    public static FailureFilter read(Params params)
            throws RpcException
    {
        FailureFilter.Builder filter = FailureFilter.builder();
        List<String> reasonNames = params.strings("reason");
        if (!reasonNames.isEmpty()) {
            Set<LocalReason> reasons = EnumSet.noneOf(LocalReason.class);
            for (String name : reasonNames) {
                reasons.add(LocalReason.forSnakeName(name).orElseThrow(() -> RpcException.invalidParam("reason", params.raw("reason"),
                        "'" + (name.length() <= 64 ? name : name.substring(0, 61) + "...") + "' is not a reason" + suggestion(name, Stream.of(LocalReason.values()).map(LocalReason::snakeName).toList()))));
            }
            filter.reasons(reasons);
        }
        params.failcode("failcode").ifPresent(filter::failcode);
        storedEnum(params, "type", FailureType.class).ifPresent(filter::type);
        storedEnum(params, "source", FailureSource.class).ifPresent(filter::source);
        params.scid("in_channel").ifPresent(filter::inChannel);
        params.scid("out_channel").ifPresent(filter::outChannel);
        params.nodeId("peer_id").ifPresent(filter::peer);
        params.paymentHash("payment_hash").ifPresent(filter::paymentHash);
        params.time("since").ifPresent(filter::since);
        params.time("until").ifPresent(filter::until);
        params.msat("min_msat").ifPresent(filter::minMsat);
        params.msat("max_msat").ifPresent(filter::maxMsat);
        filter.nodes(nodes(params));
        return filter.build();
    }

    /** {@code node_id}: one node of a fleet, or a list of them; none given means every node in the database. */
    static Set<NodeId> nodes(Params params)
            throws RpcException
    {
        Set<NodeId> nodes = new LinkedHashSet<>();
        for (String text : params.strings(NODE_ID)) {
            try {
                nodes.add(NodeId.fromHex(text));
            }
            catch (IllegalArgumentException e) {
                throw RpcException.invalidParam(NODE_ID, params.raw(NODE_ID), "'" + (text.length() <= 70 ? text : text.substring(0, 67) + "...")
                        + "' should be a node id: 66 hex digits starting with 02 or 03");
            }
        }
        return nodes;
    }

    private static <E extends Enum<E> & StoredEnum> Optional<E> storedEnum(Params params, String name, Class<E> type)
            throws RpcException
    {
        Optional<String> text = params.string(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<E> value = StoredEnum.forSnakeName(type, text.get());
        if (value.isEmpty()) {
            throw RpcException.invalidParam(name, params.raw(name), "should be one of " + Stream.of(type.getEnumConstants()).map(StoredEnum::snakeName).collect(Collectors.joining(", ")));
        }
        return value;
    }

    /** " (did you mean x?)" for the closest known name, or nothing when none is close. */
    static String suggestion(String name, List<String> known)
    {
        return ClosestName.of(name, known, 2).map(closest -> " (did you mean " + closest + "?)").orElse("");
    }
}
