package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.Hop;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Payments;
import io.failscope.realnet.Payments.Invoice;
import io.failscope.realnet.Poll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.failscope.it.RealNetwork.assertSameHtlc;
import static io.failscope.it.RealNetwork.assertSendRecord;
import static io.failscope.it.RealNetwork.awaitFailure;
import static io.failscope.it.RealNetwork.failscope;
import static io.failscope.it.RealNetwork.forward;
import static io.failscope.it.RealNetwork.incomingHtlc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * failscope's policy acting in B on a real A → B → C: a rule that fails with a chosen code, and a
 * hold rule whose HTLCs the operator fails or resumes, or that are released at their CLTV margin as
 * blocks are mined. HTLCs failed in the hook leave lightningd no {@code listforwards} row, so each
 * record is compared with {@code listhtlcs} and with what the sender saw.
 */
final class TestRealNetworkPolicy
{
    private static final long FAIL_MSAT = 2_000_000;
    private static final long HOLD_MSAT = 3_000_000;

    // rules pick HTLCs by amount: B's fee is a few msat, far inside each range
    @RegisterExtension
    static final LineExtension NETWORK = new LineExtension(Optional.of("""
            {"rules": [
              {"name": "fail-chosen", "match": {"min_msat": %d, "max_msat": %d}, "action": "fail", "code": "permanent_channel_failure"},
              {"name": "hold-for-operator", "match": {"min_msat": %d, "max_msat": %d}, "action": "hold"}
            ]}
            """.formatted(FAIL_MSAT, FAIL_MSAT + 100_000, HOLD_MSAT, HOLD_MSAT + 100_000)),
            failscope(), failscope("failscope-policy-file={policy}", "failscope-hold-timeout=10m"), List.of());

    private static Line line;
    private static LightningNode a;
    private static LightningNode b;
    private static LightningNode c;

    @BeforeAll
    static void nodes()
    {
        line = NETWORK.line();
        a = line.a();
        b = line.b();
        c = line.c();
    }

