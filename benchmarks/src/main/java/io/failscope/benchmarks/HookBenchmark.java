package io.failscope.benchmarks;

import io.failscope.store.RetentionConfig;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The htlc_accepted round trip over stdio, as lightningd sees it: hooks sent at a steady rate (open
 * loop: each latency counts from the moment the hook was due, so a slow answer delays none of the
 * later sends), latency to the answer, for failscope with no rules, failscope with 10,000 rules, and a
 * plugin with no logic at all (the floor), in one run. Each answered forward is then reported
 * settled, as lightningd reports it.
 *
 * <pre>java -cp benchmarks/target/failscope-benchmarks.jar io.failscope.benchmarks.HookBenchmark [rate] [seconds]</pre>
 */
public final class HookBenchmark
{
    private HookBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path root = Path.of("").toAbsolutePath();
        Path launcher = root.resolve("bin/failscope");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = root.resolve("benchmarks/target/failscope-benchmarks.jar").toString();

        Path noRules = Files.createTempDirectory("failscope-hooks");
        Path manyRules = Files.createTempDirectory("failscope-hooks");
        Files.writeString(manyRules.resolve("policy.json"), tenThousandRules());

        System.out.printf(Locale.ROOT, "htlc_accepted round trip over stdio, %d hooks/s for %d s after %d s of warm-up (java %s, %d cores)%n",
                rate, seconds, 5, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "| plugin | answered | p50 ms | p99 ms | p99.9 ms | max ms |%n|---|---:|---:|---:|---:|---:|%n");
        // the floor runs with the launcher's JVM flags, so that only the plugin's own work differs
        run("floor: answers continue, no logic", List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-cp", jar, FloorPlugin.class.getName()), noRules, null, rate, seconds, false);
        run("failscope, no rules", List.of(launcher.toString()), noRules, null, rate, seconds, false);
        run("failscope, 10,000 rules", List.of(launcher.toString()), manyRules, "policy.json", rate, seconds, false);
        Path bigAnswers = Files.createTempDirectory("failscope-hooks");
        storeRecords(bigAnswers.resolve("failscope"), 10_000);
        run("failscope, no rules, 10,000-item listhtlcfailures answers written meanwhile", List.of(launcher.toString()), bigAnswers, null, rate, seconds, true);
    }

    /** Fills the store the plugin will open with {@code count} records, so that one listhtlcfailures page holds 10,000 items. */
    private static void storeRecords(Path dataDirectory, int count)
            throws Exception
    {
        SyntheticRecords records = new SyntheticRecords(7);
        try (SqliteFailureStore store = SqliteFailureStore.open(dataDirectory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            CompletableFuture<?> last = null;
            for (int i = 0; i < count; i++) {
                last = store.submit(records.next(i, count));
            }
            last.join();
        }
    }

    /** 9,999 rules that do not match (each names another incoming channel) before one that does: every rule is tried. */
    static String tenThousandRules()
    {
        StringBuilder rules = new StringBuilder("{\"rules\":[\n");
        for (int i = 0; i < 9_999; i++) {
            rules.append("{\"name\":\"rule-").append(i).append("\",\"match\":{\"in_channel\":\"").append(200 + i)
                    .append("x1x0\",\"min_msat\":1000},\"action\":\"fail\",\"code\":\"temporary_channel_failure\"},\n");
        }
        return rules.append("{\"name\":\"rest\",\"action\":\"continue\"}]}\n").toString();
    }

    private static void run(String name, List<String> command, Path lightningDir, String policy, int rate, int seconds, boolean bigAnswers)
            throws Exception
    {
        ProcessBuilder builder = new ProcessBuilder(command).directory(lightningDir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LIGHTNINGD_PLUGIN", "1");
        Process process = builder.start();
        OutputStream in = process.getOutputStream();
        Object writeLock = new Object();
        String options = policy == null ? "{}" : "{\"failscope-policy-file\":\"" + policy + "\"}";
        send(in, writeLock, "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"init\",\"params\":{\"options\":" + options
                + ",\"configuration\":{\"lightning-dir\":\"" + lightningDir + "\",\"rpc-file\":\"lightning-rpc\",\"network\":\"regtest\"}}}");

        int warmup = 5 * rate;
        int total = warmup + seconds * rate;
        long[] due = new long[total];
        long[] latency = new long[total];
        ConcurrentHashMap<String, Integer> pending = new ConcurrentHashMap<>();
        CountDownLatch answered = new CountDownLatch(total);
        CountDownLatch initialized = new CountDownLatch(1);
        Semaphore bigAnswer = new Semaphore(0);
        ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stdin-events");
            thread.setDaemon(true);
            return thread;
        });
        AtomicLong bigAnswersAnswered = new AtomicLong();
        Thread reader = new Thread(() -> {
            // frames are found in the raw bytes as they arrive and only their id is read, so that a large
            // answer costs this reader no parsing: a hook's latency is the plugin's, not the reader's
            try {
                FrameIds frames = new FrameIds(process.getInputStream());
                String id;
                while ((id = frames.next()) != null) {
                    long now = System.nanoTime();
                    if (id.equals("init")) {
                        initialized.countDown();
                        continue;
                    }
                    if (id.startsWith("cli:listhtlcfailures")) {
                        bigAnswersAnswered.incrementAndGet();
                        bigAnswer.release();
                        continue;
                    }
                    Integer index = pending.remove(id);
                    if (index != null) {
                        latency[index] = now - due[index];
                        answered.countDown();
                        // as lightningd does once the forward settles; written by another thread, as lightningd's
                        // event loop never stops reading a plugin's stdout to write to its stdin
                        String settled = "{\"jsonrpc\":\"2.0\",\"method\":\"forward_event\",\"params\":{\"forward_event\":{\"in_channel\":\"101x1x0\",\"in_htlc_id\":"
                                + index + ",\"out_channel\":\"103x1x0\",\"in_msat\":1001001,\"out_msat\":1000000,\"fee_msat\":1001,\"status\":\"settled\",\"style\":\"tlv\","
                                + "\"received_time\":1755675000.0,\"resolved_time\":1755675001.0}}}";
                        events.execute(() -> {
                            try {
                                send(in, writeLock, settled);
                            }
                            catch (Exception e) {
                                // the process ended
                            }
                        });
                    }
                }
            }
            catch (Exception e) {
                // the process ended
            }
        }, "hook-reader");
        reader.setDaemon(true);
        reader.start();
        if (!initialized.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": no answer to init");
        }

