package io.failscope.config;

import io.failscope.intercept.HoldConfig;
import io.failscope.metrics.MetricsConfig;
import io.failscope.node.NodeConfig;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import io.failscope.transport.http.HttpConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Everything failscope is configured with, read in one pass so that every problem is reported at
 * once. Keys and defaults live with the feature that reads them; {@link #KEYS} lists them all, for the
 * Core Lightning manifest and {@code config/failscope.conf.example}.
 */
public record FailscopeConfig(Path dataDirectory, StoreConfig store, RetentionConfig retention, HttpConfig http, NodeConfig node, Optional<Path> policyFile, HoldConfig hold, MetricsConfig metrics)
{
    /** Where records are stored; relative to Core Lightning's lightning-dir, or to the config file. */
    public static final ConfigKey DATA_DIR = new ConfigKey("dir", "failscope", "Directory of failscope's database, relative to the lightning-dir (Core Lightning) or to the config file.");

    public static final ConfigKey POLICY_FILE = new ConfigKey("policy.file", null, "JSON file of interception rules (config/policy.example.json shows every field); unset means every HTLC continues.");

    public static final List<ConfigKey> KEYS;

    static {
        List<ConfigKey> keys = new ArrayList<>();
        keys.add(DATA_DIR);
        keys.addAll(HttpConfig.KEYS);
        keys.addAll(StoreConfig.KEYS);
        keys.addAll(RetentionConfig.KEYS);
        keys.addAll(NodeConfig.KEYS);
        keys.add(POLICY_FILE);
        keys.addAll(HoldConfig.KEYS);
        keys.addAll(MetricsConfig.KEYS);
        KEYS = Collections.unmodifiableList(keys);
    }

    public FailscopeConfig
    {
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(store, "store is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(http, "http is null");
        requireNonNull(node, "node is null");
        requireNonNull(policyFile, "policyFile is null");
        requireNonNull(hold, "hold is null");
        requireNonNull(metrics, "metrics is null");
    }

    /**
     * Reads every key. Relative paths resolve against {@code baseDirectory}; {@code displayName} names
     * keys the way the user wrote them in messages.
     */
    public static FailscopeConfig read(Map<String, String> values, Path baseDirectory, Function<String, String> displayName)
            throws ConfigException
    {
        ConfigValues config = new ConfigValues(values, displayName);
        Path dataDirectory = baseDirectory.resolve(config.getString(DATA_DIR));
        StoreConfig store = StoreConfig.read(config, baseDirectory);
        RetentionConfig retention = RetentionConfig.read(config);
        HttpConfig http = HttpConfig.read(config, baseDirectory);
        NodeConfig node = NodeConfig.read(config);
        String policy = config.getString(POLICY_FILE);
        HoldConfig hold = HoldConfig.read(config);
        MetricsConfig metrics = MetricsConfig.read(config);
        config.finish();
        return new FailscopeConfig(dataDirectory, store, retention, http, node, policy == null ? Optional.empty() : Optional.of(baseDirectory.resolve(policy)), hold, metrics);
    }
}
