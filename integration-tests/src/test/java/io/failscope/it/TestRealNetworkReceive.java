package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Payments;
import io.failscope.realnet.Payments.Invoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static io.failscope.it.RealNetwork.assertSameHtlc;
import static io.failscope.it.RealNetwork.assertSendRecord;
import static io.failscope.it.RealNetwork.awaitFailure;
import static io.failscope.it.RealNetwork.failscope;
import static io.failscope.it.RealNetwork.incomingHtlc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Receiving at C with failscope there (the seed feature behind LDK's
 * {@code fail_htlc_backwards_with_reason}): a rule fails payments to C with a code the operator
 * chose; A sees exactly that code from C, and C records the HTLC as intercepted.
 */
final class TestRealNetworkReceive
{
    // each rule picks the payments of one amount
    @RegisterExtension
    static final LineExtension NETWORK = new LineExtension(Optional.of("""
            {"rules": [
              {"name": "refuse-4000", "match": {"min_msat": 4000000, "max_msat": 4000000}, "action": "fail", "code": "temporary_node_failure"},
              {"name": "refuse-5000", "match": {"min_msat": 5000000, "max_msat": 5000000}, "action": "fail", "code": "required_node_feature_missing"},
              {"name": "refuse-6000", "match": {"min_msat": 6000000, "max_msat": 6000000}, "action": "fail", "code": "incorrect_or_unknown_payment_details"},
              {"name": "refuse-7000", "match": {"min_msat": 7000000, "max_msat": 7000000}, "action": "fail", "code": "invalid_onion_payload"}
            ]}
            """), failscope(), List.of(), failscope("failscope-policy-file={policy}"));

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

    @ParameterizedTest(name = "{1}")
    @CsvSource({
            "4000000, refuse-4000, 8194, WIRE_TEMPORARY_NODE_FAILURE",
            "5000000, refuse-5000, 24579, WIRE_REQUIRED_NODE_FEATURE_MISSING",
            "6000000, refuse-6000, 16399, WIRE_INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS",
            "7000000, refuse-7000, 16406, WIRE_INVALID_ONION_PAYLOAD"})
    void aRuleAtCFailsAPaymentToCWithTheChosenCode(long amountMsat, String rule, int failcode, String failcodeName)
            throws Exception
    {
        // a payment C would accept: only the rule stands in its way
        Invoice invoice = Payments.invoice(c, amountMsat);
        PaymentOutcome outcome = Payments.pay(a, line.route(amountMsat), invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(failcode);
        assertThat(outcome.failcodeName()).isEqualTo(failcodeName);
        assertThat(outcome.erringIndex()).isEqualTo(2);
        assertThat(outcome.erringNode()).isEqualTo(c.id());
        assertSendRecord(awaitFailure(a, invoice.paymentHash()), outcome, a);

        JsonNode record = awaitFailure(c, invoice.paymentHash());
        assertThat(record.get("node_id").asText()).isEqualTo(c.id());
        assertThat(record.get("type").asText()).isEqualTo("intercepted");
        assertThat(record.get("source").asText()).isEqualTo("local");
        assertThat(record.get("reason").asText()).isEqualTo("policy_failed");
        assertThat(record.get("rule").asText()).isEqualTo(rule);
        assertThat(record.get("failcode").asInt()).isEqualTo(failcode);
        assertThat(record.get("failcode_name").asText()).isEqualTo(failcodeName);
        assertThat(record.get("in_peer_id").asText()).isEqualTo(b.id());
        assertThat(record.has("out_channel")).as("a payment to C goes nowhere further").isFalse();
        assertSameHtlc(record, incomingHtlc(c, invoice.paymentHash()), Optional.empty());
        assertThat(c.call("listinvoices", "payment_hash", invoice.paymentHash()).get("invoices").get(0).get("status").asText()).isEqualTo("unpaid");
    }
}
