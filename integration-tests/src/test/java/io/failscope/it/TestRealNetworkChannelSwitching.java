package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.Channel;
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

import java.util.List;
import java.util.Optional;

import static io.failscope.it.RealNetwork.awaitFailure;
import static io.failscope.it.RealNetwork.failscope;
import static io.failscope.it.RealNetwork.forward;
import static io.failscope.it.RealNetwork.incomingHtlc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * B has two channels to C. lightningd forwards over the one with the most spendable balance, not
 * necessarily the one the onion named ({@code Chose a better channel than X: Y}), and chooses by
 * spendable alone: here it switches to a channel whose HTLC maximum is below the amount, although
 * the onion's own channel could have carried it. failscope's record keeps both channels.
 */
final class TestRealNetworkChannelSwitching
{
    private static final long AMOUNT_MSAT = 6_000_000;
    private static final long NARROW_MAXIMUM_MSAT = 5_000_000;

    @RegisterExtension
    static final LineExtension NETWORK = new LineExtension(Optional.empty(), failscope(), failscope(), List.of());

    private static Line line;
    private static LightningNode a;
    private static LightningNode b;
    private static LightningNode c;
    private static Channel named;
    private static Channel richer;

    @BeforeAll
    static void nodes()
            throws Exception
    {
        line = NETWORK.line();
        a = line.a();
        b = line.b();
        c = line.c();
        named = line.bc();
        richer = line.network().openChannels(List.of(new ChannelSpec(b, c, 2 * Line.BC_CAPACITY_SAT, Line.BC_CAPACITY_SAT * 1000 / 2))).get(0);
        // the richer channel takes only small HTLCs; the onion's channel takes this one
        b.call("setchannel", "id", richer.scid(), "htlcmax", NARROW_MAXIMUM_MSAT, "enforcedelay", 0);
    }

    @Test
    void aSwitchToAChannelTooNarrowKeepsTheOnionsChannelThatCouldHaveCarriedIt()
            throws Exception
    {
        JsonNode namedView = RegtestNetwork.channelView(b, named.scid());
        JsonNode richerView = RegtestNetwork.channelView(b, richer.scid());
        assertThat(richerView.get("spendable_msat").asLong()).isGreaterThan(namedView.get("spendable_msat").asLong());
        assertThat(namedView.get("maximum_htlc_out_msat").asLong()).isGreaterThanOrEqualTo(AMOUNT_MSAT);
        assertThat(namedView.get("spendable_msat").asLong()).isGreaterThan(AMOUNT_MSAT);

        Invoice invoice = Invoice.unknown();
        PaymentOutcome outcome = pay(named, invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x1007);
        assertThat(outcome.erringNode()).isEqualTo(b.id());
        assertThat(outcome.erringChannel()).as("A blames the onion's channel").isEqualTo(named.scid());
        assertThat(b.log()).contains("Chose a better channel than " + named.scid() + ": " + richer.scid());
        JsonNode row = forward(b, incomingHtlc(b, invoice.paymentHash())).orElseThrow();
        assertThat(row.get("out_channel").asText()).as("lightningd names the channel it tried").isEqualTo(richer.scid());

        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertThat(record.get("reason").asText()).isEqualTo("htlc_maximum");
        assertThat(record.get("out_channel").asText()).isEqualTo(richer.scid());
        // the onion's channel could have carried it: failscope looked at it too
        assertThat(record.get("evidence").toString())
                .isEqualTo("{\"htlc_maximum_msat\":" + NARROW_MAXIMUM_MSAT + ",\"requested_channel_could_carry\":1,\"requested_msat\":" + AMOUNT_MSAT + "}");
        assertThat(record.path("requested_out_channel").asText()).as("the onion's channel, kept in %s", record).isEqualTo(named.scid());
        assertThat(record.get("reason_detail").asText()).contains("could have carried");
    }

    @Test
    void withoutASwitchTheRecordNamesOneChannel()
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        PaymentOutcome outcome = pay(richer, invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x1007);
        assertThat(outcome.erringChannel()).isEqualTo(richer.scid());

        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertThat(record.get("reason").asText()).isEqualTo("htlc_maximum");
        assertThat(record.get("out_channel").asText()).isEqualTo(richer.scid());
        assertThat(record.has("requested_out_channel")).as("nothing was switched").isFalse();
        assertThat(record.get("reason_detail").asText()).doesNotContain("could have carried");
    }

    /** Pays C over {@code toC}, the channel the onion names. */
    private static PaymentOutcome pay(Channel toC, Invoice invoice)
            throws Exception
    {
        return Payments.pay(a, line.route(AMOUNT_MSAT, toC), invoice);
    }
}