    @Test
    void aFailRuleFailsWithTheChosenCodeAndRecordsEveryField()
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        List<Hop> route = line.route(FAIL_MSAT);
        PaymentOutcome outcome = Payments.pay(a, route, invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x4008);
        assertThat(outcome.failcodeName()).isEqualTo("WIRE_PERMANENT_CHANNEL_FAILURE");
        assertThat(outcome.erringIndex()).isEqualTo(1);
        assertThat(outcome.erringNode()).isEqualTo(b.id());

        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);
        assertIntercepted(invoice, route, "policy_failed", "fail-chosen", 0x4008);
    }

    @Test
    void aHeldHtlcFailedByTheOperatorFailsWithTheOperatorsCode()
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        List<Hop> route = line.route(HOLD_MSAT);
        Payments.send(a, route, invoice);
        String id = awaitHeld(invoice);
        JsonNode failed = b.cli("-k", "failinterceptedhtlc", "id=" + id, "code=temporary_channel_failure");
        assertThat(failed.toString()).isEqualTo("{\"id\":\"" + id + "\",\"result\":\"failed\",\"code\":\"temporary_channel_failure\"}");

        PaymentOutcome outcome = Payments.outcome(a, invoice, Duration.ofSeconds(60));
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x1007);
        assertThat(outcome.erringIndex()).isEqualTo(1);
        assertThat(outcome.erringNode()).isEqualTo(b.id());
        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);
        assertIntercepted(invoice, route, "operator_failed", "hold-for-operator", 0x1007);
    }

    @Test
    void aHeldHtlcResumedByTheOperatorCompletesThePayment()
            throws Exception
    {
        Invoice invoice = Payments.invoice(c, HOLD_MSAT);
        Payments.send(a, line.route(HOLD_MSAT), invoice);
        String id = awaitHeld(invoice);
        assertThat(b.cli("resumeinterceptedhtlc", id).toString()).isEqualTo("{\"id\":\"" + id + "\",\"result\":\"resumed\"}");

        assertThat(Payments.outcome(a, invoice, Duration.ofSeconds(60)).completed()).isTrue();
        assertThat(forward(b, incomingHtlc(b, invoice.paymentHash())).orElseThrow().get("status").asText()).isEqualTo("settled");
        assertThat(b.cli("listinterceptedhtlcs").get("intercepted")).isEmpty();
        assertThat(RealNetwork.failures(b, "payment_hash=" + invoice.paymentHash())).isEmpty();
    }

    @Test
    void aHeldHtlcIsReleasedAtItsCltvMarginAsBlocksAreMined()
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        List<Hop> route = line.route(HOLD_MSAT);
        Payments.send(a, route, invoice);
        String id = awaitHeld(invoice);
        JsonNode held = b.cli("listinterceptedhtlcs").get("intercepted").get(0);
        assertThat(held.get("id").asText()).isEqualTo(id);
        long blocksLeft = held.get("blocks_left").asLong();
        long releaseAt = held.get("release_at_blocks_left").asLong();
        assertThat(blocksLeft).as("held with room before the margin").isGreaterThan(releaseAt);

        // one block short of the margin it is still held; the block that reaches it releases it
        line.network().mine((int) (blocksLeft - releaseAt - 1));
        assertThat(b.cli("listinterceptedhtlcs").get("intercepted")).hasSize(1);
        line.network().mine(1);

        PaymentOutcome outcome = Payments.outcome(a, invoice, Duration.ofSeconds(60));
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x2002);
        assertThat(outcome.erringNode()).isEqualTo(b.id());
        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);
        assertIntercepted(invoice, route, "hold_deadline", "hold-for-operator", 0x2002);
    }

    /** Waits until B holds the HTLC of this payment; its id in {@code listinterceptedhtlcs}. */
    private static String awaitHeld(Invoice invoice)
            throws IOException, InterruptedException
    {
        return Poll.value("B to hold the HTLC of " + invoice.paymentHash(), Duration.ofSeconds(30), () -> {
            for (JsonNode held : b.cli("listinterceptedhtlcs").get("intercepted")) {
                if (held.get("payment_hash").asText().equals(invoice.paymentHash())) {
                    return Optional.of(held.get("id").asText());
                }
            }
            return Optional.empty();
        });
    }

    /**
     * B's record of an HTLC its hook failed: type intercepted, the rule and code, every peer and
     * channel field (lightningd keeps no listforwards row for it; listhtlcs has the HTLC).
     */
    private static void assertIntercepted(Invoice invoice, List<Hop> route, String reason, String rule, int failcode)
            throws IOException, InterruptedException
    {
        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertThat(record.get("node_id").asText()).isEqualTo(b.id());
        assertThat(record.get("type").asText()).isEqualTo("intercepted");
        assertThat(record.get("source").asText()).isEqualTo("local");
        assertThat(record.get("reason").asText()).isEqualTo(reason);
        assertThat(record.get("reason_source").asText()).as("failscope decided it itself").isEqualTo("node");
        assertThat(record.get("rule").asText()).isEqualTo(rule);
        assertThat(record.get("failcode").asInt()).isEqualTo(failcode);
        JsonNode htlc = incomingHtlc(b, invoice.paymentHash());
        assertThat(forward(b, htlc)).as("lightningd keeps no row for an HTLC a plugin failed").isEmpty();
        assertSameHtlc(record, htlc, Optional.empty());
        assertThat(record.path("in_peer_id").asText()).as("in_peer_id").isEqualTo(a.id());
        assertThat(record.path("out_channel").asText()).as("out_channel").isEqualTo(line.bc().scid());
        assertThat(record.path("out_msat").asLong(-1)).as("out_msat").isEqualTo(route.get(1).amountMsat());
        assertThat(record.path("out_peer_id").asText()).as("out_peer_id (C, the outgoing channel's peer) in %s", record).isEqualTo(c.id());
    }
}
