package io.failscope.metrics;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.util.List;

/**
 * What {@code GET /metrics} exposes beyond its fixed, bounded label sets.
 *
 * @param channelLabels how many outgoing channels get their own {@code out_channel} label on
 *        {@code failscope_htlc_failures_total} ({@code metrics.channel-labels}); 0 adds no such label
 */
public record MetricsConfig(int channelLabels)
{
    /** More series than this per failure kind would make Prometheus pay for what a query method answers better. */
    public static final int MAX_CHANNEL_LABELS = 1_000;

    public static final ConfigKey CHANNEL_LABELS = new ConfigKey("metrics.channel-labels", "0",
            "How many outgoing channels get their own out_channel label on failscope_htlc_failures_total (the first ones to fail; others count as \"other\"); 0 adds no channel label, which keeps the series few.");
    public static final List<ConfigKey> KEYS = List.of(CHANNEL_LABELS);

    public static final MetricsConfig DEFAULT = new MetricsConfig(0);

    public MetricsConfig
    {
        if (channelLabels < 0 || channelLabels > MAX_CHANNEL_LABELS) {
            throw new IllegalArgumentException("channelLabels must be between 0 and " + MAX_CHANNEL_LABELS + ", got " + channelLabels);
        }
    }

    /** Reads the {@code metrics.*} keys; problems are collected in {@code values}. */
    public static MetricsConfig read(ConfigValues values)
    {
        return new MetricsConfig((int) values.getLong(CHANNEL_LABELS, 0, MAX_CHANNEL_LABELS));
    }
}