        AtomicBoolean measuring = new AtomicBoolean(true);
        Thread asker = new Thread(() -> {
            // one large answer after another, as an operator's script paging through the store would ask
            try {
                for (long i = 0; measuring.get(); i++) {
                    send(in, writeLock, "{\"jsonrpc\":\"2.0\",\"id\":\"cli:listhtlcfailures#" + i + "\",\"method\":\"listhtlcfailures\",\"params\":{\"limit\":10000}}");
                    bigAnswer.acquire();
                }
            }
            catch (Exception e) {
                // the run ended
            }
        }, "big-answers");
        asker.setDaemon(true);
        if (bigAnswers) {
            asker.start();
        }

        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 100_000_000L;
        for (int i = 0; i < total; i++) {
            due[i] = start + i * interval;
            long wait;
            while ((wait = due[i] - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(wait, 200_000));
            }
            String id = "cln:htlc_accepted#" + i;
            pending.put(id, i);
            send(in, writeLock, hook(id, i));
        }
        boolean all = answered.await(60, TimeUnit.SECONDS);
        measuring.set(false);
        in.close();
        process.waitFor(10, TimeUnit.SECONDS);
        process.destroyForcibly();
        events.shutdownNow();

        long[] measured = Arrays.copyOfRange(latency, warmup, total);
        long missing = Arrays.stream(measured).filter(value -> value == 0).count();
        Arrays.sort(measured);
        String answeredNote = all ? "" : " (some never answered)";
        if (bigAnswers) {
            answeredNote += ", with " + bigAnswersAnswered.get() + " answers of 10,000 items written meanwhile";
        }
        System.out.printf(Locale.ROOT, "| %s | %d of %d%s | %.3f | %.3f | %.3f | %.3f |%n", name, measured.length - missing, measured.length, answeredNote,
                percentile(measured, 50), percentile(measured, 99), percentile(measured, 99.9), measured[measured.length - 1] / 1e6);
    }

    private static String hook(String id, int htlcId)
    {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"htlc_accepted\",\"params\":{"
                + "\"peer_id\":\"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8\","
                + "\"onion\":{\"payload\":\"1302030f4240040201a906080000670000010000\",\"type\":\"tlv\",\"short_channel_id\":\"103x1x0\",\"forward_msat\":1000000,"
                + "\"outgoing_cltv_value\":425,\"next_onion\":\"" + ONION + "\",\"shared_secret\":\"a31fe9656fc8d3a459e623dc8204e6d0268f8df56d734dac3ca3262edb5db883\"},"
                + "\"forward_to\":\"68d7f4830354c996ef86ecd6693826015b0847d925fe99d03d23c0f5e41bfdff\","
                + "\"htlc\":{\"short_channel_id\":\"101x1x0\",\"id\":" + htlcId + ",\"amount_msat\":1001001,\"cltv_expiry\":431,\"cltv_expiry_relative\":19,"
                + "\"payment_hash\":\"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee\"}}}";
    }

    /** A next_onion of the real size: 1,366 bytes, 2,732 hex digits. */
    private static final String ONION = "00" + "ab".repeat(1365);

    private static void send(OutputStream in, Object lock, String message)
            throws Exception
    {
        byte[] bytes = (message + "\n\n").getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            in.write(bytes);
            in.flush();
        }
    }

    /**
     * The ids of the messages the plugin writes, each as soon as its last byte is read: every message is
     * one compact JSON object ended by a blank line, starting {@code {"jsonrpc":"2.0","id":"..."} when
     * it has an id (the plugin writes the members in that order).
     */
    private static final class FrameIds
    {
        private static final byte[] PREFIX = "{\"jsonrpc\":\"2.0\",\"id\":\"".getBytes(StandardCharsets.US_ASCII);

        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private final byte[] head = new byte[160];
        private int headLength;
        private int position;
        private int limit;
        private int previous = -1;

        FrameIds(InputStream in)
        {
            this.in = in;
        }

        /** The next message's id ("" when it has none), or null at the end of the output. */
        String next()
                throws IOException
        {
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        return null;
                    }
                }
                int b = buffer[position++];
                if (b == '\n' && previous == '\n') {
                    previous = -1;
                    String id = id();
                    headLength = 0;
                    if (id != null) {
                        return id;
                    }
                    continue;
                }
                previous = b;
                if (headLength < head.length && (headLength > 0 || b == '{')) {
                    head[headLength++] = (byte) b;
                }
            }
        }

        private String id()
        {
            if (headLength == 0) {
                return null;
            }
            if (headLength < PREFIX.length || !Arrays.equals(head, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
                return "";
            }
            int end = PREFIX.length;
            while (end < headLength && head[end] != '"') {
                end++;
            }
            return new String(head, PREFIX.length, end - PREFIX.length, StandardCharsets.US_ASCII);
        }
    }

    private static double percentile(long[] sorted, double percent)
    {
        int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
    }
}
