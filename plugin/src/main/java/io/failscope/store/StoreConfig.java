package io.failscope.store;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * How the store writes. A PostgreSQL backend's address will be read here too.
 *
 * @param synchronous when a write counts as durable ({@code store.synchronous})
 */
public record StoreConfig(Synchronous synchronous)
{
    public static final ConfigKey SYNCHRONOUS = new ConfigKey("store.synchronous", "full",
            "When a record counts as stored: full waits until it is on disk and survives a power loss; normal survives a crash of the plugin but may lose the last records of a power loss, for about twice the write rate.");
    public static final List<ConfigKey> KEYS = List.of(SYNCHRONOUS);

    public static final StoreConfig DEFAULT = new StoreConfig(Synchronous.FULL);

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
    }

    /** Reads the {@code store.*} keys; problems are collected in {@code values}. */
    public static StoreConfig read(ConfigValues values)
    {
        String synchronous = values.getString(SYNCHRONOUS).strip();
        for (Synchronous mode : Synchronous.values()) {
            if (mode.configName().equals(synchronous)) {
                return new StoreConfig(mode);
            }
        }
        values.problem(SYNCHRONOUS.key(), "must be full or normal, got '" + synchronous + "'");
        return DEFAULT;
    }
}
