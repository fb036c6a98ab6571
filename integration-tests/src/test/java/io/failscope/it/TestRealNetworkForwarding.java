package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.Channel;
import io.failscope.realnet.Hop;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Payments;
import io.failscope.realnet.Payments.Invoice;
import io.failscope.realnet.RegtestNetwork;
import io.failscope.realnet.RegtestNetwork.ChannelSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static io.failscope.it.RealNetwork.assertSameHtlc;
import static io.failscope.it.RealNetwork.assertSendRecord;
import static io.failscope.it.RealNetwork.awaitFailure;
import static io.failscope.it.RealNetwork.failscope;
import static io.failscope.it.RealNetwork.failures;
import static io.failscope.it.RealNetwork.forward;
import static io.failscope.it.RealNetwork.incomingHtlc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A → B → C on a real regtest network, failscope in A and B. Each local failure a real B can be made
 * to produce, and one downstream failure, is compared field by field with lightningd's own view
 * ({@code listhtlcs}, {@code listforwards}) and with what the sender's {@code waitsendpay} said.
 */
final class TestRealNetworkForwarding
{
    private static final long AMOUNT_MSAT = 1_000_000;

    @RegisterExtension
    static final LineExtension NETWORK = new LineExtension(Optional.empty(), failscope(), failscope(), List.of());

    private static Line line;
    private static LightningNode a;
    private static LightningNode b;
    private static LightningNode c;
    private static volatile Channel bc;

    @BeforeAll
    static void nodes()
    {
        line = NETWORK.line();
        a = line.a();
        b = line.b();
        c = line.c();
        bc = line.bc();
    }

    /** A → B → C over B's current channel to C (the closing scenario replaces it). */
    private static List<Hop> route(long amountMsat)
            throws IOException
    {
        return line.route(amountMsat, bc);
    }

    @Test
    void aSuccessfulPaymentLeavesNoRecord()
            throws Exception
    {
        Invoice invoice = Payments.invoice(c, AMOUNT_MSAT);
        assertThat(Payments.pay(a, route(AMOUNT_MSAT), invoice).completed()).isTrue();
        JsonNode settled = forward(b, incomingHtlc(b, invoice.paymentHash())).orElseThrow();
        assertThat(settled.get("status").asText()).isEqualTo("settled");

        // a failure after it, once recorded, shows that failscope has seen everything before it
        Invoice later = Invoice.unknown();
        Payments.pay(a, route(AMOUNT_MSAT), later);
        awaitFailure(b, later.paymentHash());
        awaitFailure(a, later.paymentHash());
        assertThat(failures(b, "payment_hash=" + invoice.paymentHash())).isEmpty();
        assertThat(failures(a, "payment_hash=" + invoice.paymentHash())).isEmpty();
    }

    @Test
    void aFeeBelowBsFeeIsFeeInsufficientWithBothFees()
            throws Exception
    {
        List<Hop> route = route(AMOUNT_MSAT);
        long requiredFee = route.get(0).amountMsat() - AMOUNT_MSAT;
        JsonNode record = failsAtB(List.of(route.get(0).withAmountMsat(AMOUNT_MSAT + requiredFee - 1), route.get(1)), 0x100C, "forward", "fee_insufficient");
        assertThat(record.get("evidence").toString()).isEqualTo("{\"offered_fee_msat\":" + (requiredFee - 1) + ",\"required_fee_msat\":" + requiredFee + "}");
    }

    @Test
    void aCltvDeltaBelowBsIsIncorrectCltvExpiry()
            throws Exception
    {
        List<Hop> route = route(AMOUNT_MSAT);
        int delta = route.get(0).delay() - route.get(1).delay();
        JsonNode record = failsAtB(List.of(route.get(0).withDelay(route.get(1).delay() + delta - 1), route.get(1)), 0x100D, "forward", "incorrect_cltv_expiry");
        assertThat(record.get("evidence").toString()).isEqualTo("{\"offered_cltv_delta\":" + (delta - 1) + ",\"required_cltv_delta\":" + delta + "}");
    }

