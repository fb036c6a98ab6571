package io.failscope.node;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** How failscope talks to its node's own RPC. */
public record NodeConfig(Duration rpcTimeout, Duration refreshInterval, Optional<URI> rpcUrl)
{
    public static final ConfigKey RPC_TIMEOUT = new ConfigKey("node.rpc-timeout", "10s", "How long a call to the node's RPC may take before it counts as failed.");
    public static final ConfigKey REFRESH_INTERVAL = new ConfigKey("node.refresh-interval", "60s", "How often the node context (channels, peers, block height) is refreshed in the background.");
    public static final ConfigKey RPC_URL = new ConfigKey("node.rpc-url", null, "jvm dialect: the node's HTTP JSON-RPC address, such as http://127.0.0.1:9735/rpc (Core Lightning uses its rpc-file instead).");
    public static final List<ConfigKey> KEYS = List.of(RPC_TIMEOUT, REFRESH_INTERVAL, RPC_URL);

    public NodeConfig
    {
        requireNonNull(rpcTimeout, "rpcTimeout is null");
        requireNonNull(refreshInterval, "refreshInterval is null");
        requireNonNull(rpcUrl, "rpcUrl is null");
    }

    public static NodeConfig read(ConfigValues values)
    {
        Duration timeout = values.getDuration(RPC_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(10));
        Duration refresh = values.getDuration(REFRESH_INTERVAL, Duration.ofSeconds(1), Duration.ofDays(1));
        String urlText = values.getString(RPC_URL);
        Optional<URI> url = Optional.empty();
        if (urlText != null) {
            try {
                URI uri = URI.create(urlText);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("not http");
                }
                url = Optional.of(uri);
            }
            catch (IllegalArgumentException e) {
                values.problem(RPC_URL.key(), "must be an http:// or https:// URL, got '" + urlText + "'");
            }
        }
        return new NodeConfig(timeout, refresh, url);
    }
}
