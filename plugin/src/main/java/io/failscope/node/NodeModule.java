package io.failscope.node;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import java.time.Clock;

import static java.util.Objects.requireNonNull;

/** The node's RPC client (chosen by the dialect) and the node context cache built on it. */
public final class NodeModule
        extends AbstractModule
{
    private final NodeRpcClient client;

    public NodeModule(NodeRpcClient client)
    {
        this.client = requireNonNull(client, "client is null");
    }

    @Override
    protected void configure()
    {
        bind(NodeRpcClient.class).toInstance(client);
    }

    @Provides
    @Singleton
    NodeContextCache cache(NodeRpcClient client, NodeConfig config, Clock clock)
    {
        return new NodeContextCache(client, config.refreshInterval(), clock);
    }
}