    @Test
    void anUnknownNextChannelIsUnknownNextPeer()
            throws Exception
    {
        List<Hop> route = route(AMOUNT_MSAT);
        String nowhere = "999x9x9";
        Invoice invoice = Invoice.unknown();
        PaymentOutcome outcome = Payments.pay(a, List.of(route.get(0), route.get(1).withChannel(nowhere)), invoice);
        assertThat(outcome.failcode()).hasValue(0x400A);
        assertThat(outcome.erringIndex()).isEqualTo(1);
        assertThat(outcome.erringChannel()).isEqualTo(nowhere);
        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertLocal(record, 0x400A, "invalid_forward", "unknown_next_peer");
        assertThat(record.get("out_channel").asText()).isEqualTo(nowhere);
        assertThat(record.has("out_peer_id")).as("no peer has that channel").isFalse();
        assertThat(record.get("evidence").toString()).isEqualTo("{\"channel_known\":0}");
        JsonNode htlc = incomingHtlc(b, invoice.paymentHash());
        assertSameHtlc(record, htlc, forward(b, htlc));
        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);
    }

    @Test
    void moreThanBCanSpendIsChannelBalanceOverdrawn()
            throws Exception
    {
        JsonNode view = RegtestNetwork.channelView(b, bc.scid());
        long spendable = view.get("spendable_msat").asLong();
        long amount = spendable + 10_000_000;
        assertThat(amount).as("within the HTLC range, so only the balance is short").isLessThan(view.get("maximum_htlc_out_msat").asLong());
        JsonNode record = failsAtB(route(amount), 0x1007, "forward", "channel_balance_overdrawn");
        assertThat(record.get("evidence").get("requested_msat").asLong()).isEqualTo(amount);
        assertThat(record.get("evidence").get("spendable_msat").asLong()).isEqualTo(spendable);
    }

    @Test
    void belowTheHtlcMinimumSetByOperatorIsHtlcMinimum()
            throws Exception
    {
        b.call("setchannel", "id", bc.scid(), "htlcmin", 2 * AMOUNT_MSAT, "enforcedelay", 0);
        try {
            JsonNode record = failsAtB(route(AMOUNT_MSAT), 0x1007, "forward", "htlc_minimum");
            assertThat(record.get("evidence").toString()).isEqualTo("{\"htlc_minimum_msat\":" + 2 * AMOUNT_MSAT + ",\"requested_msat\":" + AMOUNT_MSAT + "}");
        }
        finally {
            b.call("setchannel", "id", bc.scid(), "htlcmin", 0, "enforcedelay", 0);
        }
    }

    @Test
    void aboveTheHtlcMaximumSetByOperatorIsHtlcMaximum()
            throws Exception
    {
        long maximum = RegtestNetwork.channelView(b, bc.scid()).get("maximum_htlc_out_msat").asLong();
        b.call("setchannel", "id", bc.scid(), "htlcmax", 5 * AMOUNT_MSAT, "enforcedelay", 0);
        try {
            JsonNode record = failsAtB(route(6 * AMOUNT_MSAT), 0x1007, "forward", "htlc_maximum");
            assertThat(record.get("evidence").toString()).isEqualTo("{\"htlc_maximum_msat\":" + 5 * AMOUNT_MSAT + ",\"requested_msat\":" + 6 * AMOUNT_MSAT + "}");
        }
        finally {
            b.call("setchannel", "id", bc.scid(), "htlcmax", maximum, "enforcedelay", 0);
        }
    }

    @Test
    void cDisconnectedIsPeerOffline()
            throws Exception
    {
        b.call("disconnect", "id", c.id(), "force", true);
        try {
            JsonNode record = failsAtB(route(AMOUNT_MSAT), 0x1007, "forward", "peer_offline");
            assertThat(record.get("evidence").toString()).isEqualTo("{\"peer_connected\":0}");
        }
        finally {
            line.network().connect(b, c);
        }
    }

    @Test
    void theBToCChannelClosingIsOutgoingChannelClosing()
            throws Exception
    {
        Channel closing = bc;
        b.call("close", "id", closing.scid());
        try {
            // lightningd finds the channel but not in CHANNELD_NORMAL: unknown_next_peer, as for no channel at all
            assertThat(RegtestNetwork.channelView(b, closing.scid()).get("state").asText()).isNotEqualTo("CHANNELD_NORMAL");
            JsonNode record = failsAtB(route(AMOUNT_MSAT), 0x400A, "invalid_forward", "outgoing_channel_closing");
            assertThat(record.get("evidence").toString()).isEqualTo("{\"channel_known\":1}");
        }
        finally {
            bc = line.network().openChannels(List.of(new ChannelSpec(b, c, 1_000_000, 500_000_000L))).get(0);
        }
    }

    @Test
    void cRejectingAnUnknownPaymentHashIsADownstreamFailure()
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        List<Hop> route = route(AMOUNT_MSAT);
        PaymentOutcome outcome = Payments.pay(a, route, invoice);
        assertThat(outcome.failcode()).hasValue(0x400F);
        assertThat(outcome.erringIndex()).isEqualTo(2);
        assertThat(outcome.erringNode()).isEqualTo(c.id());

        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertThat(record.get("node_id").asText()).isEqualTo(b.id());
        assertThat(record.get("type").asText()).isEqualTo("forward");
        assertThat(record.get("source").asText()).isEqualTo("downstream");
        assertThat(record.has("failcode")).as("C's reason is encrypted for A").isFalse();
        assertThat(record.has("reason")).isFalse();
        assertThat(record.get("in_peer_id").asText()).isEqualTo(a.id());
        assertThat(record.get("out_peer_id").asText()).isEqualTo(c.id());
        JsonNode htlc = incomingHtlc(b, invoice.paymentHash());
        Optional<JsonNode> row = forward(b, htlc);
        assertThat(row).isPresent();
        assertThat(row.get().get("status").asText()).isEqualTo("failed");
        assertSameHtlc(record, htlc, row);
        assertThat(record.get("out_msat").asLong()).isEqualTo(route.get(1).amountMsat());

        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);
    }

    /**
     * Pays over {@code route} and checks the failure B made: what A saw (B's code, from B, on the
     * onion's channel), B's record against lightningd's rows, A's own record. Returns B's record.
     */
    private static JsonNode failsAtB(List<Hop> route, int failcode, String type, String reason)
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        PaymentOutcome outcome = Payments.pay(a, route, invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(failcode);
        assertThat(outcome.erringIndex()).isEqualTo(1);
        assertThat(outcome.erringNode()).isEqualTo(b.id());
        assertThat(outcome.erringChannel()).isEqualTo(route.get(1).channel());

        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertLocal(record, failcode, type, reason);
        assertThat(record.get("out_channel").asText()).isEqualTo(route.get(1).channel());
        assertThat(record.get("out_peer_id").asText()).isEqualTo(c.id());
        assertThat(record.get("out_msat").asLong()).isEqualTo(route.get(1).amountMsat());
        JsonNode htlc = incomingHtlc(b, invoice.paymentHash());
        Optional<JsonNode> row = forward(b, htlc);
        assertThat(row).as("lightningd's listforwards row").isPresent();
        assertThat(row.get().get("status").asText()).isEqualTo("local_failed");
        assertSameHtlc(record, htlc, row);

        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);
        return record;
    }

    private static void assertLocal(JsonNode record, int failcode, String type, String reason)
    {
        assertThat(record.get("node_id").asText()).isEqualTo(b.id());
        assertThat(record.get("type").asText()).isEqualTo(type);
        assertThat(record.get("source").asText()).isEqualTo("local");
        assertThat(record.get("failcode").asInt()).isEqualTo(failcode);
        assertThat(record.get("reason").asText()).as("reason of %s", record).isEqualTo(reason);
        assertThat(record.get("reason_source").asText()).isEqualTo("inferred");
        assertThat(record.get("in_peer_id").asText()).isEqualTo(a.id());
    }
}
