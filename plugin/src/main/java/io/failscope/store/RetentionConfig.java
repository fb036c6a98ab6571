package io.failscope.store;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * How long failure records are kept. Pruned rows leave daily rollups behind, so statistics over
 * pruned periods stay right. Both limits are off by default: failscope never deletes history the
 * operator did not ask it to delete.
 *
 * @param maxAge records received longer ago than this are pruned ({@code retention.max-age}; 0 = keep forever)
 * @param maxRows at most this many records are kept, the oldest pruned first ({@code retention.max-rows}; 0 = no cap)
 * @param interval how often the limits are enforced ({@code retention.interval})
 * @param batchSize rows deleted per transaction, so pruning never holds the writer for long ({@code retention.batch-size})
 */
public record RetentionConfig(Duration maxAge, long maxRows, Duration interval, int batchSize)
{
    public static final ConfigKey MAX_AGE = new ConfigKey("retention.max-age", "0", "Prune HTLC failure records received longer ago than this (30s, 10m, 12h, 90d, 2w); 0 keeps them forever.");
    public static final ConfigKey MAX_ROWS = new ConfigKey("retention.max-rows", "0", "Keep at most this many HTLC failure records, pruning the oldest first; 0 means no cap.");
    public static final ConfigKey INTERVAL = new ConfigKey("retention.interval", "10m", "How often the retention limits are enforced.");
    public static final ConfigKey BATCH_SIZE = new ConfigKey("retention.batch-size", "10000", "Rows pruned per transaction, so pruning never holds the writer for long.");
    public static final List<ConfigKey> KEYS = List.of(MAX_AGE, MAX_ROWS, INTERVAL, BATCH_SIZE);

    public static final RetentionConfig DEFAULT = new RetentionConfig(Duration.ZERO, 0, Duration.ofMinutes(10), 10_000);

    public RetentionConfig
    {
        requireNonNull(maxAge, "maxAge is null");
        requireNonNull(interval, "interval is null");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("retention.max-age must not be negative: " + maxAge);
        }
        if (maxRows < 0) {
            throw new IllegalArgumentException("retention.max-rows must not be negative: " + maxRows);
        }
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("retention.interval must be at least 1s: " + interval);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("retention.batch-size must be positive: " + batchSize);
        }
    }

    public boolean enabled()
    {
        return !maxAge.isZero() || maxRows > 0;
    }

    /** Reads the {@code retention.*} keys; problems are collected in {@code values}. */
    public static RetentionConfig read(ConfigValues values)
    {
        return new RetentionConfig(
                values.getDuration(MAX_AGE, Duration.ZERO, Duration.ofDays(36_500)),
                values.getLong(MAX_ROWS, 0, Long.MAX_VALUE),
                values.getDuration(INTERVAL, Duration.ofSeconds(1), Duration.ofDays(7)),
                (int) values.getLong(BATCH_SIZE, 1, 1_000_000));
    }
}
