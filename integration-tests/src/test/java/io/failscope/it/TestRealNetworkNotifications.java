package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.realnet.Bitcoind;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Payments;
import io.failscope.realnet.Payments.Invoice;
import io.failscope.realnet.Poll;
import io.failscope.testing.Schemas;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.failscope.it.RealNetwork.awaitFailure;
import static io.failscope.it.RealNetwork.failscope;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * failscope's custom notification on a real A → B → C: B runs failscope and a tiny subscriber plugin
 * (test resources, realnet/HtlcFailureSubscriber.java) that subscribes to {@code htlc_failure_recorded};
 * for each failure B records, the subscriber gets exactly the record {@code listhtlcfailures} shows,
 * once, from origin failscope.
 */
final class TestRealNetworkNotifications
{
    private static final long FAIL_MSAT = 2_000_000;
    private static final Path SUBSCRIBER = subscriberLauncher();

    @RegisterExtension
    static final LineExtension NETWORK = new LineExtension(Optional.of("""
            {"rules": [{"name": "fail-chosen", "match": {"min_msat": %d, "max_msat": %d}, "action": "fail", "code": "temporary_channel_failure"}]}
            """.formatted(FAIL_MSAT, FAIL_MSAT + 100_000)),
            failscope(), withSubscriber(failscope("failscope-policy-file={policy}")), List.of());

    private static Line line;
    private static LightningNode a;
    private static LightningNode b;

    @BeforeAll
    static void nodes()
    {
        line = NETWORK.line();
        a = line.a();
        b = line.b();
    }

    private static List<String> withSubscriber(List<String> options)
    {
        List<String> all = new ArrayList<>(options);
        all.add("--plugin=" + SUBSCRIBER);
        return all;
    }

    /** A launcher for the subscriber's source with this JVM's java: lightningd starts plugins without a shell's PATH lookup for arguments. */
    private static Path subscriberLauncher()
    {
        try {
            Path source = Path.of(TestRealNetworkNotifications.class.getResource("/realnet/HtlcFailureSubscriber.java").toURI());
            Path directory = Files.createTempDirectory("failscope-subscriber-");
            Path launcher = directory.resolve("htlc-failure-subscriber");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' '" + source + "' \"$@\"\n");
            Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
            directory.toFile().deleteOnExit();
            launcher.toFile().deleteOnExit();
            return launcher;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSubscribedPluginGetsEachRecordExactlyAsListhtlcfailuresShowsIt()
            throws Exception
    {
        // one failure failscope's rule makes in B's hook, one a later hop (C: unknown payment hash) makes
        Invoice byRule = Invoice.unknown();
        PaymentOutcome ruled = Payments.pay(a, line.route(FAIL_MSAT), byRule);
        assertThat(ruled.failcode()).as("what A saw: %s", ruled).hasValue(0x1007);
        Invoice downstream = Invoice.unknown();
        PaymentOutcome failedAtC = Payments.pay(a, line.route(1_000_000), downstream);
        assertThat(failedAtC.erringNode()).isEqualTo(line.c().id());

        for (Invoice invoice : List.of(byRule, downstream)) {
            JsonNode record = awaitFailure(b, invoice.paymentHash());
            List<JsonNode> heard = Poll.value("the subscriber to hear of " + invoice.paymentHash(), Duration.ofSeconds(30), () -> {
                List<JsonNode> found = heard(invoice.paymentHash());
                return found.isEmpty() ? Optional.empty() : Optional.of(found);
            });
            assertThat(heard).as("notifications of %s", invoice.paymentHash()).hasSize(1);
            JsonNode message = heard.get(0);
            assertThat(message.get("origin").asText()).as("lightningd names the sender (cln-plugin-protocol.md 1.9)").isEqualTo("failscope");
            Schemas.assertValid("htlc_failure_recorded.request", message.get("params"));
            ObjectNode listed = record.deepCopy();
            listed.remove("updated_index");
            assertThat(message.get("params").get("htlc_failure_recorded")).isEqualTo(listed);
        }
        assertThat(b.log()).doesNotContain("htlc_failure_recorded not declared", "Unknown notification");
    }

    /** What the subscriber wrote about this payment hash. */
    private static List<JsonNode> heard(String paymentHash)
            throws IOException
    {
        Path file = b.networkDirectory().resolve("htlc_failure_recorded.jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<JsonNode> found = new ArrayList<>();
        for (String text : Files.readAllLines(file)) {
            JsonNode message = Bitcoind.MAPPER.readTree(text);
            if (message.path("params").path("htlc_failure_recorded").path("payment_hash").asText().equals(paymentHash)) {
                found.add(message);
            }
        }
        return found;
    }
}
