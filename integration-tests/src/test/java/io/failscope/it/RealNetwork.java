package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.Binaries;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Poll;
import io.failscope.sim.PluginProcess;
import io.failscope.testing.Schemas;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the {@code TestRealNetwork*} classes share: the programs (or the one line that says the suite
 * is skipped), failscope as lightningd loads it, and failscope's records read as an operator reads
 * them ({@code lightning-cli listhtlcfailures}) next to lightningd's own view of the same HTLC.
 */
final class RealNetwork
{
    private static final AtomicBoolean SKIP_SAID = new AtomicBoolean();
    static final Duration RECORD_WAIT = Duration.ofSeconds(30);

    private RealNetwork() {}

    /** The programs named by the environment; skips the calling class (saying how to enable it, once) when they are not. */
    static Binaries binaries()
    {
        Optional<Binaries> binaries = Binaries.fromEnvironment(System.getenv());
        if (binaries.isEmpty() && SKIP_SAID.compareAndSet(false, true)) {
            System.out.println(Binaries.SKIP_LINE);
        }
        Assumptions.assumeTrue(binaries.isPresent(), Binaries.SKIP_LINE);
        return binaries.get();
    }

    /** A → B → C with the suite's programs, each node with its extra lightningd options. */
    static Line line(List<String> aOptions, List<String> bOptions, List<String> cOptions)
            throws IOException, InterruptedException
    {
        return Line.start(binaries(), aOptions, bOptions, cOptions, Line.AB_CAPACITY_SAT, false);
    }

    /** lightningd options that load bin/failscope with the given failscope options ({@code failscope-...=value}). */
    static List<String> failscope(String... options)
    {
        List<String> arguments = new ArrayList<>();
        arguments.add("--plugin=" + PluginProcess.LAUNCHER);
        for (String option : options) {
            arguments.add("--" + option);
        }
        return arguments;
    }

    /**
     * Waits until {@code node}'s log file has a line of failscope's ({@code plugin-failscope: ...})
     * matching {@code pattern}; fails listing the failscope lines it has instead.
     */
    static void awaitLogLine(LightningNode node, String what, String pattern)
            throws IOException, InterruptedException
    {
        try {
            Poll.until(what + " in " + node.name() + "'s log", Duration.ofSeconds(10),
                    () -> node.log().lines().anyMatch(line -> line.matches(".*plugin-failscope: " + pattern)));
        }
        catch (IOException e) {
            throw new AssertionError("no line matching \"plugin-failscope: " + pattern + "\" (" + what + ") in " + node.logFile() + "; failscope's lines there:\n"
                    + String.join("\n", node.log().lines().filter(line -> line.contains("plugin-failscope")).toList()));
        }
    }

    /** {@code lightning-cli -k listhtlcfailures filters...} on {@code node}, checked against its schema; the items. */
    static JsonNode failures(LightningNode node, String... filters)
            throws IOException, InterruptedException
    {
        List<String> arguments = new ArrayList<>(List.of("-k", "listhtlcfailures"));
        arguments.addAll(List.of(filters));
        JsonNode result = node.cli(arguments.toArray(String[]::new));
        Schemas.assertValid("listhtlcfailures.response", result);
        return result.get("htlcfailures");
    }

    /** Waits for {@code node}'s record of the HTLC with this payment hash, and checks it is the only one. */
    static JsonNode awaitFailure(LightningNode node, String paymentHash)
            throws IOException, InterruptedException
    {
        JsonNode records = Poll.value(node.name() + "'s record of payment " + paymentHash, RECORD_WAIT, () -> {
            JsonNode found = failures(node, "payment_hash=" + paymentHash);
            return found.isEmpty() ? Optional.empty() : Optional.of(found);
        });
        assertThat(records).as("%s's records of %s", node.name(), paymentHash).hasSize(1);
        return records.get(0);
    }

    /** lightningd's {@code listhtlcs} row of the incoming HTLC with this payment hash. */
    static JsonNode incomingHtlc(LightningNode node, String paymentHash)
            throws IOException
    {
        for (JsonNode htlc : node.call("listhtlcs").path("htlcs")) {
            if (htlc.path("payment_hash").asText().equals(paymentHash) && htlc.path("direction").asText().equals("in")) {
                return htlc;
            }
        }
        throw new AssertionError(node.name() + " has no incoming HTLC with payment hash " + paymentHash);
    }

