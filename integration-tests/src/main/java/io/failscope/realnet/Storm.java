package io.failscope.realnet;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * A probing storm through B: many concurrent {@code sendpay}s from A whose fee is below B's, so B's
 * lightningd fails each one locally ({@code fee_insufficient}, 0x100C) — the failure that makes
 * failscope ask lightningd for a fresh view of the outgoing channel. Measures how fast B failed
 * them and the CPU that B's lightningd and (when loaded) failscope used for it.
 */
public final class Storm
{
    /**
     * What one storm cost: HTLCs B failed as asked, any other outcome, the wall time, the CPU seconds
     * of B's lightningd, of A's (the sender's, which bounds the storm's pace) and of failscope, and the
     * records failscope added (both empty when it was not loaded).
     */
    public record Result(int failed, int other, double seconds, double lightningdCpuSeconds, double senderCpuSeconds, Optional<Double> pluginCpuSeconds, OptionalLong records)
    {
        public Result
        {
            requireNonNull(pluginCpuSeconds, "pluginCpuSeconds is null");
            requireNonNull(records, "records is null");
        }

        public double htlcsPerSecond()
        {
            return failed / seconds;
        }

        public double lightningdCpuMillisPerHtlc()
        {
            return lightningdCpuSeconds * 1000 / failed;
        }

        public Optional<Double> pluginCpuMillisPerHtlc()
        {
            return pluginCpuSeconds.map(seconds -> seconds * 1000 / failed);
        }
    }

    /** Each HTLC's amount: well above the dust limit, so no dust rule refuses it before B's fee check. */
    public static final long AMOUNT_MSAT = 5_000_000;

    private final Line line;
    private final int inFlight;

    public Storm(Line line, int inFlight)
    {
        this.line = requireNonNull(line, "line is null");
        if (inFlight < 1) {
            throw new IllegalArgumentException("inFlight must be at least 1, got " + inFlight);
        }
        this.inFlight = inFlight;
    }

    /** Sends {@code htlcs} HTLCs, {@code inFlight} at a time; {@code plugin} is failscope's process, if loaded. */
    public Result run(int htlcs, Optional<ProcessHandle> plugin)
            throws IOException, InterruptedException
    {
        List<Hop> route = line.route(AMOUNT_MSAT);
        // the whole amount goes on to C: B's fee is missing
        List<Hop> feeless = List.of(route.get(0).withAmountMsat(AMOUNT_MSAT), route.get(1));
        AtomicInteger toSend = new AtomicInteger(htlcs);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        long recordsBefore = plugin.isPresent() ? recordCount(line.b()) : 0;
        double lightningdBefore = ProcessCpu.seconds(line.b().pid());
        double senderBefore = ProcessCpu.seconds(line.a().pid());
        Optional<Double> pluginBefore = cpu(plugin);
        long started = System.nanoTime();
        ExecutorService senders = Executors.newFixedThreadPool(inFlight);
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) {
                workers.add(senders.submit(() -> {
                    while (toSend.getAndDecrement() > 0) {
                        PaymentOutcome outcome = Payments.pay(line.a(), feeless, Payments.Invoice.unknown());
                        boolean asked = outcome.failcode().orElse(0) == 0x100C && outcome.erringIndex() == 1;
                        (asked ? failed : other).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<Void> worker : workers) {
                worker.get();
            }
        }
        catch (ExecutionException e) {
            throw new IOException("a sender failed: " + e.getCause().getMessage(), e.getCause());
        }
        finally {
            senders.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        OptionalLong records = OptionalLong.empty();
        if (plugin.isPresent()) {
            // the CPU of writing the storm's records (after it, in group commits) belongs to it too
            awaitRecords(line.b(), recordsBefore + failed.get(), Duration.ofMinutes(2));
            records = OptionalLong.of(recordCount(line.b()) - recordsBefore);
        }
        double lightningd = ProcessCpu.seconds(line.b().pid()) - lightningdBefore;
        double sender = ProcessCpu.seconds(line.a().pid()) - senderBefore;
        Optional<Double> pluginAfter = cpu(plugin);
        Optional<Double> pluginUsed = pluginAfter.flatMap(after -> pluginBefore.map(before -> after - before));
        return new Result(failed.get(), other.get(), seconds, lightningd, sender, pluginUsed, records);
    }

    private static Optional<Double> cpu(Optional<ProcessHandle> process)
            throws IOException
    {
        return process.isEmpty() ? Optional.empty() : Optional.of(ProcessCpu.seconds(process.get().pid()));
    }

    /** Waits until failscope in B holds {@code count} records (its group commit may trail the storm). */
    public static void awaitRecords(LightningNode b, long count, Duration within)
            throws IOException, InterruptedException
    {
        Poll.until("failscope in " + b.name() + " to hold " + count + " records", within,
                () -> recordCount(b) >= count);
    }

    /** How many records failscope in {@code b} holds ({@code htlcfailurestats} total). */
    public static long recordCount(LightningNode b)
            throws IOException
    {
        return b.call("htlcfailurestats").path("total").path("count").asLong();
    }
}
