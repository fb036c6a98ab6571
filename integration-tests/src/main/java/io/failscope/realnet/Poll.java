package io.failscope.realnet;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits for a condition on the real network, asking again every few milliseconds until a deadline:
 * nodes, chains and plugins answer when they are ready, never after a fixed time.
 */
public final class Poll
{
    /** One look at the condition: a value once it holds, empty while it does not yet. */
    @FunctionalInterface
    public interface Probe<T>
    {
        Optional<T> look()
                throws IOException, InterruptedException;
    }

    private Poll() {}

    /** The probe's first value, or an {@link IOException} naming what was awaited once {@code within} has passed. */
    public static <T> T value(String awaited, Duration within, Probe<T> probe)
            throws IOException, InterruptedException
    {
        long deadline = System.nanoTime() + within.toNanos();
        long pause = 5;
        while (true) {
            Optional<T> value = probe.look();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("gave up after " + within.toSeconds() + " s waiting for " + awaited);
            }
            Thread.sleep(pause);
            // quick answers stay quick, slow ones are not asked a hundred times a second
            pause = Math.min(pause * 2, 200);
        }
    }

    /** Waits until {@code condition} holds. */
    public static void until(String awaited, Duration within, Condition condition)
            throws IOException, InterruptedException
    {
        value(awaited, within, () -> condition.holds() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** A yes-or-no look at the network. */
    @FunctionalInterface
    public interface Condition
    {
        boolean holds()
                throws IOException, InterruptedException;
    }
}
