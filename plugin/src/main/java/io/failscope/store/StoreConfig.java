package io.failscope.store;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;
import io.failscope.store.postgres.PostgresUrl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where and how the store writes: the embedded SQLite file by default, or a PostgreSQL database that
 * several plugins (a fleet of nodes) share.
 *
 * @param synchronous when a write counts as durable ({@code store.synchronous}; SQLite only, PostgreSQL commits are always synchronous)
 * @param commitDelay how long the writer waits for more records to commit with a small group ({@code store.commit-delay})
 * @param retryBuffer how many records may wait for a store that cannot write to recover ({@code store.retry-buffer})
 * @param url the PostgreSQL database to store in instead of SQLite ({@code store.url})
 * @param passwordFile the file holding the PostgreSQL password ({@code store.password-file}); without it the driver reads PGPASSFILE or ~/.pgpass
 */
public record StoreConfig(Synchronous synchronous, Duration commitDelay, int retryBuffer, Optional<PostgresUrl> url, Optional<Path> passwordFile)
{
    public static final ConfigKey SYNCHRONOUS = new ConfigKey("store.synchronous", "full",
            "When a record counts as stored: full waits until it is on disk and survives a power loss; normal survives a crash of the plugin but may lose the last records of a power loss, for about twice the write rate.");
    public static final ConfigKey COMMIT_DELAY = new ConfigKey("store.commit-delay", "50ms",
            "How long the writer waits for more records before it commits a small group (0 commits each at once); one commit for several records costs a fraction of one each, and a record is acknowledged only when its commit is durable.");
    public static final ConfigKey RETRY_BUFFER = new ConfigKey("store.retry-buffer", "100000",
            "How many records may wait while the store cannot write (disk full, read-only, database unreachable) and be written once it can again; beyond it each record is dropped and counted by cause in failscope-status.");
    public static final ConfigKey URL = new ConfigKey("store.url", null,
            "Store in this PostgreSQL database instead of the SQLite file (postgresql://user@host:5432/database), so that several nodes' plugins share one history; never put the password here.");
    public static final ConfigKey PASSWORD_FILE = new ConfigKey("store.password-file", null,
            "A file whose first line is the PostgreSQL password for store.url (keep it readable by the plugin only); without it the password comes from PGPASSFILE or ~/.pgpass.");
    public static final List<ConfigKey> KEYS = List.of(SYNCHRONOUS, COMMIT_DELAY, RETRY_BUFFER, URL, PASSWORD_FILE);

    private static final Duration MAX_COMMIT_DELAY = Duration.ofSeconds(1);
    /** Records waiting in the buffer live in the heap: a million is far past what a day of a full disk needs. */
    private static final int MAX_RETRY_BUFFER = 1_000_000;
    private static final int DEFAULT_RETRY_BUFFER = 100_000;

    public static final StoreConfig DEFAULT = new StoreConfig(Synchronous.FULL, Duration.ofMillis(50));

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
        requireNonNull(url, "url is null");
        requireNonNull(passwordFile, "passwordFile is null");
        if (passwordFile.isPresent() && url.isEmpty()) {
            throw new IllegalArgumentException("a password file is for store.url, which is not set");
        }
        if (commitDelay.isNegative() || commitDelay.compareTo(MAX_COMMIT_DELAY) > 0) {
            throw new IllegalArgumentException("commitDelay must be between 0 and 1s, got " + commitDelay);
        }
        if (retryBuffer < 0 || retryBuffer > MAX_RETRY_BUFFER) {
            throw new IllegalArgumentException("retryBuffer must be between 0 and " + MAX_RETRY_BUFFER + ", got " + retryBuffer);
        }
    }

    /** SQLite with these settings and the default retry buffer. */
    public StoreConfig(Synchronous synchronous, Duration commitDelay)
    {
        this(synchronous, commitDelay, DEFAULT_RETRY_BUFFER, Optional.empty(), Optional.empty());
    }

    /** The same settings with another commit delay. */
    public StoreConfig withCommitDelay(Duration delay)
    {
        return new StoreConfig(synchronous, delay, retryBuffer, url, passwordFile);
    }

    /** The same settings, storing in the PostgreSQL database {@code url}. */
    public StoreConfig withUrl(PostgresUrl url, Optional<Path> passwordFile)
    {
        return new StoreConfig(synchronous, commitDelay, retryBuffer, Optional.of(url), passwordFile);
    }

    /** Reads the {@code store.*} keys, a relative password file against the working directory; problems are collected in {@code values}. */
    public static StoreConfig read(ConfigValues values)
    {
        return read(values, Path.of(""));
    }

    /** Reads the {@code store.*} keys, a relative password file against {@code relativeTo}; problems are collected in {@code values}. */
    public static StoreConfig read(ConfigValues values, Path relativeTo)
    {
        Duration commitDelay = values.getDuration(COMMIT_DELAY, Duration.ZERO, MAX_COMMIT_DELAY);
        int retryBuffer = (int) values.getLong(RETRY_BUFFER, 0, MAX_RETRY_BUFFER);
        String synchronousName = values.getString(SYNCHRONOUS).strip();
        Synchronous synchronous = null;
        for (Synchronous mode : Synchronous.values()) {
            if (mode.configName().equals(synchronousName)) {
                synchronous = mode;
            }
        }
        if (synchronous == null) {
            values.problem(SYNCHRONOUS.key(), "must be full or normal, got '" + synchronousName + "'");
            synchronous = DEFAULT.synchronous();
        }
        Optional<PostgresUrl> url = Optional.empty();
        String urlText = values.getString(URL);
        if (urlText != null && !urlText.isBlank()) {
            try {
                url = Optional.of(PostgresUrl.parse(urlText));
            }
            catch (IllegalArgumentException e) {
                values.problem(URL.key(), e.getMessage());
            }
        }
        Optional<Path> passwordFile = Optional.empty();
        String passwordFileText = values.getString(PASSWORD_FILE);
        if (passwordFileText != null && !passwordFileText.isBlank()) {
            if (urlText == null || urlText.isBlank()) {
                values.problem(PASSWORD_FILE.key(), "is the password for store.url, which is not set; got '" + passwordFileText + "'");
            }
            else {
                passwordFile = Optional.of(relativeTo.resolve(passwordFileText.strip()));
            }
        }
        return new StoreConfig(synchronous, commitDelay, retryBuffer, url, url.isPresent() ? passwordFile : Optional.empty());
    }
}
