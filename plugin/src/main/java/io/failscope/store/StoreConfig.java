package io.failscope.store;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * How the store writes. A PostgreSQL backend's address will be read here too.
 *
 * @param synchronous when a write counts as durable ({@code store.synchronous})
 * @param commitDelay how long the writer waits for more records to commit with a small group ({@code store.commit-delay})
 * @param retryBuffer how many records may wait for a store that cannot write to recover ({@code store.retry-buffer})
 */
public record StoreConfig(Synchronous synchronous, Duration commitDelay, int retryBuffer)
{
    public static final ConfigKey SYNCHRONOUS = new ConfigKey("store.synchronous", "full",
            "When a record counts as stored: full waits until it is on disk and survives a power loss; normal survives a crash of the plugin but may lose the last records of a power loss, for about twice the write rate.");
    public static final ConfigKey COMMIT_DELAY = new ConfigKey("store.commit-delay", "50ms",
            "How long the writer waits for more records before it commits a small group (0 commits each at once); one commit for several records costs a fraction of one each, and a record is acknowledged only when its commit is durable.");
    public static final ConfigKey RETRY_BUFFER = new ConfigKey("store.retry-buffer", "100000",
            "How many records may wait while the store cannot write (disk full, read-only, database unreachable) and be written once it can again; beyond it each record is dropped and counted by cause in failscope-status.");
    public static final List<ConfigKey> KEYS = List.of(SYNCHRONOUS, COMMIT_DELAY, RETRY_BUFFER);

    private static final Duration MAX_COMMIT_DELAY = Duration.ofSeconds(1);
    /** Records waiting in the buffer live in the heap: a million is far past what a day of a full disk needs. */
    private static final int MAX_RETRY_BUFFER = 1_000_000;
    private static final int DEFAULT_RETRY_BUFFER = 100_000;

    public static final StoreConfig DEFAULT = new StoreConfig(Synchronous.FULL, Duration.ofMillis(50), DEFAULT_RETRY_BUFFER);

    /** SQLite's {@code synchronous} modes that failscope offers. */
    public enum Synchronous
    {
        /** Every commit is synced to disk before its writes are acknowledged. */
        FULL,
        /** Commits are synced at checkpoints: a process crash loses nothing, a power loss may lose the last commits. */
        NORMAL;

        public String configName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public StoreConfig
    {
        requireNonNull(synchronous, "synchronous is null");
        requireNonNull(commitDelay, "commitDelay is null");
        if (commitDelay.isNegative() || commitDelay.compareTo(MAX_COMMIT_DELAY) > 0) {
            throw new IllegalArgumentException("commitDelay must be between 0 and 1s, got " + commitDelay);
        }
        if (retryBuffer < 0 || retryBuffer > MAX_RETRY_BUFFER) {
            throw new IllegalArgumentException("retryBuffer must be between 0 and " + MAX_RETRY_BUFFER + ", got " + retryBuffer);
        }
    }

    /** These settings with the default retry buffer. */
    public StoreConfig(Synchronous synchronous, Duration commitDelay)
    {
        this(synchronous, commitDelay, DEFAULT_RETRY_BUFFER);
    }

    /** The same settings with another commit delay. */
    public StoreConfig withCommitDelay(Duration delay)
    {
        return new StoreConfig(synchronous, delay, retryBuffer);
    }

    /** Reads the {@code store.*} keys; problems are collected in {@code values}. */
    public static StoreConfig read(ConfigValues values)
    {
        Duration commitDelay = values.getDuration(COMMIT_DELAY, Duration.ZERO, MAX_COMMIT_DELAY);
        int retryBuffer = (int) values.getLong(RETRY_BUFFER, 0, MAX_RETRY_BUFFER);
        String synchronous = values.getString(SYNCHRONOUS).strip();
        for (Synchronous mode : Synchronous.values()) {
            if (mode.configName().equals(synchronous)) {
                return new StoreConfig(mode, commitDelay, retryBuffer);
            }
        }
        values.problem(SYNCHRONOUS.key(), "must be full or normal, got '" + synchronous + "'");
        return new StoreConfig(DEFAULT.synchronous(), commitDelay, retryBuffer);
    }
}
