package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.Hop;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Payments;
import io.failscope.realnet.Payments.Invoice;
import io.failscope.sim.PluginProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

import static io.failscope.it.RealNetwork.awaitFailure;
import static io.failscope.it.RealNetwork.failscope;
import static io.failscope.it.RealNetwork.failures;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * failscope in B across {@code lightning-cli plugin stop} / {@code plugin start} and a restart of
 * lightningd: records survive, nothing is recorded twice, rules still act; the query methods take
 * positional and {@code -k} named parameters; failscope's own log lines reach lightningd's log.
 */
final class TestRealNetworkRestarts
{
    private static final long RULE_MSAT = 2_000_000;
    private static final long AMOUNT_MSAT = 1_000_000;

    @RegisterExtension
    static final LineExtension NETWORK = new LineExtension(Optional.of("""
            {"rules": [{"name": "fail-chosen", "match": {"min_msat": %d, "max_msat": %d}, "action": "fail", "code": "permanent_channel_failure"}]}
            """.formatted(RULE_MSAT, RULE_MSAT + 100_000)), List.of(), failscope("failscope-policy-file={policy}"), List.of());

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
    void failscopesStartLineReachesLightningdsLogAtInfo()
            throws Exception
    {
        // as lightningd writes a plugin's info line: "... INFO    plugin-failscope: ..."
        RealNetwork.awaitLogLine(b, "failscope's start line, at INFO", "failscope records HTLC failures in .*");
        assertThat(b.log().lines().filter(line -> line.contains("plugin-failscope: failscope records HTLC failures in ")))
                .allMatch(line -> line.matches(".*\\bINFO\\s+plugin-failscope: .*"));
    }

    @Test
    void pluginStopAndStartKeepTheRecordsAndTheRules()
            throws Exception
    {
        assertRecordsAndRulesSurvive(() -> {
            assertThat(b.cli("plugin", "stop", "failscope").toString()).contains("Successfully stopped failscope");
            assertThat(startPlugin().get("plugins").toString()).contains("\"name\":\"" + PluginProcess.LAUNCHER + "\",\"active\":true");
        });
    }

    @Test
    void pluginStopIsLoggedAsAStopNotAsLightningdShuttingDown()
            throws Exception
    {
        b.cli("plugin", "stop", "failscope");
        try {
            RealNetwork.awaitLogLine(b, "failscope's stop line", ".*stopping.*");
            String stderr = Files.readString(b.directory().resolve("lightningd.out"), StandardCharsets.UTF_8);
            assertThat(b.log() + stderr).as("lightningd is still running").doesNotContain("lightningd is shutting down");
        }
        finally {
            startPlugin();
        }
    }

    @Test
    void aLightningdRestartKeepsTheRecordsAndTheRules()
            throws Exception
    {
        assertRecordsAndRulesSurvive(() -> {
            b.restart();
            line.network().connect(a, b);
            line.network().connect(b, c);
        });
    }

    /** Something that stops failscope and starts it again. */
    @FunctionalInterface
    private interface Restart
    {
        void run()
                throws Exception;
    }

    /** Across {@code restart}: every record is still there, once; new failures are recorded; the rule still acts. */
    private static void assertRecordsAndRulesSurvive(Restart restart)
            throws Exception
    {
        failByFee();
        failByRule();
        JsonNode before = failures(b);

        restart.run();

        assertThat(failures(b)).as("every record, once, as before").isEqualTo(before);
        failByFee();
        failByRule();
        assertThat(failures(b)).hasSize(before.size() + 2);
    }

    /** {@code plugin start} with -k named parameters; option values are not kept across a stop, so the policy file is named again. */
    private static JsonNode startPlugin()
            throws Exception
    {
        return b.cli("-k", "plugin", "subcommand=start", "plugin=" + PluginProcess.LAUNCHER, "failscope-policy-file=" + NETWORK.policyFile());
    }

    @Test
    void listhtlcfailuresTakesPositionalAndNamedParameters()
            throws Exception
    {
        String feeHash = failByFee();
        String ruleHash = failByRule();

        JsonNode positional = b.cli("listhtlcfailures", "policy_failed").get("htlcfailures");
        JsonNode named = b.cli("-k", "listhtlcfailures", "reason=policy_failed").get("htlcfailures");
        assertThat(positional).isEqualTo(named);
        assertThat(positional).extracting(item -> item.get("reason").asText()).containsOnly("policy_failed");
        assertThat(positional).extracting(item -> item.get("payment_hash").asText()).contains(ruleHash).doesNotContain(feeHash);

        // lightning-cli sends null for a position not given: here reason, then failcode
        JsonNode byCode = b.cli("listhtlcfailures", "null", "4108").get("htlcfailures");
        assertThat(byCode).isEqualTo(b.cli("-k", "listhtlcfailures", "failcode=4108").get("htlcfailures"));
        assertThat(byCode).extracting(item -> item.get("payment_hash").asText()).contains(feeHash).doesNotContain(ruleHash);

        JsonNode stats = b.cli("-k", "htlcfailurestats", "group_by=reason");
        assertThat(stats).isEqualTo(b.cli("htlcfailurestats", "reason"));
    }

    /** A payment B fails for its fee; its hash once B has recorded it. */
    private static String failByFee()
            throws Exception
    {
        List<Hop> route = line.route(AMOUNT_MSAT);
        Invoice invoice = Invoice.unknown();
        PaymentOutcome outcome = Payments.pay(a, List.of(route.get(0).withAmountMsat(AMOUNT_MSAT), route.get(1)), invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x100C);
        assertThat(awaitFailure(b, invoice.paymentHash()).get("reason").asText()).isEqualTo("fee_insufficient");
        return invoice.paymentHash();
    }

    /** A payment B's rule fails with the chosen code; its hash once B has recorded it. */
    private static String failByRule()
            throws Exception
    {
        Invoice invoice = Invoice.unknown();
        PaymentOutcome outcome = Payments.pay(a, line.route(RULE_MSAT), invoice);
        assertThat(outcome.failcode()).as("what A saw: %s", outcome).hasValue(0x4008);
        JsonNode record = awaitFailure(b, invoice.paymentHash());
        assertThat(record.get("reason").asText()).isEqualTo("policy_failed");
        assertThat(record.get("rule").asText()).isEqualTo("fail-chosen");
        return invoice.paymentHash();
    }
}