    /** lightningd's {@code listforwards} row of that HTLC; empty when lightningd keeps none (a plugin failed it). */
    static Optional<JsonNode> forward(LightningNode node, JsonNode incomingHtlc)
            throws IOException
    {
        for (JsonNode row : node.call("listforwards", "in_channel", incomingHtlc.get("short_channel_id").asText()).path("forwards")) {
            if (row.path("in_htlc_id").asLong() == incomingHtlc.get("id").asLong()) {
                return Optional.of(row);
            }
        }
        return Optional.empty();
    }

    /**
     * The record names the same HTLC as lightningd: incoming channel, HTLC id, amount, expiry and hash
     * from {@code listhtlcs}; and where lightningd kept a {@code listforwards} row, the outgoing
     * channel, amounts, failcode and times from it.
     */
    static void assertSameHtlc(JsonNode record, JsonNode htlc, Optional<JsonNode> forward)
    {
        // every field is compared and every difference reported, not only the first
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(record.path("in_channel").asText()).as("in_channel").isEqualTo(htlc.get("short_channel_id").asText());
        softly.assertThat(record.path("in_htlc_id").asLong(-1)).as("in_htlc_id").isEqualTo(htlc.get("id").asLong());
        softly.assertThat(record.path("in_msat").asLong(-1)).as("in_msat").isEqualTo(htlc.get("amount_msat").asLong());
        softly.assertThat(record.path("cltv_expiry").asLong(-1)).as("cltv_expiry").isEqualTo(htlc.get("expiry").asLong());
        softly.assertThat(record.path("payment_hash").asText()).as("payment_hash").isEqualTo(htlc.get("payment_hash").asText());
        forward.ifPresent(row -> {
            softly.assertThat(record.path("out_channel").asText()).as("out_channel").isEqualTo(row.path("out_channel").asText());
            softly.assertThat(record.path("in_msat").asLong(-1)).as("in_msat against listforwards").isEqualTo(row.get("in_msat").asLong());
            if (row.has("failcode")) {
                softly.assertThat(record.path("failcode").asInt(-1)).as("failcode").isEqualTo(row.get("failcode").asInt());
                softly.assertThat(record.path("failcode_name").asText()).as("failcode_name").isEqualTo(row.get("failreason").asText());
            }
            else {
                softly.assertThat(record.has("failcode")).as("a failcode where lightningd has none").isFalse();
            }
            if (row.has("out_msat")) {
                softly.assertThat(record.path("out_msat").asLong(-1)).as("out_msat").isEqualTo(row.get("out_msat").asLong());
                softly.assertThat(record.path("fee_msat").asLong(-1)).as("fee_msat").isEqualTo(row.get("fee_msat").asLong());
            }
            // lightningd's times have nine decimals: the record keeps the same instant, to the nanosecond
            softly.assertThat(record.path("received_time").decimalValue()).as("received_time").isEqualByComparingTo(row.get("received_time").decimalValue());
            if (row.has("resolved_time")) {
                softly.assertThat(record.path("resolved_time").decimalValue()).as("resolved_time").isEqualByComparingTo(row.get("resolved_time").decimalValue());
            }
        });
        softly.assertAll();
    }

    /** The sender's own {@code send} record says what its {@code waitsendpay} said. */
    static void assertSendRecord(JsonNode record, PaymentOutcome outcome, LightningNode sender)
    {
        assertThat(record.path("type").asText()).as("type").isEqualTo("send");
        assertThat(record.path("node_id").asText()).as("node_id").isEqualTo(sender.id());
        assertThat(record.path("source").asText()).as("source").isEqualTo(outcome.erringIndex() == 0 ? "local" : "downstream");
        assertThat(record.path("failcode").asInt(-1)).as("failcode").isEqualTo(outcome.failcode().orElseThrow());
        assertThat(record.path("failcode_name").asText()).as("failcode_name").isEqualTo(outcome.failcodeName());
        assertThat(record.path("out_channel").asText()).as("out_channel (the erring channel)").isEqualTo(outcome.erringChannel());
        assertThat(record.path("out_peer_id").asText()).as("out_peer_id (the erring node)").isEqualTo(outcome.erringNode());
        assertThat(record.path("out_msat").asLong(-1)).as("out_msat (amount sent)").isEqualTo(outcome.details().get("amount_sent_msat").asLong());
        assertThat(record.path("payment_hash").asText()).as("payment_hash").isEqualTo(outcome.paymentHash());
    }
}
