package io.failscope.store;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Whether the store writes, and what became of the records it could not write at once.
 *
 * @param cause why the store cannot write now; empty while it writes
 * @param written records made durable since start (replays included)
 * @param waiting records waiting in the retry buffer for the store to write again
 * @param capacity how many records may wait ({@code store.retry-buffer})
 * @param dropped records dropped since start, by cause
 */
public record StoreHealth(Optional<StoreException.Fault> cause, long written, int waiting, int capacity, Map<StoreException.Fault, Long> dropped)
{
    public StoreHealth
    {
        requireNonNull(cause, "cause is null");
        dropped = Map.copyOf(requireNonNull(dropped, "dropped is null"));
    }

    /** {@code ok} while the store writes, {@code degraded} while it cannot. */
    public String health()
    {
        return cause.isEmpty() ? "ok" : "degraded";
    }
}
