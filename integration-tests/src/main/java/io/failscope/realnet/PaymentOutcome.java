package io.failscope.realnet;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * What the sender saw of one payment attempt ({@code waitsendpay}): completed, or failed with the
 * failcode and where (erring index, node and channel), exactly as lightningd reported it.
 */
public record PaymentOutcome(String paymentHash, boolean completed, JsonNode details)
{
    public PaymentOutcome
    {
        requireNonNull(paymentHash, "paymentHash is null");
        requireNonNull(details, "details is null");
    }

    /** The failcode the sender decrypted (or its own node's), empty on success. */
    public OptionalInt failcode()
    {
        return details.has("failcode") ? OptionalInt.of(details.get("failcode").asInt()) : OptionalInt.empty();
    }

    /** Its name as lightningd prints it, such as {@code WIRE_FEE_INSUFFICIENT}; empty on success. */
    public String failcodeName()
    {
        return details.path("failcodename").asText("");
    }

    /** 0 for the sender itself, 1 for the first hop's node, and so on. */
    public int erringIndex()
    {
        return details.path("erring_index").asInt(-1);
    }

    public String erringNode()
    {
        return details.path("erring_node").asText("");
    }

    public String erringChannel()
    {
        return details.path("erring_channel").asText("");
    }

    @Override
    public String toString()
    {
        return completed ? "completed" : failcodeName() + " (0x" + Integer.toHexString(failcode().orElse(0)) + ") at index " + erringIndex();
    }
}
