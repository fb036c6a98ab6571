package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.json.Json;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Lenient reading of what a node sends (hook and notification payloads, RPC answers): a missing or
 * malformed field is simply absent. Nodes add and drop fields between releases; the user's input is
 * read strictly elsewhere ({@code rpc.Params}).
 */
public final class NodeJson
{
    private NodeJson() {}

    public static Optional<ShortChannelId> scid(JsonNode node)
    {
        return parse(node, ShortChannelId::parse);
    }

    public static Optional<NodeId> nodeId(JsonNode node)
    {
        return parse(node, NodeId::fromHex);
    }

    public static Optional<PaymentHash> paymentHash(JsonNode node)
    {
        return parse(node, PaymentHash::fromHex);
    }

    public static OptionalLong number(JsonNode node)
    {
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return OptionalLong.of(node.longValue());
        }
        if (node.isTextual() && node.textValue().matches("\\d{1,18}(msat)?")) {
            return OptionalLong.of(Long.parseLong(node.textValue().replace("msat", "")));
        }
        return OptionalLong.empty();
    }

    /** Core Lightning's times: unix seconds with nine decimals. */
    public static Optional<Instant> time(JsonNode node)
    {
        return node.isNumber() ? Json.instant(node.decimalValue()) : Optional.empty();
    }

    public static <T> Optional<T> parse(JsonNode node, Function<String, T> parser)
    {
        if (!node.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(node.textValue()));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
