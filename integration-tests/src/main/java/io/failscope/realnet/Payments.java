package io.failscope.realnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Payments over explicit routes ({@code sendpay} and {@code waitsendpay}): each failure lands exactly
 * where the route says, with no gossip to wait for. Routes are built from the forwarding nodes' own
 * view of their channels, so a test changes one number (a fee, a delay, a channel) to provoke one
 * failure.
 */
public final class Payments
{
    /** One step of a path: {@code from} sends to {@code to} over {@code scid}. */
    public record Leg(LightningNode from, LightningNode to, String scid)
    {
        public Leg
        {
            requireNonNull(from, "from is null");
            requireNonNull(to, "to is null");
            requireNonNull(scid, "scid is null");
        }
    }

    /** What a payee gave out: the hash to pay and the secret the last hop must carry. */
    public record Invoice(String paymentHash, String paymentSecret)
    {
        public Invoice
        {
            requireNonNull(paymentHash, "paymentHash is null");
            requireNonNull(paymentSecret, "paymentSecret is null");
        }

        /** A payment nobody can claim: the payee fails it with {@code incorrect_or_unknown_payment_details}. */
        public static Invoice unknown()
        {
            return new Invoice(randomHex(32), randomHex(32));
        }
    }

    /** The final hop's CLTV delay: above {@code cltv-final} (18 on regtest) with room for a block the sender has not seen. */
    public static final int FINAL_DELAY = 24;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Payments() {}

    /**
     * The route that delivers {@code amountMsat} with {@link #FINAL_DELAY} over {@code legs}: each
     * forwarding node is paid the fee and CLTV delta it charges on its outgoing channel.
     */
    public static List<Hop> route(long amountMsat, List<Leg> legs)
            throws IOException
    {
        List<Hop> hops = new ArrayList<>();
        long amount = amountMsat;
        int delay = FINAL_DELAY;
        for (int i = legs.size() - 1; i >= 0; i--) {
            Leg leg = legs.get(i);
            hops.add(new Hop(leg.to().id(), leg.scid(), amount, delay));
            if (i > 0) {
                JsonNode outgoing = RegtestNetwork.channelView(leg.from(), leg.scid());
                amount += fee(outgoing, amount);
                delay += outgoing.path("updates").path("local").path("cltv_expiry_delta").asInt();
            }
        }
        Collections.reverse(hops);
        return hops;
    }

    /** The fee a node charges to forward {@code amountMsat} over its channel, from its {@code listpeerchannels} entry. */
    public static long fee(JsonNode channel, long amountMsat)
    {
        return channel.path("fee_base_msat").asLong() + amountMsat * channel.path("fee_proportional_millionths").asLong() / 1_000_000;
    }

    public static Invoice invoice(LightningNode payee, long amountMsat)
            throws IOException
    {
        JsonNode invoice = payee.call("invoice", "amount_msat", amountMsat, "label", "realnet-" + randomHex(8), "description", "failscope real network");
        return new Invoice(invoice.get("payment_hash").asText(), invoice.get("payment_secret").asText());
    }

    /** Sends without waiting for the outcome ({@link #outcome} later). */
    public static void send(LightningNode sender, List<Hop> route, Invoice invoice)
            throws IOException
    {
        ArrayNode hops = Bitcoind.MAPPER.createArrayNode();
        route.forEach(hop -> hops.add(hop.json()));
        ObjectNode params = Bitcoind.MAPPER.createObjectNode();
        params.set("route", hops);
        params.put("payment_hash", invoice.paymentHash());
        params.put("payment_secret", invoice.paymentSecret());
        params.put("amount_msat", route.get(route.size() - 1).amountMsat());
        sender.rpc().call("sendpay", params);
    }

    /** Waits for the outcome of a payment sent before. */
    public static PaymentOutcome outcome(LightningNode sender, Invoice invoice, Duration within)
            throws IOException
    {
        try {
            JsonNode done = sender.call("waitsendpay", "payment_hash", invoice.paymentHash(), "timeout", within.toSeconds());
            return new PaymentOutcome(invoice.paymentHash(), true, done);
        }
        catch (LightningRpcException e) {
            if (!e.data().has("failcode") && !e.data().has("erring_index")) {
                throw e;
            }
            return new PaymentOutcome(invoice.paymentHash(), false, e.data());
        }
    }

    /** Sends and waits for the outcome. */
    public static PaymentOutcome pay(LightningNode sender, List<Hop> route, Invoice invoice)
            throws IOException
    {
        try {
            send(sender, route, invoice);
        }
        catch (LightningRpcException e) {
            // the sender's own node refused it at once: that is an outcome too (erring index 0)
            if (e.data().has("failcode")) {
                return new PaymentOutcome(invoice.paymentHash(), false, e.data());
            }
            throw e;
        }
        return outcome(sender, invoice, Duration.ofSeconds(60));
    }

    static String randomHex(int bytes)
    {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
