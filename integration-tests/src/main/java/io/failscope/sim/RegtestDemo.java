package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.realnet.Binaries;
import io.failscope.realnet.Hop;
import io.failscope.realnet.LightningNode;
import io.failscope.realnet.Line;
import io.failscope.realnet.PaymentOutcome;
import io.failscope.realnet.Payments;
import io.failscope.realnet.Payments.Invoice;
import io.failscope.realnet.Poll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/failscope demo --regtest}: the demo's story on real nodes. A throwaway regtest network
 * (bitcoind, lightningd A → B → C, failscope in B with a policy that refuses one kind of HTLC), a
 * handful of payments that fail for different reasons and one that succeeds, a table row for each
 * (what A saw, what failscope in B recorded), then the network stays up for the printed
 * {@code lightning-cli} lines until Ctrl-C tears it down.
 */
final class RegtestDemo
{
    private static final long AMOUNT_MSAT = 1_000_000;
    private static final long REFUSED_MSAT = 5_000_000;
    private static final String POLICY = """
            {"rules": [{"name": "refuse-5000-sat-htlcs", "match": {"min_msat": %d, "max_msat": %d}, "action": "fail", "code": "temporary_channel_failure"}]}
            """.formatted(REFUSED_MSAT, REFUSED_MSAT + 100_000);

    /** One payment of the story: what it is meant to show and the route that makes it happen. */
    private record Attempt(String what, List<Hop> route, Invoice invoice) {}

    private RegtestDemo() {}

    static int run(Path launcher)
            throws IOException, InterruptedException
    {
        Binaries.Lookup lookup = Binaries.fromEnvironmentOrPath(System.getenv());
        if (lookup.binaries().isEmpty()) {
            System.err.println("failscope demo --regtest needs lightningd, lightning-cli, bitcoind and bitcoin-cli on PATH or named by LIGHTNINGD, LIGHTNING_CLI, BITCOIND and BITCOIN_CLI; not found: "
                    + String.join(", ", lookup.missing()));
            return 1;
        }
        Path policy = Files.createTempFile("failscope-demo-policy-", ".json");
        Files.writeString(policy, POLICY);
        System.out.println("starting a throwaway regtest network: bitcoind, lightningd A → B → C, failscope in B ...");
        long started = System.nanoTime();
        Line line = Line.start(lookup.binaries().get(), List.of(),
                List.of("--plugin=" + launcher, "--failscope-policy-file=" + policy), List.of(), Line.AB_CAPACITY_SAT, false);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println();
            System.out.println("stopping the regtest network and removing " + line.network().root());
            try {
                line.close();
                Files.deleteIfExists(policy);
            }
            catch (InterruptedException | IOException | RuntimeException e) {
                System.err.println("failscope demo: " + e.getMessage());
            }
            stopped.countDown();
        }));
        System.out.printf(Locale.ROOT, "up in %.0f s: channels %s (A-B) and %s (B-C), nodes in %s%n%n",
                (System.nanoTime() - started) / 1e9, line.ab().scid(), line.bc().scid(), line.network().root());
        story(line);
        printTryLines(line);
        stopped.await();
        return 0;
    }

    private static void story(Line line)
            throws IOException, InterruptedException
    {
        List<Hop> plain = line.route(AMOUNT_MSAT);
        int delta = plain.get(0).delay() - plain.get(1).delay();
        long overdrawn = line.network().node("b").call("listpeerchannels", "short_channel_id", line.bc().scid())
                .path("channels").get(0).get("spendable_msat").asLong() + 10_000_000;
        List<Attempt> attempts = List.of(
                new Attempt("pays C", plain, Payments.invoice(line.c(), AMOUNT_MSAT)),
                new Attempt("no fee for B", List.of(plain.get(0).withAmountMsat(AMOUNT_MSAT), plain.get(1)), Invoice.unknown()),
                new Attempt("CLTV delta below B's", List.of(plain.get(0).withDelay(plain.get(1).delay() + delta - 1), plain.get(1)), Invoice.unknown()),
                new Attempt("a channel B lacks", List.of(plain.get(0), plain.get(1).withChannel("999x9x9")), Invoice.unknown()),
                new Attempt("more than B can spend", line.route(overdrawn), Invoice.unknown()),
                new Attempt("5,000 sat (B's policy)", line.route(REFUSED_MSAT), Invoice.unknown()),
                new Attempt("unknown to C", plain, Invoice.unknown()));
        String format = "%-24s %-50s %s%n";
        System.out.printf(Locale.ROOT, format, "payment A → B → C", "what A saw (waitsendpay)", "what failscope in B recorded (listhtlcfailures)");
        for (Attempt attempt : attempts) {
            PaymentOutcome outcome = Payments.pay(line.a(), attempt.route(), attempt.invoice());
            String erring = outcome.erringIndex() == 2 ? "C" : "B";
            String seen = outcome.completed() ? "completed" : outcome.failcodeName() + " from " + erring;
            System.out.printf(Locale.ROOT, format, attempt.what(), seen, recorded(line.b(), outcome));
        }
        System.out.println();
    }

    /** B's record of the payment, in a few words; for a success, that there is none. */
    private static String recorded(LightningNode b, PaymentOutcome outcome)
            throws IOException, InterruptedException
    {
        if (outcome.completed()) {
            return "nothing: it did not fail";
        }
        JsonNode record = Poll.value("failscope's record of " + outcome.paymentHash(), Duration.ofSeconds(30), () -> {
            JsonNode found = b.call("listhtlcfailures", "payment_hash", outcome.paymentHash()).path("htlcfailures");
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
        if (!record.has("reason")) {
            return record.get("source").asText() + ": " + record.get("reason_detail").asText();
        }
        return record.get("reason").asText() + " (" + record.get("reason_source").asText()
                + (record.has("rule") ? ", rule " + record.get("rule").asText() : "") + "): " + record.get("reason_detail").asText();
    }

    private static void printTryLines(Line line)
    {
        String cli = String.join(" ", line.b().cliCommand());
        System.out.println("failscope is running in B. Try:");
        System.out.println();
        System.out.println(cli + " listhtlcfailures");
        System.out.println(cli + " -k listhtlcfailures reason=fee_insufficient");
        System.out.println(cli + " -k listhtlcfailures type=intercepted");
        System.out.println(cli + " -k htlcfailurestats group_by=reason");
        System.out.println(cli + " listpolicy");
        System.out.println(cli + " listforwards    # lightningd's own view, for comparison");
        System.out.println();
        System.out.println("Ctrl-C stops the network and removes it.");
    }
}
